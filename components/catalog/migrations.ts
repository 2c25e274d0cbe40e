/**
 * The catalogue's schema, `pgplatform_catalog`, as an ordered list of versioned migrations.
 * `migrate(client)` creates the schema and its `schema_migrations` table on first use and applies
 * what is missing, in order, one transaction per migration, under an advisory lock so that many
 * providers of one `pulumi up` (or several stacks) can call it at once. Never edit a released
 * migration: append a new one.
 */

/** The PostgreSQL schema that holds the catalogue. */
export const CATALOG_SCHEMA = "pgplatform_catalog";

/** One versioned step of the catalogue's schema. */
export interface Migration {
  /** Strictly increasing, starting at 1. */
  version: number;
  name: string;
  sql: string;
}

/** Key of the advisory lock that serializes migrators (`pg_advisory_xact_lock(KEY[0], KEY[1])`). */
export const MIGRATION_LOCK: readonly [number, number] = [0x7067706c, 1];

const S = CATALOG_SCHEMA;
const LIFECYCLE = `lifecycle text NOT NULL DEFAULT 'ACTIVE' CHECK (lifecycle IN ('ACTIVE', 'PAUSED', 'DELETING', 'DELETED'))`;
const statusOf = (values: string[], initial: string) => `status text NOT NULL DEFAULT '${initial}' CHECK (status IN (${values.map((v) => `'${v}'`).join(", ")}))`;
const object = (col: string) => `${col} jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(${col}) = 'object')`;
/** Columns every record table ends with: metadata, timestamps, and deleted_at set exactly when DELETED. */
const TAIL = `${object("metadata")},
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CHECK ((lifecycle = 'DELETED') = (deleted_at IS NOT NULL))`;
const TIMING = `started_at timestamptz,
  finished_at timestamptz,
  ${object("detail")}`;
const touch = (table: string) =>
  `CREATE TRIGGER ${table}_touch BEFORE UPDATE ON ${S}.${table} FOR EACH ROW EXECUTE FUNCTION ${S}.touch_updated_at();`;
const TABLES = ["resources", "tenants", "backups", "scale_events", "migrations", "failovers"];

const INITIAL = `
CREATE FUNCTION ${S}.touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN NEW.updated_at := now(); END IF;
  RETURN NEW;
END $$;

CREATE TABLE ${S}.resources (
  id text PRIMARY KEY CHECK (id <> ''),
  kind text NOT NULL CHECK (kind IN ('pg_single', 'pg_cluster')),
  project_id text NOT NULL CHECK (project_id <> ''),
  environment_id text NOT NULL CHECK (environment_id <> ''),
  plan text NOT NULL,
  version text NOT NULL,
  backend text NOT NULL CHECK (backend IN ('aws', 'kubernetes', 'local')),
  region text NOT NULL,
  ${object("endpoints")},
  ${statusOf(["PENDING", "RUNNING", "FAILED"], "PENDING")},
  ${LIFECYCLE},
  ${TAIL}
);
CREATE INDEX resources_project_idx ON ${S}.resources (project_id, environment_id);

CREATE TABLE ${S}.tenants (
  id text PRIMARY KEY CHECK (id <> ''),
  tenant_id text NOT NULL CHECK (tenant_id <> ''),
  project_id text NOT NULL,
  environment_id text NOT NULL,
  resource_id text NOT NULL REFERENCES ${S}.resources (id),
  mode text NOT NULL CHECK (mode IN ('database_per_tenant', 'schema_per_tenant')),
  database_name text NOT NULL,
  schema_name text,
  role_name text NOT NULL,
  ${object("quota")},
  ${statusOf(["PENDING", "RUNNING", "FAILED"], "PENDING")},
  ${LIFECYCLE},
  ${TAIL},
  CHECK (mode <> 'schema_per_tenant' OR schema_name IS NOT NULL)
);
CREATE INDEX tenants_resource_idx ON ${S}.tenants (resource_id);
CREATE INDEX tenants_tenant_idx ON ${S}.tenants (project_id, environment_id, tenant_id);

CREATE TABLE ${S}.backups (
  id text PRIMARY KEY CHECK (id <> ''),
  resource_id text NOT NULL REFERENCES ${S}.resources (id),
  policy_id text,
  backup_type text NOT NULL DEFAULT 'full' CHECK (backup_type IN ('full', 'incremental', 'differential', 'snapshot')),
  method text,
  location text,
  size_bytes bigint CHECK (size_bytes >= 0),
  ${TIMING},
  ${statusOf(["PENDING", "RUNNING", "DONE", "FAILED"], "PENDING")},
  ${LIFECYCLE},
  ${TAIL}
);
CREATE INDEX backups_resource_idx ON ${S}.backups (resource_id, started_at DESC);

CREATE TABLE ${S}.scale_events (
  id text PRIMARY KEY CHECK (id <> ''),
  resource_id text NOT NULL REFERENCES ${S}.resources (id),
  dimension text NOT NULL,
  from_value jsonb,
  to_value jsonb,
  reason text,
  ${TIMING},
  ${statusOf(["IN_PROGRESS", "DONE", "FAILED"], "IN_PROGRESS")},
  ${LIFECYCLE},
  ${TAIL}
);
CREATE INDEX scale_events_resource_idx ON ${S}.scale_events (resource_id, started_at DESC);

CREATE TABLE ${S}.migrations (
  id text PRIMARY KEY CHECK (id <> ''),
  migration_type text NOT NULL CHECK (migration_type IN ('blue_green_upgrade', 'single_to_cluster', 'tenant_move')),
  source_resource_id text NOT NULL REFERENCES ${S}.resources (id),
  target_resource_id text,
  tenant_id text,
  from_version text,
  to_version text,
  phase text NOT NULL DEFAULT 'planned',
  log jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(log) = 'array'),
  ${TIMING},
  ${statusOf(["PENDING", "IN_PROGRESS", "DONE", "FAILED", "ROLLED_BACK"], "PENDING")},
  ${LIFECYCLE},
  ${TAIL}
);
CREATE INDEX migrations_source_idx ON ${S}.migrations (source_resource_id);
CREATE INDEX migrations_target_idx ON ${S}.migrations (target_resource_id);

CREATE TABLE ${S}.failovers (
  id text PRIMARY KEY CHECK (id <> ''),
  resource_id text NOT NULL REFERENCES ${S}.resources (id),
  failover_type text NOT NULL DEFAULT 'failover' CHECK (failover_type IN ('failover', 'switchover')),
  from_member text,
  to_member text,
  timeline bigint,
  lsn text,
  reason text,
  ${TIMING},
  ${statusOf(["IN_PROGRESS", "DONE", "FAILED"], "IN_PROGRESS")},
  ${LIFECYCLE},
  ${TAIL}
);
CREATE INDEX failovers_resource_idx ON ${S}.failovers (resource_id, started_at DESC);

CREATE TABLE ${S}.events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  record_type text NOT NULL CHECK (record_type IN ('db_resource', 'tenant', 'backup', 'scale_event', 'migration', 'failover')),
  record_id text NOT NULL,
  resource_id text,
  event text NOT NULL CHECK (event ~ '^[a-z][a-z0-9_]*$'),
  ${object("detail")},
  at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX events_record_idx ON ${S}.events (record_type, record_id, id);
CREATE INDEX events_resource_idx ON ${S}.events (resource_id, id);

${TABLES.map(touch).join("\n")}

CREATE VIEW ${S}.resource_overview AS
SELECT r.id, r.kind, r.project_id, r.environment_id, r.plan, r.version, r.backend, r.region,
       r.status, r.lifecycle, r.endpoints,
       t.tenant_count,
       b.id AS last_backup_id, b.status AS last_backup_status, b.at AS last_backup_at,
       bd.done_at AS last_successful_backup_at,
       s.id AS last_scale_event_id, s.dimension AS last_scale_event_dimension, s.status AS last_scale_event_status, s.at AS last_scale_event_at,
       f.id AS last_failover_id, f.to_member AS last_failover_to, f.status AS last_failover_status, f.at AS last_failover_at,
       e.event AS last_event, e.record_type AS last_event_record_type, e.record_id AS last_event_record_id, e.at AS last_event_at,
       r.created_at, r.updated_at, r.deleted_at
FROM ${S}.resources r
CROSS JOIN LATERAL (SELECT count(*)::int AS tenant_count FROM ${S}.tenants x WHERE x.resource_id = r.id AND x.lifecycle <> 'DELETED') t
LEFT JOIN LATERAL (SELECT x.id, x.status, coalesce(x.finished_at, x.started_at, x.created_at) AS at FROM ${S}.backups x
  WHERE x.resource_id = r.id AND x.lifecycle <> 'DELETED' ORDER BY coalesce(x.started_at, x.created_at) DESC, x.created_at DESC LIMIT 1) b ON true
LEFT JOIN LATERAL (SELECT max(x.finished_at) AS done_at FROM ${S}.backups x
  WHERE x.resource_id = r.id AND x.lifecycle <> 'DELETED' AND x.status = 'DONE') bd ON true
LEFT JOIN LATERAL (SELECT x.id, x.dimension, x.status, coalesce(x.finished_at, x.started_at, x.created_at) AS at FROM ${S}.scale_events x
  WHERE x.resource_id = r.id ORDER BY coalesce(x.started_at, x.created_at) DESC, x.created_at DESC LIMIT 1) s ON true
LEFT JOIN LATERAL (SELECT x.id, x.to_member, x.status, coalesce(x.finished_at, x.started_at, x.created_at) AS at FROM ${S}.failovers x
  WHERE x.resource_id = r.id ORDER BY coalesce(x.started_at, x.created_at) DESC, x.created_at DESC LIMIT 1) f ON true
LEFT JOIN LATERAL (SELECT x.event, x.record_type, x.record_id, x.at FROM ${S}.events x
  WHERE x.resource_id = r.id ORDER BY x.id DESC LIMIT 1) e ON true;
`;

/** The catalogue's migrations, oldest first. */
export const MIGRATIONS: readonly Migration[] = [{ version: 1, name: "initial: records, events, resource_overview", sql: INITIAL }];

/** Versions already applied, or an empty list when the catalogue has never been created. */
export async function appliedVersions(client: any): Promise<number[]> {
  const exists = (await client.query("SELECT to_regclass($1) AS t", [`${S}.schema_migrations`])).rows[0].t;
  if (!exists) return [];
  return (await client.query(`SELECT version FROM ${S}.schema_migrations ORDER BY version`)).rows.map((r: any) => Number(r.version));
}

/**
 * Brings the catalogue on `client`'s database up to date: creates `pgplatform_catalog` and its
 * `schema_migrations(version, name, applied_at)` on first use, then applies each missing migration
 * in order, each in its own transaction under `pg_advisory_xact_lock`, re-checking under the lock.
 * `client` must not be inside a transaction. Returns the versions this call applied.
 */
export async function migrate(client: any, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const done = new Set(await appliedVersions(client));
  if (sorted.every((m) => done.has(m.version))) return [];
  const applied: number[] = [];
  for (const m of sorted) {
    if (done.has(m.version)) continue;
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock($1, $2)", [...MIGRATION_LOCK]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${S}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${S}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
      );
      const already = (await client.query(`SELECT 1 FROM ${S}.schema_migrations WHERE version = $1`, [m.version])).rowCount > 0;
      if (!already) {
        await client.query(m.sql);
        await client.query(`INSERT INTO ${S}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
        applied.push(m.version);
      }
      await client.query("COMMIT");
    } catch (err: any) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw new Error(`catalogue migration ${m.version} (${m.name}) failed: ${err.message}`);
    }
  }
  return applied;
}
