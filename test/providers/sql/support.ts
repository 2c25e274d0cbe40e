/**
 * Shared by the SQL provider tests: inputs for each provider against a test server, SQL as a given
 * role, what the catalog holds, and a TCP proxy that cuts the admin connection when a chosen
 * statement is about to be sent (a create killed half way).
 */
import assert from "assert";
import * as net from "net";
import { databaseProvider, DatabaseInputs } from "../../../components/providers/sql/database";
import { grantsProvider, GrantsInputs } from "../../../components/providers/sql/grants";
import { roleProvider, RoleInputs } from "../../../components/providers/sql/role";
import { schemaProvider, SchemaInputs } from "../../../components/providers/sql/schema";
import { SqlConnection } from "../../../components/providers/sql/connection";
import { KINDS } from "../../../components/providers/values";
import { TENANT_GROUP } from "../../../components/backends/local/config";
import { TestPostgres, query } from "../../harness/postgres";

export { databaseProvider, grantsProvider, roleProvider, schemaProvider };

/** Server settings for these tests: durability off, since CREATE/DROP DATABASE in loops would wait on fsync. */
export const FAST: { parameters: Record<string, string> } = { parameters: { fsync: "off", synchronous_commit: "off", full_page_writes: "off" } };

/** The superuser connection of a test server, to `database` (default: none, i.e. `postgres`). */
export function adminOf(pg: { port: number; superuser: string; password: string }, database?: string): SqlConnection {
  return { host: "127.0.0.1", port: pg.port, user: pg.superuser, password: pg.password, ...(database ? { database } : {}) };
}

/** Role inputs: a tenant login role in `pgplatform_tenants`. */
export function roleInputs(admin: SqlConnection, name: string, password: string | undefined, over: Partial<RoleInputs> = {}): RoleInputs {
  return { kind: KINDS.role, admin, name, ...(password !== undefined ? { password } : {}), login: true, connectionLimit: -1, memberOf: [TENANT_GROUP], onDelete: "drop", ...over };
}

/** Database inputs owned by `owner`. */
export function databaseInputs(admin: SqlConnection, name: string, owner: string, over: Partial<DatabaseInputs> = {}): DatabaseInputs {
  return { kind: KINDS.database, admin, name, owner, connectionLimit: -1, onDelete: { policy: "drop", backupBeforeDelete: false }, ...over };
}

/** Schema inputs in the shared database named by `admin.database`. */
export function schemaInputs(admin: SqlConnection, name: string, owner: string, over: Partial<SchemaInputs> = {}): SchemaInputs {
  return { kind: KINDS.schema, admin, name, owner, onDelete: { policy: "drop", backupBeforeDelete: false }, ...over };
}

/** Grants inputs: only `owner` (explicitly) on a tenant's database or schema. */
export function grantsInputs(admin: SqlConnection, object: GrantsInputs["object"], allowed: GrantsInputs["allowed"]): GrantsInputs {
  return { kind: KINDS.grants, admin, object, allowed };
}

/** A connection URI for `user` to `database` on a test server. */
export function uriAs(pg: { port: number }, user: string, password: string, database: string): string {
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${pg.port}/${encodeURIComponent(database)}`;
}

/** Runs `sql` as the superuser on `database` (default `postgres`). */
export function asAdmin(pg: TestPostgres, sql: string, params: unknown[] = [], database = "postgres"): Promise<any[]> {
  return query(uriAs(pg, pg.superuser, pg.password, database), sql, params);
}

/** Expects `fn` to fail and returns the message, after checking it names none of `secrets`. */
export async function errorOf(fn: () => Promise<unknown>, secrets: readonly string[] = []): Promise<string> {
  let caught: any;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof Error, "expected an error");
  for (const s of secrets) assert.ok(!caught.message.includes(s) && !String(caught.stack).includes(s), `the error names a password: ${caught.message}`);
  return caught.message;
}

/** Names in the catalog: roles (not `pg_*`), databases, and schemas of `database` (not system ones). */
export async function catalog(pg: TestPostgres, database = "app"): Promise<{ roles: string[]; databases: string[]; schemas: string[] }> {
  const names = (rows: any[]) => rows.map((r) => r.n);
  return {
    roles: names(await asAdmin(pg, "SELECT rolname AS n FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1")),
    databases: names(await asAdmin(pg, "SELECT datname AS n FROM pg_database ORDER BY 1")),
    schemas: names(await asAdmin(pg, "SELECT nspname AS n FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY 1", [], database)),
  };
}

/**
 * A TCP proxy in front of a server that lets `allow` statements through (counting the simple and
 * extended protocol's Query and Parse messages over all connections) and then destroys the
 * connection that tries to send the next one, before the server sees it.
 */
export class CuttingProxy {
  private server: net.Server;
  private sockets = new Set<net.Socket>();
  /** Statements seen so far. */
  statements = 0;
  /** Whether the cut happened. */
  cut = false;

  private constructor(private readonly target: number, private readonly allow: number) {
    this.server = net.createServer((client) => this.pipe(client));
  }

  /** Starts a proxy to `targetPort` that lets `allow` statements through. */
  static async start(targetPort: number, allow: number): Promise<CuttingProxy> {
    const p = new CuttingProxy(targetPort, allow);
    await new Promise<void>((resolve) => p.server.listen(0, "127.0.0.1", resolve));
    return p;
  }

  /** The port the proxy listens on (127.0.0.1). */
  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  private pipe(client: net.Socket): void {
    const upstream = net.connect(this.target, "127.0.0.1");
    this.sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const kill = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", kill).on("close", kill);
    upstream.on("error", kill).on("close", kill);
    upstream.on("data", (d) => client.write(d));
    let buf = Buffer.alloc(0);
    let started = false;
    client.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        // The startup message has no type byte; every later message is type + int32 length.
        const head = started ? 5 : 4;
        if (buf.length < head) return;
        const len = started ? buf.readInt32BE(1) + 1 : buf.readInt32BE(0);
        if (buf.length < len) return;
        const msg = buf.subarray(0, len);
        buf = buf.subarray(len);
        if (!started) started = true;
        else if (msg[0] === 0x51 /* Q */ || msg[0] === 0x50 /* P */) {
          if (this.statements >= this.allow) {
            this.cut = true;
            return kill();
          }
          this.statements++;
        }
        upstream.write(msg);
      }
    });
  }

  /** Stops listening and closes every connection. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Restores a custom-format dump into a new database `into` (as the superuser), with the PostgreSQL 15 client tools. */
export async function restoreInto(pg: TestPostgres, file: string, into: string): Promise<void> {
  const { execFileSync } = require("child_process");
  const { installedClientTools } = require("../../../components/providers/sql/archive");
  await asAdmin(pg, `CREATE DATABASE ${into} TEMPLATE template0`);
  const bin = `${installedClientTools().find((t: any) => t.major === 15).dir}/pg_restore`;
  const args = ["--host=127.0.0.1", `--port=${pg.port}`, `--username=${pg.superuser}`, `--dbname=${into}`, "--no-owner", "--exit-on-error", file];
  execFileSync(bin, args, { env: { ...process.env, PGPASSWORD: pg.password }, stdio: "pipe" });
}

/** Row count and an md5 over every row of `table` (ordered by `id`) in `database`. */
export async function checksum(pg: TestPostgres, database: string, table: string): Promise<{ n: number; sum: string }> {
  const [r] = await asAdmin(pg, `SELECT count(*)::int AS n, md5(string_agg(t::text, ',' ORDER BY id)) AS sum FROM ${table} t`, [], database);
  return r;
}

/** An open session whose `ended` resolves with the message of the error that ends it (e.g. a terminated backend). */
export async function openSession(uri: string): Promise<{ client: any; ended: Promise<string> }> {
  const { Client } = require("pg");
  const client = new Client({ connectionString: uri });
  const ended = new Promise<string>((resolve) => client.on("error", (e: Error) => resolve(e.message)));
  await client.connect();
  await client.query("SELECT 1");
  return { client, ended };
}
