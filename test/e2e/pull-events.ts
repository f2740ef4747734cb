import { commitEntry, examplePayload, fileEntry, HUMAN, pullResponse } from "../fixtures/github.js";
import type { FakeGitHub } from "./fake-github.js";

/** A repository of one installation, as the webhook payload and the fake GitHub name it. */
export interface InstalledRepo {
  owner: string;
  name: string;
  installationId: number;
}

export const fullName = (repo: InstalledRepo) => `${repo.owner}/${repo.name}`;

/** A person's one-file pull request in `repo`, known to the fake GitHub. */
export function humanPull(github: FakeGitHub, repo: InstalledRepo, number: number, sha: string): void {
  github.setPull(fullName(repo), number, {
    pull: pullResponse({ number, headSha: sha, headRef: `feature-${number}`, user: HUMAN, changedFiles: 1, commits: 1, owner: repo.owner, repo: repo.name }),
    files: [fileEntry(`src/file-${number}.ts`)],
    commits: [commitEntry(sha, `Change ${number}`, { account: HUMAN, name: "Octo Dev", email: "dev@example.com" })],
  });
}

/** The `pull_request.opened` delivery for that pull request, from GitHub's example payload. */
export function pullOpened(repo: InstalledRepo, number: number, sha: string): Record<string, any> {
  const payload = examplePayload("pull_request", "opened");
  payload.number = number;
  payload.installation = { ...payload.installation, id: repo.installationId };
  payload.repository = { ...payload.repository, name: repo.name, full_name: fullName(repo), owner: { ...payload.repository.owner, login: repo.owner } };
  payload.pull_request = {
    ...payload.pull_request,
    number,
    head: { ...payload.pull_request.head, sha, ref: `feature-${number}` },
    user: { ...payload.pull_request.user, ...HUMAN },
    html_url: `https://github.com/${fullName(repo)}/pull/${number}`,
  };
  payload.sender = { ...payload.sender, ...HUMAN };
  return payload;
}
