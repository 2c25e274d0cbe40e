/**
 * Shared by the catalogue tests: a fresh database per test on one throwaway server, SQL against it,
 * and a valid record of every type.
 */
import * as crypto from "crypto";
import { SqlConnection, closePools } from "../../components/providers/sql/connection";
import { TestPostgres, query, startTestPostgres } from "../harness/postgres";

/** A new empty database on `pg`, reached as the superuser. */
export async function freshDatabase(pg: TestPostgres): Promise<SqlConnection> {
  const database = `cat_${crypto.randomBytes(4).toString("hex")}`;
  await query(pg.adminUri, `CREATE DATABASE ${database}`);
  return { host: "127.0.0.1", port: pg.port, user: pg.superuser, password: pg.password, database };
}

/** What {@link useFreshDatabases} gives a suite: its server, and the current test's fresh database. */
export interface FreshDatabases {
  readonly pg: TestPostgres;
  readonly db: SqlConnection;
}

/**
 * Registers, in the calling `describe`, one throwaway server for the suite and a fresh database
 * for each test (then `beforeEach` hooks registered after this call see it); the pools and the
 * server are closed after the suite.
 */
export function useFreshDatabases(): FreshDatabases {
  let pg: TestPostgres | undefined;
  let db: SqlConnection | undefined;
  before(async () => {
    pg = await startTestPostgres();
  });
  after(async () => {
    await closePools();
    await pg?.stop();
  });
  beforeEach(async () => {
    db = await freshDatabase(pg!);
  });
  return {
    get pg() {
      return pg!;
    },
    get db() {
      return db!;
    },
  };
}

/** A URI for a connection (tests only: it carries the password). */
export function uriOf(c: SqlConnection): string {
  return `postgresql://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@${c.host}:${c.port}/${c.database ?? "postgres"}`;
}

/** Runs `sql` on the connection's database. */
export function sql(c: SqlConnection, text: string, params: unknown[] = []): Promise<any[]> {
  return query(uriOf(c), text, params);
}

/** The events of one record, oldest first, as `event` plus `detail`. */
export async function eventsOf(c: SqlConnection, recordType: string, recordId: string): Promise<{ event: string; detail: any; at: Date; resource_id: string | null }[]> {
  return sql(c, "SELECT event, detail, at, resource_id FROM pgplatform_catalog.events WHERE record_type = $1 AND record_id = $2 ORDER BY id", [recordType, recordId]);
}

/** A valid db_resource record's data. */
export function dbResourceData(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: "pg_single",
    projectId: "shop",
    environmentId: "dev",
    plan: "dev_single",
    version: "17",
    backend: "local",
    region: "local",
    endpoints: { host: "127.0.0.1", port: 54321, database: "app" },
    status: "RUNNING",
    lifecycle: "ACTIVE",
    metadata: { size: { compute: "shared_buffers=128MB", storageGb: 20 } },
    ...overrides,
  };
}

/** A valid tenant mapping on `resourceId`. */
export function tenantData(resourceId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tenantId: "acme",
    projectId: "shop",
    environmentId: "dev",
    resourceId,
    mode: "schema_per_tenant",
    databaseName: "app",
    schemaName: "tenant_acme",
    roleName: "tenant_acme",
    status: "RUNNING",
    quota: { maxConnections: 10 },
    ...overrides,
  };
}
