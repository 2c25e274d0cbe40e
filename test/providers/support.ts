/**
 * Shared by the local server provider tests: inputs as the LocalBackend renders them, SQL as a
 * given user against a server's outputs, and what the machine holds (postmaster pid, processes).
 */
import assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { LOCAL_SERVER_KIND, LocalServerInputs } from "../../components/providers/localServer";
import { query, randomPassword } from "../harness/postgres";
import { PROJECT_ROOT } from "../harness/providerHost";

/** What the plan parameters of a small test server are. */
export const TEST_PARAMETERS: Readonly<Record<string, string>> = {
  max_connections: "40",
  shared_buffers: "32MB",
  work_mem: "4MB",
  timezone: "UTC",
  idle_in_transaction_session_timeout: "10min",
  password_encryption: "scram-sha-256",
};

/** Inputs of a PostgreSQL 15 server under `dataRoot`, with fresh passwords and a unique resource id. */
export function serverInputs(dataRoot: string, overrides: Partial<LocalServerInputs> = {}): LocalServerInputs {
  return {
    kind: LOCAL_SERVER_KIND,
    resourceKind: "pg_single",
    resourceId: `srv-${crypto.randomBytes(4).toString("hex")}`,
    version: "15",
    dataRoot,
    runAs: "postgres",
    allowedCidrs: ["127.0.0.1/32"],
    superuser: "postgres",
    superuserPassword: randomPassword(),
    databaseName: "app",
    username: "app",
    password: randomPassword(),
    parameters: { ...TEST_PARAMETERS },
    storageGb: 10,
    binarySearchPaths: [PROJECT_ROOT],
    ...overrides,
  };
}

/** A connection URI to a server described by provider outputs (or inputs plus a port). */
export function uriOf(s: { port: number }, user: string, password: string, database: string): string {
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${s.port}/${encodeURIComponent(database)}`;
}

/** Runs `sql` as the superuser on the `postgres` database (or `database`). */
export function asSuperuser(s: { port: number; superuser: string; superuserPassword: string }, sql: string, params: unknown[] = [], database = "postgres"): Promise<any[]> {
  return query(uriOf(s, s.superuser, s.superuserPassword, database), sql, params);
}

/** Runs `sql` as the application user on its database. */
export function asApp(s: { port: number; username: string; password: string; databaseName: string }, sql: string, params: unknown[] = []): Promise<any[]> {
  return query(uriOf(s, s.username, s.password, s.databaseName), sql, params);
}

/** The value SHOW prints for a setting, asked as the superuser. */
export async function show(s: { port: number; superuser: string; superuserPassword: string }, name: string): Promise<string> {
  return (await asSuperuser(s, "SELECT current_setting($1) AS v", [name]))[0].v;
}

/** The postmaster's pid as `postmaster.pid` in the data directory records it. */
export function postmasterPid(dataDir: string): number {
  return Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
}

/** Whether `pid` is a live (non-zombie) process. */
export function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

/** Live processes whose parent is `pid` (a postmaster's backends and auxiliary processes). */
export function childrenOf(pid: number): number[] {
  return fs
    .readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        // The command name in field 2 may hold spaces; the ppid is the second field after its ")".
        const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid && alive(Number(e));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The uid a process runs as. */
export function uidOf(pid: number): number {
  return Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
}

/** Waits until `done()` holds, polling every 50 ms; fails after `ms`. */
export async function waitFor(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `fn`, expects it to throw, and returns the error after checking it names no password. */
export async function failure(fn: () => Promise<unknown>, secrets: readonly string[]): Promise<Error> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof Error, "expected an error");
  for (const s of secrets) {
    assert.ok(!caught.message.includes(s) && !String(caught.stack).includes(s), `the error names a password: ${caught.message}`);
  }
  return caught;
}
