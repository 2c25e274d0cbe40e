/**
 * A throwaway real PostgreSQL on 127.0.0.1 for tests: a temp data root, a free port, random
 * passwords; `stop()` stops it and removes every file. Built on the local back end's own server
 * code, so it runs as the `postgres` system user when the tests run as root.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalServerSpec, createServer, destroyServer } from "../../components/backends/local/server";
import { PROJECT_ROOT } from "./providerHost";

export interface TestPostgres {
  host: string;
  port: number;
  /** The superuser and its password. */
  superuser: string;
  password: string;
  /** An application database and its owner. */
  database: string;
  appUser: string;
  appPassword: string;
  /** Superuser URI to the `postgres` database. */
  adminUri: string;
  /** Application URI. */
  appUri: string;
  dataRoot: string;
  dataDir: string;
  spec: LocalServerSpec;
  stop(): Promise<void>;
}

/** A random password of letters and digits. */
export function randomPassword(length = 24): string {
  return crypto.randomBytes(length).toString("base64").replace(/[^A-Za-z0-9]/g, "").slice(0, length).padEnd(length, "x");
}

/** A fresh temp directory the PostgreSQL service user can reach (mode 0755). */
export function tempRoot(prefix = "pgplatform-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** Starts a throwaway server; `version` defaults to 15 (Debian's). */
export async function startTestPostgres(opts: { version?: string; parameters?: Record<string, string> } = {}): Promise<TestPostgres> {
  const dataRoot = tempRoot();
  const spec: LocalServerSpec = {
    resourceId: `fixture-${crypto.randomBytes(4).toString("hex")}`,
    version: opts.version ?? "15",
    dataRoot,
    allowedCidrs: ["127.0.0.1/32"],
    superuser: "postgres",
    superuserPassword: randomPassword(),
    databaseName: "app",
    username: "app",
    password: randomPassword(),
    parameters: { max_connections: "40", shared_buffers: "32MB", ...opts.parameters },
    binarySearchPaths: [PROJECT_ROOT],
  };
  try {
    const state = await createServer(spec);
    const uri = (user: string, pw: string, db: string) => `postgresql://${user}:${pw}@127.0.0.1:${state.port}/${db}`;
    return {
      host: "127.0.0.1",
      port: state.port,
      superuser: spec.superuser,
      password: spec.superuserPassword,
      database: spec.databaseName,
      appUser: spec.username,
      appPassword: spec.password,
      adminUri: uri(spec.superuser, spec.superuserPassword, "postgres"),
      appUri: uri(spec.username, spec.password, spec.databaseName),
      dataRoot,
      dataDir: state.dataDir,
      spec,
      async stop() {
        await destroyServer(dataRoot, spec.resourceId);
        fs.rmSync(dataRoot, { recursive: true, force: true });
      },
    };
  } catch (err) {
    fs.rmSync(dataRoot, { recursive: true, force: true });
    throw err;
  }
}

/** Runs one query on `uri` and returns its rows. */
export async function query(uri: string, sql: string, params: unknown[] = []): Promise<any[]> {
  const { Client } = require("pg");
  const client = new Client({ connectionString: uri, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Pids of live (non-zombie) processes whose command line mentions `needle`. */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const state = /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${entry}/status`, "utf8"))?.[1];
      if (cmd.includes(needle) && state !== "Z") out.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}
