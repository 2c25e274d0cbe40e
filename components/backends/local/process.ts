/**
 * Runs PostgreSQL's command-line tools as the service user and reads a server's process state.
 * Nothing here puts a password on a command line or in an error.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ServiceUser } from "./serviceUser";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bin` with `args` as `user` (not named `run`: mocha defines a global `run`, and the closure serializer would then leave it out); resolves with its exit code and output (never rejects on a non-zero code). */
export function execTool(bin: string, args: readonly string[], user: ServiceUser, opts: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: opts.cwd ?? "/",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", LANG: "C", TZ: "UTC" },
      stdio: ["ignore", "pipe", "pipe"],
      ...(user.switchUser ? { uid: user.uid, gid: user.gid } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${path.basename(bin)}: ${err.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** Runs and throws, with the tool's own output, when it exits non-zero. */
export async function runOrThrow(bin: string, args: readonly string[], user: ServiceUser, what: string, opts: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const r = await execTool(bin, args, user, opts);
  if (r.code !== 0) {
    const out = `${r.stderr}${r.stdout}`.trim().split("\n").slice(-8).join("\n");
    throw new Error(`${what} failed (exit ${r.code}): ${out}`);
  }
  return r;
}

/** The postmaster's pid and port from postmaster.pid when that process is alive, else undefined. */
export function runningPostmaster(dataDir: string): { pid: number; port: number } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8");
  } catch {
    return undefined;
  }
  const lines = text.split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err: any) {
    if (err.code !== "EPERM") return undefined;
  }
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (!cmd.includes("postgres")) return undefined;
  } catch {
    /* no /proc: trust the signal check */
  }
  return { pid, port };
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  const net = require("net");
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = srv.address().port;
      srv.close(() => resolve(port));
    });
  });
}

/** Changes the owner of `target` (and what is below it) to the service user when switching users. */
export function chownTree(target: string, user: ServiceUser): void {
  if (!user.switchUser) return;
  const walk = (p: string) => {
    fs.lchownSync(p, user.uid, user.gid);
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
  };
  walk(target);
}
