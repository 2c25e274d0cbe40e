/**
 * SQL run as the platform superuser on a local server: the application role and database, and
 * what `read` reports. Identifiers are quoted with the driver's escaping; passwords travel only as
 * SCRAM verifiers; no value is interpolated into SQL text except through the driver's escaping.
 */
import { TENANT_GROUP } from "./config";
import { scramVerifier } from "./scram";

export interface AdminLogin {
  port: number;
  superuser: string;
  password: string;
}

/** Opens a connection as the superuser over loopback, runs `fn`, always closes it. */
export async function withAdmin<T>(login: AdminLogin, fn: (client: any) => Promise<T>, database = "postgres"): Promise<T> {
  const { Client } = require("pg");
  const client = new Client({ host: "127.0.0.1", port: login.port, user: login.superuser, password: login.password, database, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (err: any) {
    throw new Error(`could not connect to the local server on 127.0.0.1:${login.port} as \`${login.superuser}\`: ${err.message}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Sets a role's password from a SCRAM verifier computed here. */
export async function setPassword(client: any, role: string, password: string): Promise<void> {
  await client.query(`ALTER ROLE ${client.escapeIdentifier(role)} PASSWORD ${client.escapeLiteral(scramVerifier(password))}`);
}

export interface AppObjects {
  databaseName: string;
  username: string;
  password: string;
}

/**
 * Makes sure the application role and database exist, renaming them when `previous` names them
 * differently, and that only the application role (and the superuser) may connect to its database.
 * Idempotent: a create that died half way converges on the next run.
 */
export async function ensureAppObjects(client: any, app: AppObjects, previous?: { databaseName: string; username: string }): Promise<void> {
  const id = (n: string) => client.escapeIdentifier(n);
  const exists = async (sql: string, name: string) => (await client.query(sql, [name])).rowCount > 0;
  const roleSql = "SELECT 1 FROM pg_roles WHERE rolname = $1";
  const dbSql = "SELECT 1 FROM pg_database WHERE datname = $1";
  if (previous && previous.username !== app.username && (await exists(roleSql, previous.username)) && !(await exists(roleSql, app.username))) {
    await client.query(`ALTER ROLE ${id(previous.username)} RENAME TO ${id(app.username)}`);
  }
  if (previous && previous.databaseName !== app.databaseName && (await exists(dbSql, previous.databaseName)) && !(await exists(dbSql, app.databaseName))) {
    await client.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [previous.databaseName],
    );
    await client.query(`ALTER DATABASE ${id(previous.databaseName)} RENAME TO ${id(app.databaseName)}`);
  }
  if (!(await exists(roleSql, TENANT_GROUP))) await client.query(`CREATE ROLE ${id(TENANT_GROUP)} NOLOGIN`);
  const verifier = client.escapeLiteral(scramVerifier(app.password));
  if (await exists(roleSql, app.username)) await client.query(`ALTER ROLE ${id(app.username)} LOGIN PASSWORD ${verifier}`);
  else await client.query(`CREATE ROLE ${id(app.username)} LOGIN PASSWORD ${verifier}`);
  if (!(await exists(dbSql, app.databaseName))) {
    await client.query(`CREATE DATABASE ${id(app.databaseName)} OWNER ${id(app.username)} ENCODING 'UTF8' TEMPLATE template0`);
  } else {
    await client.query(`ALTER DATABASE ${id(app.databaseName)} OWNER TO ${id(app.username)}`);
  }
  await client.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${id(app.databaseName)} FROM PUBLIC`);
  await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${id(app.databaseName)} TO ${id(app.username)}`);
  await client.query("REVOKE CONNECT ON DATABASE postgres FROM PUBLIC");
}

export interface ServerFacts {
  serverVersion: string;
  /** Current values of the asked-for settings, as SHOW prints them. */
  settings: Record<string, string>;
  /** Settings whose change needs a restart (context `postmaster`). */
  restartOnly: string[];
  roleExists: boolean;
  databaseExists: boolean;
  databaseOwner?: string;
}

/** Reads what the server really holds: version, settings, the application role and database. */
export async function readFacts(client: any, names: readonly string[], app: { databaseName: string; username: string }): Promise<ServerFacts> {
  // pg_settings spells some names in mixed case (TimeZone, DateStyle); parameters are case-insensitive.
  const byLower = new Map(names.map((n) => [n.toLowerCase(), n]));
  const found = (await client.query("SELECT name, context, current_setting(name) AS v FROM pg_settings WHERE lower(name) = ANY($1)", [[...byLower.keys()]])).rows;
  const rows = found.map((r: any) => ({ name: byLower.get(r.name.toLowerCase())!, context: r.context, v: r.v }));
  const settings: Record<string, string> = {};
  for (const r of rows) settings[r.name] = r.v;
  const db = (await client.query("SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1", [app.databaseName])).rows[0];
  return {
    serverVersion: (await client.query("SHOW server_version")).rows[0].server_version,
    settings,
    restartOnly: rows.filter((r: any) => r.context === "postmaster").map((r: any) => r.name),
    roleExists: (await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1 AND rolcanlogin", [app.username])).rowCount > 0,
    databaseExists: db !== undefined,
    databaseOwner: db?.owner,
  };
}
