/**
 * Long-running helper processes of the local back end (etcd, Patroni, HAProxy, PgBouncer): started
 * detached in their own session as the service user, with their output in a log file and their pid
 * in a pid file, so they outlive the program that started them; found again, and stopped, from the
 * pid file alone. Pure Node: the dynamic providers serialize it.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { chownTree } from "../process";
import { ServiceUser } from "../serviceUser";

/** A daemon as pgplatform starts it: what runs, where it logs, where its pid is kept. */
export interface DaemonSpec {
  bin: string;
  args: readonly string[];
  logFile: string;
  pidFile: string;
  /** A word that the process's command line holds (tells a reused pid from ours). */
  marker: string;
  cwd: string;
  env?: Record<string, string>;
}

/** True when `pid` is a live (not zombie) process whose command line contains `marker`. */
export function pidAlive(pid: number, marker: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    if (/^\d+ \(.*\) Z/.test(stat)) return false;
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker);
  } catch {
    return false;
  }
}

/** The pid in `pidFile` when that process is alive and is ours, else undefined. */
export function daemonPid(pidFile: string, marker: string): number | undefined {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, "utf8").trim());
  } catch {
    return undefined;
  }
  return pidAlive(pid, marker) ? pid : undefined;
}

/** Starts `d` detached as `user`; returns its pid at once (readiness is the caller's to wait for). */
export function startDaemon(d: DaemonSpec, user: ServiceUser): number {
  fs.mkdirSync(path.dirname(d.logFile), { recursive: true, mode: 0o700 });
  const log = fs.openSync(d.logFile, "a", 0o600);
  chownTree(d.logFile, user);
  try {
    const child = spawn(d.bin, d.args, {
      cwd: d.cwd,
      detached: true,
      stdio: ["ignore", log, log],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C.UTF-8", LANG: "C.UTF-8", TZ: "UTC", ...d.env },
      ...(user.switchUser ? { uid: user.uid, gid: user.gid } : {}),
    });
    child.on("error", () => undefined);
    child.unref();
    if (!child.pid) throw new Error(`could not start ${path.basename(d.bin)}`);
    fs.writeFileSync(d.pidFile, `${child.pid}\n`, { mode: 0o644 });
    return child.pid;
  } finally {
    fs.closeSync(log);
  }
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined/false, or throws `what` after `timeoutMs`. */
export async function waitUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false> | T | undefined | false, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Stops a process: `signal`, then SIGKILL after `graceMs`. Resolves once it is gone. Idempotent. */
export async function stopPid(pid: number | undefined, marker: string, signal: NodeJS.Signals = "SIGTERM", graceMs = 20_000): Promise<void> {
  if (pid === undefined || !pidAlive(pid, marker)) return;
  for (const [sig, ms] of [
    [signal, graceMs],
    ["SIGKILL", 5_000],
  ] as const) {
    try {
      process.kill(pid, sig);
    } catch {
      return;
    }
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!pidAlive(pid, marker)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  if (pidAlive(pid, marker)) throw new Error(`process ${pid} (${marker}) did not stop`);
}

/** Stops the daemon of `pidFile` (see {@link stopPid}) and removes the pid file. */
export async function stopDaemon(pidFile: string, marker: string, signal: NodeJS.Signals = "SIGTERM", graceMs = 20_000): Promise<void> {
  await stopPid(daemonPid(pidFile, marker), marker, signal, graceMs);
  fs.rmSync(pidFile, { force: true });
}

/** Writes `text` to `file` with `mode`, owned by the service user. */
export function writeOwned(file: string, text: string, user: ServiceUser, mode = 0o600): void {
  fs.writeFileSync(file, text, { mode });
  fs.chmodSync(file, mode);
  chownTree(file, user);
}

/** The last `n` lines of a log file, to explain a failed start (never holds a password: the tools do not log them). */
export function tail(file: string, n = 10): string {
  try {
    return fs.readFileSync(file, "utf8").trim().split("\n").slice(-n).join("\n");
  } catch {
    return "(no log)";
  }
}
