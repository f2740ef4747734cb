import type { AuditContext } from "../audit/audit-record.js";

interface EventLike {
  id: string;
  name: string;
  payload: {
    action?: string;
    installation?: { id: number };
    repository: { full_name: string };
    sender?: { login: string; id: number } | null;
  };
}

/** The fields every audit record of this delivery shares; the actor defaults to the event's sender. */
export function auditContextFor(event: EventLike, time: Date, actor: { login: string; id: number } | null | undefined = event.payload.sender): AuditContext {
  const { payload } = event;
  return {
    time,
    deliveryId: event.id,
    ...(payload.installation ? { installationId: payload.installation.id } : {}),
    repository: payload.repository.full_name,
    event: event.name,
    ...(payload.action ? { action: payload.action } : {}),
    ...(actor ? { actor: { login: actor.login, id: actor.id } } : {}),
  };
}
