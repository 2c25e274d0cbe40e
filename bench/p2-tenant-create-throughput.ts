/**
 * P2 tenant-create-throughput: tenants created per second through the SQL providers' create path,
 * against the same SQL statements fed to one open psql session, on a real local PostgreSQL 15
 * started by the bench (the local back end's createServer; data on tmpfs and fsync off, see
 * {@link SERVER_PARAMETERS}).
 *
 * Ours: for each tenant, exactly what the engine calls for a new TenantDatabase's children, one
 * after the other as their dependencies order them: `roleProvider.check({}, news)` then
 * `.create(checked)`, then the database's or schema's `check` + `create`, then the grants' `check`
 * + `create` (components/providers/sql/*.ts, called in this process, their connection pools open).
 * The inputs are those TenantDatabase gives its children (test/components/tenantDatabase.test.ts):
 * login role in `pgplatform_tenants`, `onDelete` drop; a database owned by it, or a schema in the
 * shared database `app`; the exact ACL. Every third tenant has a connection limit of 5.
 *
 * Floor: the SAME statements on ONE psql session (`/usr/bin/psql -X -q -v ON_ERROR_STOP=1`,
 * connected to `app` before the clock starts, results sent to /dev/null). The statements are
 * captured, not retyped: the driver's `Client.prototype.query` is wrapped while the providers
 * create one untimed tenant of each mode (after a first one, so the steady state is captured: the
 * tenant group already exists), giving one template per mode; for each floor tenant its name is
 * put in, the connection limit set, parameters inlined as the literals the server would have bound
 * (pg's own `prepareValue`), and a fresh password's SCRAM verifier computed (inside the timing,
 * as the providers do). Both sides do the same statement count, checked every sample.
 *
 * Method: 200 tenants of each mode per side per round, 3 rounds (`PGPLATFORM_BENCH_ROUNDS`), the
 * side that goes first alternating; fresh names every sample; `CHECKPOINT` + `sync` before each
 * timed mode; after each sample (untimed) the resulting catalog state of both sides is compared
 * (roles, memberships, databases, schemas, ACLs, role settings, default privileges, names
 * normalized) and everything it made is dropped. A side's throughput is 400 tenants over its
 * two timed modes; the ratio is ours / floor of the medians (higher is better). After the rounds
 * one untimed profiling pass per side times every statement, to say where ours' time goes.
 */
import { ChildProcessWithoutNullStreams, execFileSync, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { scramVerifier } from "../components/backends/local/scram";
import { TENANT_GROUP } from "../components/backends/local/config";
import { SqlConnection, closePools, withClient } from "../components/providers/sql/connection";
import { databaseProvider } from "../components/providers/sql/database";
import { grantsProvider } from "../components/providers/sql/grants";
import { roleProvider } from "../components/providers/sql/role";
import { schemaProvider } from "../components/providers/sql/schema";
import { KINDS } from "../components/providers/values";
import { LocalServerSpec, createServer, destroyServer } from "../components/backends/local/server";
import { randomPassword } from "../test/harness/postgres";
import { BenchFigure, Figure, median, note, now, roundsFromEnv, track } from "./figure";

const PSQL = "/usr/bin/psql";
const TENANTS_PER_MODE = 200;
const PROFILE_TENANTS = 50;
/**
 * The bench server's settings. Its data directory is on tmpfs (/dev/shm) and it runs without
 * fsync: on this machine's shared virtual disk, WAL flushes (every COMMIT) and CREATE DATABASE's
 * writes (~16 MB of WAL and files per database) varied 2-3x from one sample to the next and
 * drowned what P2 compares, the same statements through two clients; on a disk both sides wait the
 * same. No mid-sample checkpoints: each timed mode starts after a CHECKPOINT instead.
 */
const SERVER_PARAMETERS = {
  max_connections: "40",
  shared_buffers: "128MB",
  fsync: "off",
  synchronous_commit: "off",
  full_page_writes: "off",
  max_wal_size: "16GB",
  checkpoint_timeout: "1h",
};

/** The bench server: a local back-end server of its own, superuser `postgres`, application database `app`. */
interface BenchServer {
  host: string;
  port: number;
  superuser: string;
  password: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts the bench server under a fresh directory on tmpfs (else the temp directory), reachable by the service user. */
async function startBenchServer(version: string): Promise<BenchServer> {
  const base = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
  const dataRoot = fs.mkdtempSync(path.join(base, "pgplatform-bench-p2-"));
  fs.chmodSync(dataRoot, 0o755);
  const spec: LocalServerSpec = {
    resourceId: "p2-bench",
    version,
    dataRoot,
    allowedCidrs: ["127.0.0.1/32"],
    superuser: "postgres",
    superuserPassword: randomPassword(32),
    databaseName: "app",
    username: "app",
    password: randomPassword(32),
    parameters: SERVER_PARAMETERS,
    binarySearchPaths: [path.resolve(__dirname, "..")],
  };
  // Registered at once, so an interrupt during createServer removes it too.
  const stop = track(async () => {
    await destroyServer(dataRoot, spec.resourceId).catch(() => undefined);
    fs.rmSync(dataRoot, { recursive: true, force: true });
  });
  try {
    const state = await createServer(spec);
    return { host: "127.0.0.1", port: state.port, superuser: spec.superuser, password: spec.superuserPassword, dataDir: state.dataDir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
const MODES = ["database_per_tenant", "schema_per_tenant"] as const;
type Mode = (typeof MODES)[number];
type Side = "ours" | "floor";
const SHORT: Record<Mode, string> = { database_per_tenant: "db", schema_per_tenant: "sc" };

// ---------------------------------------------------------------------------------------------
// Statement capture: every query the providers send through the pg driver.

interface Statement {
  text: string;
  values: unknown[];
}

type Listener = (s: Statement, done: Promise<unknown>) => void;
let listener: Listener | undefined;
let statementCount = 0;

/** Wraps `pg.Client.prototype.query` (the pools' clients) to count and, when listened to, report each statement. */
function wrapDriver(): () => void {
  const proto = require("pg").Client.prototype;
  const original = proto.query;
  proto.query = function (config: any, values?: any, callback?: any) {
    statementCount++;
    const result = original.call(this, config, values, callback);
    if (listener && typeof config === "string") listener({ text: config, values: Array.isArray(values) ? values : [] }, result);
    return result;
  };
  return () => {
    proto.query = original;
  };
}

// ---------------------------------------------------------------------------------------------
// The inputs TenantDatabase gives its children, as the engine passes them to check.

interface Tenant {
  name: string;
  password: string;
  connectionLimit: number;
}

const onDelete = { policy: "drop", backupBeforeDelete: false };

function tenantsFor(prefix: string, count: number): Tenant[] {
  return Array.from({ length: count }, (_, k) => ({
    name: `${prefix}_${String(k + 1).padStart(3, "0")}`,
    password: "", // drawn inside the timing, as the engine's RandomPassword result would arrive
    connectionLimit: (k + 1) % 3 === 0 ? 5 : -1,
  }));
}

async function checked(provider: any, news: Record<string, unknown>): Promise<any> {
  const r = await provider.check({}, news);
  if (r.failures?.length) throw new Error(`check failed: ${r.failures.map((f: any) => `${f.property}: ${f.reason}`).join("; ")}`);
  return r.inputs;
}

/** One tenant through the providers, as the engine would: check then create, role → home → grants. */
async function createThroughProviders(admin: (db: string) => SqlConnection, mode: Mode, t: Tenant): Promise<void> {
  const role = await checked(roleProvider, {
    kind: KINDS.role,
    admin: admin("postgres"),
    name: t.name,
    password: t.password,
    login: true,
    connectionLimit: t.connectionLimit,
    memberOf: [TENANT_GROUP],
    onDelete: "drop",
  });
  await roleProvider.create(role);
  if (mode === "database_per_tenant") {
    const db = await checked(databaseProvider, { kind: KINDS.database, admin: admin("postgres"), name: t.name, owner: t.name, connectionLimit: t.connectionLimit, onDelete });
    await databaseProvider.create(db);
    const grants = await checked(grantsProvider, {
      kind: KINDS.grants,
      admin: admin("postgres"),
      object: { type: "database", name: t.name },
      allowed: [{ grantee: t.name, privileges: ["CONNECT", "TEMPORARY"] }],
    });
    await grantsProvider.create(grants);
  } else {
    const schema = await checked(schemaProvider, { kind: KINDS.schema, admin: admin("app"), name: t.name, owner: t.name, onDelete });
    await schemaProvider.create(schema);
    const grants = await checked(grantsProvider, { kind: KINDS.grants, admin: admin("app"), object: { type: "schema", name: t.name, database: "app" }, allowed: [] });
    await grantsProvider.create(grants);
  }
}

// ---------------------------------------------------------------------------------------------
// The floor's statements: a captured template per mode, instantiated per tenant.

const VERIFIER = /'SCRAM-SHA-256\$[^']*'/g;
const { prepareValue, escapeLiteral } = require("pg/lib/utils") as { prepareValue(v: unknown): unknown; escapeLiteral(s: string): string };

function literal(v: unknown): string {
  const p = prepareValue(v);
  if (p === null || p === undefined) return "NULL";
  if (typeof p === "number" || typeof p === "bigint") return String(p);
  return escapeLiteral(Buffer.isBuffer(p) ? p.toString() : String(p));
}

/** A template statement for tenant `t`: its name in place of the captured one, its limit, its verifier, parameters inlined. */
function instantiate(s: Statement, captured: string, t: Tenant, verifier: () => string): string {
  const rename = (x: unknown): unknown => (typeof x === "string" ? x.split(captured).join(t.name) : Array.isArray(x) ? x.map(rename) : x);
  let text = s.text.split(captured).join(t.name).replace(/CONNECTION LIMIT -1\b/g, `CONNECTION LIMIT ${t.connectionLimit}`);
  if (VERIFIER.test(text)) text = text.replace(VERIFIER, () => escapeLiteral(verifier()));
  VERIFIER.lastIndex = 0;
  if (s.values.length > 0) {
    const values = s.values.map(rename);
    text = text.replace(/\$(\d+)/g, (_, n: string) => literal(values[Number(n) - 1]));
  }
  return `${text.trim()};\n`;
}

interface Template {
  captured: string;
  statements: Statement[];
}

/** Creates a tenant through the providers while listening to the driver: its statements, in order. */
async function capture(admin: (db: string) => SqlConnection, mode: Mode, name: string): Promise<Template> {
  const statements: Statement[] = [];
  listener = (s) => statements.push({ text: s.text, values: [...s.values] });
  try {
    await createThroughProviders(admin, mode, { name, password: randomPassword(32), connectionLimit: -1 });
  } finally {
    listener = undefined;
  }
  return { captured: name, statements };
}

// ---------------------------------------------------------------------------------------------
// One psql session.

class Psql {
  private out = "";
  private waiters: { marker: string; resolve: () => void }[] = [];
  private failed?: Error;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      this.out += d;
      this.waiters = this.waiters.filter((w) => {
        if (!this.out.includes(w.marker)) return true;
        w.resolve();
        return false;
      });
    });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      this.failed = new Error(`psql exited ${code}: ${err.trim().split("\n").slice(-6).join("\n")}`);
      for (const w of this.waiters) w.resolve();
      this.waiters = [];
    });
    child.stdin.on("error", () => undefined);
  }

  /** Starts psql and waits until it is connected (it connects before reading its first command). */
  static async open(pg: BenchServer, database: string): Promise<Psql> {
    const child = spawn(PSQL, ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(pg.port), "-U", pg.superuser, "-d", database], {
      env: { ...process.env, PGPASSWORD: pg.password, PGCONNECT_TIMEOUT: "10" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const session = new Psql(child);
    await session.write("\\o /dev/null\n");
    await session.sync("ready");
    return session;
  }

  async write(text: string): Promise<void> {
    if (this.failed) throw this.failed;
    if (!this.child.stdin.write(text)) await new Promise<void>((r) => this.child.stdin.once("drain", r));
  }

  /** Waits until psql has run everything written so far (it echoes a marker after it). */
  async sync(label: string): Promise<void> {
    const marker = `__pgplatform_${label}_${crypto.randomBytes(4).toString("hex")}__`;
    const seen = new Promise<void>((resolve) => this.waiters.push({ marker, resolve }));
    await this.write(`\\echo ${marker}\n`);
    await seen;
    if (this.failed) throw this.failed;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const closed = new Promise((r) => this.child.once("close", r));
    this.child.stdin.end("\\q\n");
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

// ---------------------------------------------------------------------------------------------
// State of what a sample made (for the same-result check) and its cleanup.

/** The catalog state of the tenants `names`, each row with its tenant's name replaced by `T`, sorted. */
async function stateOf(admin: (db: string) => SqlConnection, mode: Mode, names: string[]): Promise<string[]> {
  const rows: string[] = [];
  const add = (name: string, kind: string, row: unknown) => rows.push(`${kind} ${JSON.stringify(row).split(name).join("T")}`);
  await withClient(admin("postgres"), async (c) => {
    const roles = await c.query(
      `SELECT rolname, rolcanlogin, rolconnlimit, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,
              split_part(rolpassword, '$', 1) AS pw,
              array(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = a.oid ORDER BY 1) AS member_of,
              array(SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE m.roleid = a.oid ORDER BY 1) AS members
         FROM pg_authid a WHERE rolname = ANY($1)`,
      [names],
    );
    for (const r of roles.rows) add(r.rolname, "role", r);
    if (mode === "database_per_tenant") {
      const dbs = await c.query("SELECT datname, pg_get_userbyid(datdba) AS owner, datconnlimit, datallowconn, datacl::text AS acl FROM pg_database WHERE datname = ANY($1)", [names]);
      for (const r of dbs.rows) add(r.datname, "database", r);
    }
  });
  if (mode === "schema_per_tenant") {
    await withClient(admin("app"), async (c) => {
      const schemas = await c.query(
        `SELECT n.nspname, pg_get_userbyid(n.nspowner) AS owner, n.nspacl::text AS acl,
                (SELECT setconfig::text FROM pg_db_role_setting s WHERE s.setrole = n.nspowner AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())) AS settings,
                array(SELECT d.defaclobjtype::text || ':' || d.defaclacl::text FROM pg_default_acl d WHERE d.defaclrole = n.nspowner ORDER BY 1) AS default_acl,
                has_database_privilege(n.nspowner, current_database(), 'CONNECT') AS can_connect
           FROM pg_namespace n WHERE n.nspname = ANY($1)`,
        [names],
      );
      for (const r of schemas.rows) add(r.nspname, "schema", r);
      const pub = await c.query("SELECT nspacl::text AS acl FROM pg_namespace WHERE nspname = 'public'");
      rows.push(`public ${JSON.stringify(pub.rows)}`);
    });
  }
  return rows.sort();
}

/** Drops what a sample made: databases (or schemas), then the roles with what they still own or hold. */
async function dropTenants(admin: (db: string) => SqlConnection, mode: Mode, names: string[]): Promise<void> {
  const { Client } = require("pg");
  const run = async (database: string, fn: (c: any) => Promise<void>) => {
    const a = admin(database);
    const c = new Client({ host: a.host, port: a.port, user: a.user, password: a.password, database });
    c.on("error", () => undefined);
    await c.connect();
    try {
      await fn(c);
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  const ids = (c: any, list: string[]) => list.map((n) => c.escapeIdentifier(n)).join(", ");
  const existing = (c: any, table: string, column: string) => c.query(`SELECT ${column} AS n FROM ${table} WHERE ${column} = ANY($1)`, [names]).then((r: any) => r.rows.map((x: any) => x.n as string));
  if (mode === "database_per_tenant") {
    await run("postgres", async (c) => {
      for (const d of await existing(c, "pg_database", "datname")) await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(d)} WITH (FORCE)`);
    });
  }
  await run("app", async (c) => {
    const roles = await existing(c, "pg_roles", "rolname");
    if (roles.length > 0) await c.query(`DROP OWNED BY ${ids(c, roles)} CASCADE`);
  });
  await run("postgres", async (c) => {
    const roles = await existing(c, "pg_roles", "rolname");
    if (roles.length === 0) return;
    await c.query(`DROP OWNED BY ${ids(c, roles)} CASCADE`);
    for (const r of roles) await c.query(`DROP ROLE IF EXISTS ${c.escapeIdentifier(r)}`);
  });
}

/** Flushes the server's and the kernel's dirty pages, so a timed mode does not pay for the previous one's writes. */
async function settle(admin: (db: string) => SqlConnection): Promise<void> {
  await withClient(admin("postgres"), (c) => c.query("CHECKPOINT"));
  execFileSync("sync", { stdio: "ignore" });
}

// ---------------------------------------------------------------------------------------------
// The timed samples.

interface SideSample {
  seconds: Record<Mode, number>;
  statements: Record<Mode, number>;
  state: Record<Mode, string[]>;
}

interface Env {
  pg: BenchServer;
  admin: (db: string) => SqlConnection;
  templates: Record<Mode, Template>;
}

/** Opens (or keeps open) the pool's connection to each database the mode uses, as the floor's session is open before its clock. */
async function warmPools(env: Env, mode: Mode): Promise<void> {
  for (const db of mode === "database_per_tenant" ? ["postgres"] : ["postgres", "app"]) await withClient(env.admin(db), (c) => c.query("SELECT 1"));
}

async function oursMode(env: Env, mode: Mode, tenants: Tenant[]): Promise<{ seconds: number; statements: number }> {
  await settle(env.admin);
  await warmPools(env, mode);
  statementCount = 0;
  const t0 = now();
  for (const t of tenants) await createThroughProviders(env.admin, mode, { ...t, password: randomPassword(32) });
  const seconds = now() - t0;
  return { seconds, statements: statementCount };
}

async function floorMode(env: Env, session: Psql, mode: Mode, tenants: Tenant[]): Promise<{ seconds: number; statements: number }> {
  const template = env.templates[mode];
  await settle(env.admin);
  await session.sync("settled");
  let statements = 0;
  const t0 = now();
  for (const t of tenants) {
    const password = randomPassword(32);
    const sql = template.statements.map((s) => instantiate(s, template.captured, t, () => scramVerifier(password))).join("");
    statements += template.statements.length;
    await session.write(sql);
  }
  await session.sync(SHORT[mode]);
  const seconds = now() - t0;
  return { seconds, statements };
}

async function sideSample(env: Env, side: Side, round: number): Promise<SideSample> {
  const sample: SideSample = { seconds: {} as any, statements: {} as any, state: {} as any };
  const made: { mode: Mode; names: string[] }[] = [];
  const cleanup = track(async () => {
    for (const m of made) await dropTenants(env.admin, m.mode, m.names);
  });
  let session: Psql | undefined;
  const closeSession = track(async () => session?.kill());
  try {
    if (side === "floor") session = await Psql.open(env.pg, "app");
    for (const mode of MODES) {
      const tenants = tenantsFor(`p2_r${round}_${side === "ours" ? "o" : "f"}_${SHORT[mode]}`, TENANTS_PER_MODE);
      made.push({ mode, names: tenants.map((t) => t.name) });
      const r = side === "ours" ? await oursMode(env, mode, tenants) : await floorMode(env, session!, mode, tenants);
      sample.seconds[mode] = r.seconds;
      sample.statements[mode] = r.statements;
      sample.state[mode] = await stateOf(env.admin, mode, tenants.map((t) => t.name));
    }
    return sample;
  } finally {
    await session?.close();
    await closeSession();
    await cleanup();
  }
}

// ---------------------------------------------------------------------------------------------
// Profiling pass (untimed): where each side's time goes, statement by statement.

/** Groups a statement by what it does: its first words, identifiers and literals elided. */
function statementKind(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  const m = /^(SELECT|CREATE ROLE|CREATE DATABASE|CREATE SCHEMA|ALTER DATABASE \S+ (OWNER|CONNECTION LIMIT|ALLOW_CONNECTIONS)|ALTER DEFAULT PRIVILEGES|ALTER ROLE \S+ IN DATABASE|GRANT CONNECT|GRANT|REVOKE ALL|REVOKE|BEGIN|COMMIT)/i.exec(t);
  if (!m) return t.slice(0, 40);
  if (m[1].toUpperCase() === "SELECT") {
    if (/pg_advisory_xact_lock/.test(t)) return "SELECT pg_advisory_xact_lock";
    if (/aclexplode/.test(t)) return "SELECT aclexplode (readAcl)";
    if (/pg_get_userbyid\(\w+\) AS owner FROM/.test(t)) return "SELECT owner (readAcl)";
    if (/pg_auth_members/.test(t)) return "SELECT memberships";
    if (/rolpassword FROM pg_authid/.test(t)) return "SELECT rolpassword";
    if (/rolcanlogin/.test(t)) return "SELECT role attributes";
    if (/rolsuper AND/.test(t)) return "SELECT superusers";
    if (/pg_database_size/.test(t)) return "SELECT pg_database_size";
    if (/pg_db_role_setting/.test(t)) return "SELECT search_path";
    return `SELECT exists (${/FROM (\w+)/.exec(t)?.[1]})`;
  }
  return m[1].replace(/ \S+ (OWNER|CONNECTION LIMIT|ALLOW_CONNECTIONS)$/i, (_, w) => ` ${w}`).replace(/ALTER ROLE \S+ IN DATABASE/i, "ALTER ROLE IN DATABASE");
}

/** The cost of one round trip by itself: the same cheap statement, sequentially, through each client. */
async function roundTrips(env: Env): Promise<void> {
  const n = 2000;
  const param = "SELECT 1 FROM pg_roles WHERE rolname = $1";
  const inline = "SELECT 1 FROM pg_roles WHERE rolname = 'postgres'";
  const admin = env.admin("postgres");
  const timed = async (fn: () => Promise<unknown>) => {
    const t0 = now();
    for (let k = 0; k < n; k++) await fn();
    return ((now() - t0) / n) * 1000;
  };
  const extended = await withClient(admin, (c) => timed(() => c.query(param, ["postgres"])));
  const simple = await withClient(admin, (c) => timed(() => c.query(inline)));
  const checkout = await timed(() => withClient(admin, (c) => c.query(param, ["postgres"])));
  const session = await Psql.open(env.pg, "postgres");
  const closeSession = track(async () => session.kill());
  let psql = 0;
  try {
    await session.sync("idle");
    const t0 = now();
    await session.write(`${inline};\n`.repeat(n));
    await session.sync("round-trips");
    psql = ((now() - t0) / n) * 1000;
  } finally {
    await session.close();
    await closeSession();
  }
  note(
    `P2 profile one round trip (\`${inline}\`, ${n} in a row): psql ${psql.toFixed(3)} ms; node-pg on one client ${simple.toFixed(3)} ms (simple protocol), ` +
      `${extended.toFixed(3)} ms (with a parameter: extended protocol, as the providers send most reads); with a pool checkout per statement ${checkout.toFixed(3)} ms`,
  );
}

async function profile(env: Env): Promise<void> {
  await roundTrips(env);
  for (const mode of MODES) {
    // Ours: each statement's latency as the driver's caller sees it; the rest is the provider's own time.
    const perKind = new Map<string, { n: number; s: number }>();
    let inQueries = 0;
    const tenants = tenantsFor(`p2_prof_o_${SHORT[mode]}`, PROFILE_TENANTS);
    let oursTotal = 0;
    const v0 = now();
    for (let k = 0; k < 20; k++) scramVerifier(randomPassword(32));
    const verifier = (now() - v0) / 20;
    try {
      await settle(env.admin);
      await warmPools(env, mode);
      listener = (s, done) => {
        const t0 = now();
        void Promise.resolve(done).then(
          () => {
            const dt = now() - t0;
            inQueries += dt;
            const k = statementKind(s.text);
            const e = perKind.get(k) ?? { n: 0, s: 0 };
            e.n++;
            e.s += dt;
            perKind.set(k, e);
          },
          () => undefined,
        );
      };
      const before = statementCount;
      const t0 = now();
      for (const t of tenants) await createThroughProviders(env.admin, mode, { ...t, password: randomPassword(32) });
      oursTotal = now() - t0;
      const n = statementCount - before;
      note(
        `P2 profile ${mode}, ours: ${(oursTotal / PROFILE_TENANTS * 1000).toFixed(2)} ms/tenant = ${n / PROFILE_TENANTS} statements ` +
          `(${(inQueries / PROFILE_TENANTS * 1000).toFixed(2)} ms awaiting the driver, ${((inQueries / n) * 1000).toFixed(3)} ms/statement) + ` +
          `${((oursTotal - inQueries) / PROFILE_TENANTS * 1000).toFixed(2)} ms in the providers between statements (one SCRAM verifier: ${(verifier * 1000).toFixed(2)} ms)`,
      );
    } finally {
      listener = undefined;
      await dropTenants(env.admin, mode, tenants.map((t) => t.name));
    }
    // Floor: psql's own per-statement timing (\timing), the same statements one at a time.
    const ftenants = tenantsFor(`p2_prof_f_${SHORT[mode]}`, PROFILE_TENANTS);
    const session = await Psql.open(env.pg, "app");
    const closeSession = track(async () => session.kill());
    const floorKind = new Map<string, { n: number; s: number }>();
    try {
      await settle(env.admin);
      const template = env.templates[mode];
      // psql prints `Time: 0.123 ms` after each statement; \o does not capture it, so collect it from stdout.
      const times: number[] = [];
      const onData = (d: string) => {
        for (const m of d.matchAll(/Time: ([0-9.]+) ms/g)) times.push(Number(m[1]) / 1000);
      };
      (session as any).child.stdout.on("data", onData);
      await session.write("\\timing on\n");
      const order: string[] = [];
      const t0 = now();
      for (const t of ftenants) {
        const password = randomPassword(32);
        for (const s of template.statements) order.push(statementKind(s.text));
        await session.write(template.statements.map((s) => instantiate(s, template.captured, t, () => scramVerifier(password))).join(""));
      }
      await session.sync("profiled");
      const floorTotal = now() - t0;
      (session as any).child.stdout.off("data", onData);
      order.forEach((k, i) => {
        const e = floorKind.get(k) ?? { n: 0, s: 0 };
        e.n++;
        e.s += times[i] ?? 0;
        floorKind.set(k, e);
      });
      const inStatements = times.reduce((a, b) => a + b, 0);
      note(
        `P2 profile ${mode}, floor: ${(floorTotal / PROFILE_TENANTS * 1000).toFixed(2)} ms/tenant = ${template.statements.length} statements ` +
          `(${(inStatements / PROFILE_TENANTS * 1000).toFixed(2)} ms by psql's \\timing, ${((inStatements / order.length) * 1000).toFixed(3)} ms/statement)`,
      );
      const kinds = [...new Set([...perKind.keys(), ...floorKind.keys()])].sort((a, b) => (perKind.get(b)?.s ?? 0) - (perKind.get(a)?.s ?? 0));
      for (const k of kinds) {
        const o = perKind.get(k) ?? { n: 0, s: 0 };
        const f = floorKind.get(k) ?? { n: 0, s: 0 };
        note(
          `P2 profile ${mode}   ${k.padEnd(34)} ${String(o.n / PROFILE_TENANTS).padStart(4)}/tenant  ours ${(o.n ? (o.s / o.n) * 1000 : 0).toFixed(3)} ms each, ` +
            `floor ${(f.n ? (f.s / f.n) * 1000 : 0).toFixed(3)} ms each`,
        );
      }
    } finally {
      await session.close();
      await closeSession();
      await dropTenants(env.admin, mode, ftenants.map((t) => t.name));
    }
  }
}

// ---------------------------------------------------------------------------------------------

function describeTemplate(mode: Mode, t: Template): string {
  const lines = t.statements.map((s, i) => {
    const text = s.text.replace(/\s+/g, " ").replace(VERIFIER, "'<SCRAM verifier>'").split(t.captured).join("<tenant>");
    return `    ${String(i + 1).padStart(2)}. ${text.length > 150 ? `${text.slice(0, 147)}...` : text}${s.values.length ? `  [${s.values.length} param${s.values.length > 1 ? "s" : ""}]` : ""}`;
  });
  return `P2 ${mode}: ${t.statements.length} statements per tenant, captured from the providers:\n${lines.join("\n")}`;
}

async function run(): Promise<Figure> {
  const version = process.env.PGPLATFORM_BENCH_VERSION || "15";
  const rounds = roundsFromEnv(3);
  const unwrap = wrapDriver();
  let pg: BenchServer | undefined;
  const stop = track(async () => {
    await closePools();
    unwrap();
    await pg?.stop();
  });
  try {
    pg = await startBenchServer(version);
    const server = pg;
    const admin = (database: string): SqlConnection => ({ host: server.host, port: server.port, user: server.superuser, password: server.password, database });
    const psqlVersion = execFileSync(PSQL, ["--version"], { encoding: "utf8" }).trim();
    note(`P2: PostgreSQL ${version} on 127.0.0.1:${pg.port} (${pg.dataDir}); ${psqlVersion}; ${TENANTS_PER_MODE} tenants per mode per side, ${rounds} rounds`);

    // Warm-up (untimed): the first tenant of each mode creates the tenant group and revokes PUBLIC on schema public; then capture the steady state.
    const templates = {} as Record<Mode, Template>;
    for (const mode of MODES) {
      await createThroughProviders(admin, mode, { name: `p2_warm_${SHORT[mode]}`, password: randomPassword(32), connectionLimit: -1 });
      templates[mode] = await capture(admin, mode, `p2_capture_${SHORT[mode]}`);
      note(describeTemplate(mode, templates[mode]));
    }
    const env: Env = { pg, admin, templates };

    const secs: Record<Side, Record<Mode, number[]>> = { ours: { database_per_tenant: [], schema_per_tenant: [] }, floor: { database_per_tenant: [], schema_per_tenant: [] } };
    const rate = (s: Record<Mode, number>) => (TENANTS_PER_MODE * MODES.length) / MODES.reduce((a, m) => a + s[m], 0);
    const rates: Record<Side, number[]> = { ours: [], floor: [] };
    for (let i = 1; i <= rounds; i++) {
      const order: Side[] = i % 2 === 1 ? ["ours", "floor"] : ["floor", "ours"];
      const got = {} as Record<Side, SideSample>;
      for (const side of order) got[side] = await sideSample(env, side, i);
      for (const mode of MODES) {
        if (got.ours.statements[mode] !== got.floor.statements[mode]) {
          throw new Error(`P2 round ${i} ${mode}: ours ran ${got.ours.statements[mode]} statements, the floor ${got.floor.statements[mode]}`);
        }
        const [o, f] = [got.ours.state[mode], got.floor.state[mode]];
        const diff = o.findIndex((row, k) => row !== f[k]);
        if (o.length !== f.length || diff >= 0) {
          throw new Error(`P2 round ${i} ${mode}: ours and the floor left different catalog states; first difference:\n  ours:  ${o[diff] ?? "(none)"}\n  floor: ${f[diff] ?? "(none)"}`);
        }
      }
      for (const side of ["ours", "floor"] as const) {
        for (const mode of MODES) secs[side][mode].push(got[side].seconds[mode]);
        rates[side].push(rate(got[side].seconds));
      }
      const fmt = (side: Side) =>
        `${side} ${rates[side][i - 1].toFixed(1)} tenants/s (${MODES.map((m) => `${SHORT[m]} ${got[side].seconds[m].toFixed(2)} s`).join(", ")})`;
      note(`P2 round ${i}/${rounds} (${order[0]} first): ${fmt("ours")}; ${fmt("floor")}; same statements (${MODES.map((m) => got.ours.statements[m]).join(" + ")}) and same catalog state`);
    }

    await profile(env);

    const modeRatio = (m: Mode) => median(secs.floor[m]) / median(secs.ours[m]); // rates: (n / ours) / (n / floor)
    return {
      ours: median(rates.ours),
      floor: median(rates.floor),
      rounds,
      unit: "tenants/s",
      samples: rates,
      details: MODES.map((m) => `${m} ${modeRatio(m).toFixed(2)}`).join(", "),
    };
  } finally {
    await stop();
  }
}

export const p2: BenchFigure = { id: "P2", name: "tenant-create-throughput", run };
