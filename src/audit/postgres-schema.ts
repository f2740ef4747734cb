/**
 * The audit store's schema, as numbered migrations: each runs once, in
 * order, in the transaction that records it in `agent_policy_migrations`.
 * Never edit a migration that has shipped; add the next one.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: "audit records, chain head, query indexes, append-only guard",
    sql: `
      CREATE TABLE agent_policy_audit_records (
        seq         bigint      PRIMARY KEY,
        prev_hash   text        NOT NULL,
        hash        text        NOT NULL UNIQUE,
        time        timestamptz NOT NULL,
        delivery_id text        NOT NULL,
        repository  text        NOT NULL,
        event       text        NOT NULL,
        decision    text        NOT NULL,
        agents      text[]      NOT NULL,
        rule_ids    text[]      NOT NULL,
        record      jsonb       NOT NULL,
        stored_at   timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE agent_policy_audit_head (
        id   smallint PRIMARY KEY CHECK (id = 1),
        seq  bigint   NOT NULL,
        hash text     NOT NULL
      );
      INSERT INTO agent_policy_audit_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));
      CREATE INDEX agent_policy_audit_time ON agent_policy_audit_records (time);
      CREATE INDEX agent_policy_audit_repository ON agent_policy_audit_records (lower(repository), time);
      CREATE INDEX agent_policy_audit_decision ON agent_policy_audit_records (decision, time);
      CREATE INDEX agent_policy_audit_delivery ON agent_policy_audit_records (delivery_id);
      CREATE INDEX agent_policy_audit_agents ON agent_policy_audit_records USING gin (agents);
      CREATE INDEX agent_policy_audit_rules ON agent_policy_audit_records USING gin (rule_ids);
      CREATE FUNCTION agent_policy_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'agent_policy_audit_records is append-only';
        END;
      $$;
      CREATE TRIGGER agent_policy_audit_no_update BEFORE UPDATE OR DELETE ON agent_policy_audit_records
        FOR EACH ROW EXECUTE FUNCTION agent_policy_audit_append_only();
      CREATE TRIGGER agent_policy_audit_no_truncate BEFORE TRUNCATE ON agent_policy_audit_records
        FOR EACH STATEMENT EXECUTE FUNCTION agent_policy_audit_append_only();
    `,
  },
  {
    version: 2,
    name: "once keys (a record kept at most once), grant records by action",
    // Adding a column updates no row, so the append-only trigger does not fire.
    sql: `
      ALTER TABLE agent_policy_audit_records ADD COLUMN once_key text;
      CREATE UNIQUE INDEX agent_policy_audit_once ON agent_policy_audit_records (once_key) WHERE once_key IS NOT NULL;
      CREATE INDEX agent_policy_audit_grant_action ON agent_policy_audit_records ((record->>'grantAction'), time) WHERE record ? 'grantAction';
    `,
  },
];
