import { CommitRecordError } from "../github/commit-state.js";
import { GitHubFactsError } from "../github/errors.js";

/** The sentence a fail-closed check and its audit record give for an error. */
export function failureReason(error: unknown): string {
  if (error instanceof GitHubFactsError) return error.message;
  if (error instanceof CommitRecordError) return `could not use this commit's record: ${error.message}`;
  return `internal error: ${error instanceof Error ? error.message : String(error)}`;
}
