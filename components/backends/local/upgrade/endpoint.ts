/**
 * The stable endpoint of a blue-green upgrade on the local back end: a PgBouncer (Debian's
 * `/usr/sbin/pgbouncer`) on 127.0.0.1 that the application connects to, in transaction pooling, with
 * one database entry pointing at the side that serves now. A cut-over is `PAUSE <db>` (PgBouncer
 * waits for the running transactions to end and holds every new one), the entry rewritten,
 * `RELOAD`, `RESUME <db>`: clients keep their connections and see a short wait, not an error.
 *
 * Files live in `<dataRoot>/<endpointId>/` (mode 0700, owned by the service user): `pgbouncer.ini`,
 * `userlist.txt` (the application's and the console's passwords, mode 0600, as a .pgpass holds
 * them: PgBouncer needs them in clear to log in to the servers), `pgbouncer.pid`, `pgbouncer.log`.
 * PgBouncer runs as a daemon, as the service user, so it outlives the `pulumi up` that started it.
 * Pure Node + `pg` (required inside functions): the upgrade provider serializes it.
 */
import * as fs from "fs";
import * as path from "path";
import { chownTree, execTool, freePort } from "../process";
import { ServiceUser, serviceUser } from "../serviceUser";

/** Where PgBouncer comes from (Debian's `pgbouncer` package), unless `PGPLATFORM_PGBOUNCER` names another binary. */
export function pgbouncerBinary(): string {
  const bin = process.env.PGPLATFORM_PGBOUNCER || "/usr/sbin/pgbouncer";
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`the stable endpoint of a blue-green upgrade needs PgBouncer, and ${bin} was not found; install it with \`apt-get install pgbouncer\` or point PGPLATFORM_PGBOUNCER at the binary`);
  }
  return bin;
}

/** The console user of every endpoint (it only ever logs in to PgBouncer's own `pgbouncer` database). */
export const CONSOLE_USER = "pgplatform_endpoint";

/** One side the endpoint can point at: the server and the login PgBouncer uses there. */
export interface EndpointTarget {
  port: number;
  user: string;
  password: string;
}

/** What defines an endpoint. Passwords are plaintext here and never logged. */
export interface EndpointSpec {
  /** Directory name under `dataRoot`. */
  id: string;
  dataRoot: string;
  runAs?: string;
  /** Port to listen on; undefined = a free port chosen at create. */
  port?: number;
  /** The application's database (the only one the endpoint serves). */
  database: string;
  /** The application's login at the endpoint: what the application keeps through the cut-over. */
  clientUser: string;
  clientPassword: string;
  /** The console's password. */
  consolePassword: string;
  /** Clients PgBouncer accepts; server connections per side. */
  maxClientConnections?: number;
  poolSize?: number;
}

/** The files of an endpoint. */
export function endpointPaths(dataRoot: string, id: string) {
  const dir = path.join(dataRoot, id);
  return { dir, ini: path.join(dir, "pgbouncer.ini"), users: path.join(dir, "userlist.txt"), pid: path.join(dir, "pgbouncer.pid"), log: path.join(dir, "pgbouncer.log") };
}

function quoteUser(v: string): string {
  return `"${v.replace(/"/g, '""')}"`;
}

function assertConnstrValue(v: string, what: string): void {
  if (!/^[^\s'"\\]+$/.test(v)) throw new Error(`${what} must have no spaces, quotes or backslashes to go into PgBouncer's database entry`);
}

/** pgbouncer.ini for `spec` pointing at `target`. */
export function renderIni(spec: EndpointSpec, port: number, target: EndpointTarget): string {
  const p = endpointPaths(spec.dataRoot, spec.id);
  assertConnstrValue(spec.database, "the database name");
  assertConnstrValue(target.user, "the server user");
  assertConnstrValue(target.password, "the server password");
  return [
    "; Managed by pgplatform (the stable endpoint of a blue-green upgrade): rewritten at every cut-over.",
    "[databases]",
    `${spec.database} = host=127.0.0.1 port=${target.port} dbname=${spec.database} user=${target.user} password=${target.password}`,
    "",
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${port}`,
    "unix_socket_dir =",
    "auth_type = scram-sha-256",
    `auth_file = ${p.users}`,
    `admin_users = ${CONSOLE_USER}`,
    "pool_mode = transaction",
    `max_client_conn = ${spec.maxClientConnections ?? 200}`,
    `default_pool_size = ${spec.poolSize ?? 20}`,
    "ignore_startup_parameters = extra_float_digits,options",
    "query_wait_timeout = 300",
    "server_connect_timeout = 5",
    "server_login_retry = 1",
    `logfile = ${p.log}`,
    `pidfile = ${p.pid}`,
    "",
  ].join("\n");
}

function renderUsers(spec: EndpointSpec): string {
  return `${quoteUser(spec.clientUser)} ${quoteUser(spec.clientPassword)}\n${quoteUser(CONSOLE_USER)} ${quoteUser(spec.consolePassword)}\n`;
}

function writeOwned(file: string, text: string, user: ServiceUser): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  chownTree(file, user);
}

/** The daemon's pid when it runs, else undefined. */
export function endpointPid(dataRoot: string, id: string): number | undefined {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(endpointPaths(dataRoot, id).pid, "utf8").trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    const state = /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return cmd.includes("pgbouncer") && state !== "Z" ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the files and starts the daemon pointing at `target` (unless it runs already); returns its port. */
export async function startEndpoint(spec: EndpointSpec, target: EndpointTarget, knownPort?: number): Promise<number> {
  const user = serviceUser(spec.runAs);
  const p = endpointPaths(spec.dataRoot, spec.id);
  fs.mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  chownTree(p.dir, user);
  const port = knownPort ?? spec.port ?? (await freePort());
  writeOwned(p.ini, renderIni(spec, port, target), user);
  writeOwned(p.users, renderUsers(spec), user);
  if (endpointPid(spec.dataRoot, spec.id)) return port;
  fs.rmSync(p.pid, { force: true });
  const r = await execTool(pgbouncerBinary(), ["-d", "-q", p.ini], user, { cwd: p.dir, timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`pgbouncer did not start (exit ${r.code}): ${tail(p.log, `${r.stderr}${r.stdout}`)}`);
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      await consoleCommand(port, spec.consolePassword, "SHOW VERSION");
      return port;
    } catch (err) {
      if (Date.now() > until) throw new Error(`pgbouncer on 127.0.0.1:${port} does not answer: ${(err as Error).message}; ${tail(p.log, "")}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
}

function tail(log: string, fallback: string): string {
  try {
    return fs.readFileSync(log, "utf8").trim().split("\n").slice(-5).join("\n");
  } catch {
    return fallback.trim() || "(no log)";
  }
}

/** Runs one command on PgBouncer's console (`SHOW`, `PAUSE`, `RESUME`, `RELOAD`); resolves with its rows. */
export async function consoleCommand(port: number, password: string, command: string, timeoutMs = 10_000): Promise<any[]> {
  const { Client } = require("pg");
  const client = new Client({ host: "127.0.0.1", port, user: CONSOLE_USER, password, database: "pgbouncer", connectionTimeoutMillis: timeoutMs });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await withTimeout(client.query(command).then((r: any) => r.rows ?? []), timeoutMs, `\`${command}\` on pgbouncer 127.0.0.1:${port}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}

/** Where the endpoint points now, read from its live configuration (`SHOW DATABASES`). */
export async function endpointTargetPort(port: number, consolePassword: string, database: string): Promise<number | undefined> {
  const rows = await consoleCommand(port, consolePassword, "SHOW DATABASES");
  const row = rows.find((r: any) => r.name === database);
  return row ? Number(row.port) : undefined;
}

/**
 * Pauses the application's database: resolves once every running transaction ended (new ones
 * wait in PgBouncer), or rejects at `deadline` (a `Date.now()` value), having resumed again.
 */
export async function pauseEndpoint(port: number, consolePassword: string, database: string, deadline: number): Promise<void> {
  const ms = Math.max(1, deadline - Date.now());
  try {
    await consoleCommand(port, consolePassword, `PAUSE ${database}`, ms);
  } catch (err) {
    await resumeEndpoint(port, consolePassword, database).catch(() => undefined);
    throw err;
  }
}

/** Lets the held and new transactions through again (a no-op when not paused). */
export async function resumeEndpoint(port: number, consolePassword: string, database: string): Promise<void> {
  try {
    await consoleCommand(port, consolePassword, `RESUME ${database}`);
  } catch (err) {
    if (!/not paused/i.test((err as Error).message)) throw err;
  }
}

/** Points the (paused) endpoint at `target`: the ini rewritten and reloaded. */
export async function retargetEndpoint(spec: EndpointSpec, port: number, target: EndpointTarget): Promise<void> {
  const user = serviceUser(spec.runAs);
  writeOwned(endpointPaths(spec.dataRoot, spec.id).ini, renderIni(spec, port, target), user);
  await consoleCommand(port, spec.consolePassword, "RELOAD");
}

/** Stops the daemon (SIGTERM, then SIGKILL) and removes its directory. Idempotent. */
export async function destroyEndpoint(dataRoot: string, id: string): Promise<void> {
  const pid = endpointPid(dataRoot, id);
  if (pid) {
    for (const [signal, ms] of [["SIGTERM", 5_000], ["SIGKILL", 5_000]] as const) {
      try {
        process.kill(pid, signal);
      } catch {
        break;
      }
      const until = Date.now() + ms;
      while (Date.now() < until && endpointPid(dataRoot, id)) await new Promise((r) => setTimeout(r, 50));
      if (!endpointPid(dataRoot, id)) break;
    }
  }
  fs.rmSync(endpointPaths(dataRoot, id).dir, { recursive: true, force: true });
}
