/**
 * Shared by the tenant quota tests: tenants made with plain SQL as the superuser (a database
 * tenant and a schema tenant in the shared `app` database, both members of pgplatform_tenants),
 * sessions as the tenant itself, data written by it, and what the server says about its role.
 */
import { TENANT_GROUP } from "../../../components/backends/local/config";
import { scramVerifier } from "../../../components/backends/local/scram";
import { SqlConnection } from "../../../components/providers/sql/connection";
import { KINDS } from "../../../components/providers/values";
import { TenantQuotaInputs, TenantQuotaScope } from "../../../components/providers/sql/tenantQuota";
import { TestPostgres, query, randomPassword } from "../../harness/postgres";

/** A tenant: its login role, password and scope. */
export interface Tenant {
  role: string;
  password: string;
  scope: TenantQuotaScope;
  /** The database its sessions connect to. */
  database: string;
}

export const MB = 1024 * 1024;

/** The superuser connection the provider gets. */
export function adminOf(pg: TestPostgres): SqlConnection {
  return { host: pg.host, port: pg.port, user: pg.superuser, password: pg.password, database: "postgres" };
}

function uri(pg: TestPostgres, user: string, password: string, database: string): string {
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${pg.port}/${encodeURIComponent(database)}`;
}

/** Runs SQL as the superuser on `database`. */
export function asAdmin(pg: TestPostgres, sql: string, params: unknown[] = [], database = "postgres"): Promise<any[]> {
  return query(uri(pg, pg.superuser, pg.password, database), sql, params);
}

async function createRole(pg: TestPostgres, role: string, password: string): Promise<void> {
  await asAdmin(pg, `CREATE ROLE "${role}" LOGIN PASSWORD '${scramVerifier(password)}' IN ROLE "${TENANT_GROUP}"`);
}

/** A tenant with its own database, named as its role (pg_hba admits a tenant to the database of its name). */
export async function databaseTenant(pg: TestPostgres, role: string): Promise<Tenant> {
  const password = randomPassword();
  await createRole(pg, role, password);
  await asAdmin(pg, `CREATE DATABASE "${role}" OWNER "${role}"`);
  return { role, password, scope: { type: "database", name: role }, database: role };
}

/** A tenant with its own schema in the shared `app` database. */
export async function schemaTenant(pg: TestPostgres, role: string): Promise<Tenant> {
  const password = randomPassword();
  await createRole(pg, role, password);
  await asAdmin(pg, `CREATE SCHEMA "${role}" AUTHORIZATION "${role}"`, [], pg.database);
  await asAdmin(pg, `GRANT CONNECT ON DATABASE "${pg.database}" TO "${role}"`);
  return { role, password, scope: { type: "schema", database: pg.database, name: role }, database: pg.database };
}

/** The provider's inputs for a quota on `t`. */
export function quotaInputs(pg: TestPostgres, t: Tenant, q: Pick<TenantQuotaInputs, "maxStorageBytes" | "warnAtPercent" | "onLimit">): TenantQuotaInputs {
  return { kind: KINDS.tenantQuota, admin: adminOf(pg), scope: t.scope, role: t.role, ...q };
}

/** An open session as the tenant itself; `errors` collects what the client reported when the session ended. */
export async function tenantSession(pg: TestPostgres, t: Tenant): Promise<{ client: any; errors: Error[] }> {
  const { Client } = require("pg");
  const client = new Client({ connectionString: uri(pg, t.role, t.password, t.database), connectionTimeoutMillis: 10_000 });
  const errors: Error[] = [];
  client.on("error", (e: Error) => errors.push(e));
  await client.connect();
  if (t.scope.type === "schema") await client.query(`SET search_path = "${t.scope.name}"`);
  return { client, errors };
}

/** Logs in as the tenant, runs one query and logs out. */
export function asTenant(pg: TestPostgres, t: Tenant, sql: string): Promise<any[]> {
  return query(uri(pg, t.role, t.password, t.database), sql);
}

/** Creates the tenant's table `data` on its session. */
export async function createDataTable(client: any): Promise<void> {
  await client.query("CREATE TABLE data (id bigserial PRIMARY KEY, payload text)");
}

/** Writes about `bytes` of incompressible rows (~1 kB each) into `data` on the tenant's session. */
export async function writeData(client: any, bytes: number): Promise<void> {
  const rows = Math.ceil(bytes / 1100);
  await client.query("INSERT INTO data (payload) SELECT string_agg(md5(g::text || random()::text), '') FROM generate_series(1, $1) g, generate_series(1, 30) x GROUP BY g", [rows]);
}

/** Whether the role can log in, and its settings (`name=value`). */
export async function roleState(pg: TestPostgres, role: string): Promise<{ canLogin: boolean; settings: string[] }> {
  const [r] = await asAdmin(
    pg,
    `SELECT rolcanlogin, coalesce((SELECT setconfig FROM pg_db_role_setting WHERE setrole = r.oid AND setdatabase = 0), '{}') AS settings
       FROM pg_roles r WHERE rolname = $1`,
    [role],
  );
  return { canLogin: r.rolcanlogin, settings: r.settings };
}

/** Pids of the role's sessions. */
export async function sessionsOf(pg: TestPostgres, role: string): Promise<number[]> {
  return (await asAdmin(pg, "SELECT pid FROM pg_stat_activity WHERE usename = $1", [role])).map((r) => r.pid);
}
