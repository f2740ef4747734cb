/** The approvers an owner stands for: `@alice` → user `alice`, `@org/team` → team `org/team`. */
export function ownerApprovers(owner: string | undefined): { users: string[]; teams: string[] } {
  if (!owner) return { users: [], teams: [] };
  const name = owner.startsWith("@") ? owner.slice(1) : owner;
  return name.includes("/") ? { users: [], teams: [name] } : { users: [name], teams: [] };
}
