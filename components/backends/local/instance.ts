/**
 * The on-disk layout of one local server and the process operations on it: initdb, start,
 * restart, stop. `<dataRoot>/<resourceId>/` holds `data/` (PGDATA), `log/postgres.log` and the
 * `pgplatform.json` marker written once the server is fully created.
 */
import * as fs from "fs";
import * as path from "path";
import { ServerBinaries } from "./binaries";
import { ServerConfig, renderConf, renderHba, renderIdent } from "./config";
import { chownTree, runOrThrow, runningPostmaster } from "./process";
import { ServiceUser, unreachableAncestor } from "./serviceUser";

export interface InstancePaths {
  instanceDir: string;
  dataDir: string;
  logFile: string;
  marker: string;
}

/**
 * The private (0700) directory of a server's Unix socket, when it has backup access:
 * `<dataRoot>/.sockets/<16 hex of its id>`, short whatever the id, since a socket path is at most 107 bytes.
 */
export function socketDirOf(p: Pick<InstancePaths, "instanceDir">): string {
  const id = path.basename(p.instanceDir);
  return path.join(path.dirname(p.instanceDir), ".sockets", require("crypto").createHash("sha256").update(id).digest("hex").slice(0, 16));
}

/** pgBackRest's files for a server: its configuration (written by a BackupPolicy), logs, locks, the scheduler's state. */
export function backupDirOf(p: Pick<InstancePaths, "instanceDir">): string {
  return path.join(p.instanceDir, "backup");
}

export function instancePaths(dataRoot: string, resourceId: string): InstancePaths {
  const instanceDir = path.join(dataRoot, resourceId);
  return {
    instanceDir,
    dataDir: path.join(instanceDir, "data"),
    logFile: path.join(instanceDir, "log", "postgres.log"),
    marker: path.join(instanceDir, "pgplatform.json"),
  };
}

/** Creates the data root when missing and checks the service user can reach it. */
export function prepareDataRoot(dataRoot: string, user: ServiceUser): void {
  if (!fs.existsSync(dataRoot)) {
    fs.mkdirSync(dataRoot, { recursive: true, mode: 0o755 });
    fs.chmodSync(dataRoot, 0o755);
  }
  const blocked = unreachableAncestor(dataRoot, user);
  if (blocked) {
    const mode = (fs.statSync(blocked).mode & 0o777).toString(8).padStart(4, "0");
    throw new Error(
      `\`local.dataRoot\` ${JSON.stringify(dataRoot)} is not reachable by the user \`${user.name}\` that runs PostgreSQL ` +
        `(${blocked} has mode ${mode}); choose a directory it can reach, such as /var/lib/pgplatform, or set stack config \`pgplatform:localDataRoot\``,
    );
  }
}

/**
 * The binaries' directory as the service user can use it: where they are, or a copy under
 * `<dataRoot>/.binaries/` when their location is not reachable (npm packages under /root).
 */
export function usableBinDir(bins: ServerBinaries, dataRoot: string, user: ServiceUser): string {
  if (!unreachableAncestor(path.join(bins.binDir, "postgres"), user)) return bins.binDir;
  const home = path.dirname(bins.binDir); // the package's native/ folder: bin, lib, share
  const target = path.join(dataRoot, ".binaries", `pg${bins.major}-${require("crypto").createHash("sha256").update(home).digest("hex").slice(0, 12)}`);
  if (!fs.existsSync(path.join(target, "bin", "postgres"))) {
    const staging = `${target}.tmp-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.cpSync(home, staging, { recursive: true, verbatimSymlinks: true });
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
    fs.chmodSync(path.join(dataRoot, ".binaries"), 0o755);
  }
  return path.join(target, "bin");
}

/** initdb with SCRAM for local and host connections; the superuser password goes through a 0600 file, removed at once. */
export async function initCluster(binDir: string, p: InstancePaths, user: ServiceUser, superuser: string, superuserPassword: string): Promise<void> {
  fs.mkdirSync(path.dirname(p.logFile), { recursive: true, mode: 0o700 });
  fs.chmodSync(p.instanceDir, 0o700);
  chownTree(p.instanceDir, user);
  const pwfile = path.join(p.instanceDir, ".pwfile");
  fs.writeFileSync(pwfile, superuserPassword, { mode: 0o600 });
  chownTree(pwfile, user);
  try {
    await runOrThrow(
      path.join(binDir, "initdb"),
      ["-D", p.dataDir, "-U", superuser, `--pwfile=${pwfile}`, "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--data-checksums"],
      user,
      "initdb",
      { cwd: p.instanceDir },
    );
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
  fs.appendFileSync(path.join(p.dataDir, "postgresql.conf"), "\n# pgplatform's settings come last and win\ninclude = 'pgplatform.conf'\n");
}

/** The lower-cased setting name a configuration line sets, if any. */
function settingName(line: string): string | undefined {
  return /^\s*([A-Za-z_][\w.]*)\s*=/.exec(line)?.[1].toLowerCase();
}

/**
 * Writes pgplatform.conf and pg_hba.conf from `c`, owned by the service user, and drops the
 * `ALTER SYSTEM` overrides of the settings pgplatform.conf manages from postgresql.auto.conf,
 * which is read last and would otherwise win (PostgreSQL lets external tools edit that file).
 */
export function writeConfig(p: InstancePaths, c: ServerConfig, user: ServiceUser): void {
  const conf = renderConf(c);
  const managed = new Set(conf.split("\n").flatMap((line) => settingName(line) ?? []));
  const auto = path.join(p.dataDir, "postgresql.auto.conf");
  const overrides = fs.existsSync(auto) ? fs.readFileSync(auto, "utf8").split("\n") : [];
  const kept = overrides.filter((line) => !managed.has(settingName(line) ?? ""));
  const files: [string, string][] = [
    ["pgplatform.conf", conf],
    ["pg_hba.conf", renderHba(c)],
    ["pg_ident.conf", renderIdent(c)],
  ];
  if (c.backupAccess) {
    // A Unix socket path is at most 107 bytes: say so now rather than let the server refuse to start.
    const socket = path.join(c.backupAccess.socketDir, `.s.PGSQL.${c.port}`);
    if (Buffer.byteLength(socket) > 107) {
      throw new Error(`the server's socket path ${socket} is longer than the 107 bytes a Unix socket allows; choose a shorter \`local.dataRoot\``);
    }
    fs.mkdirSync(path.dirname(c.backupAccess.socketDir), { recursive: true, mode: 0o755 });
    fs.mkdirSync(c.backupAccess.socketDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(c.backupAccess.socketDir, 0o700);
    chownTree(c.backupAccess.socketDir, user);
  }
  if (kept.length < overrides.length) files.push(["postgresql.auto.conf", kept.join("\n")]);
  for (const [file, text] of files) {
    const target = path.join(p.dataDir, file);
    fs.writeFileSync(target, text, { mode: 0o600 });
    chownTree(target, user);
  }
}

/** Starts the server and waits until it accepts connections. */
export async function startServer(binDir: string, p: InstancePaths, user: ServiceUser): Promise<void> {
  // A postmaster killed out of band stays a zombie where no init reaps orphans (containers), and
  // PostgreSQL takes the zombie's pid in a stale postmaster.pid for a live server and refuses to start.
  if (!runningPostmaster(p.dataDir)) fs.rmSync(path.join(p.dataDir, "postmaster.pid"), { force: true });
  await runOrThrow(path.join(binDir, "pg_ctl"), ["-D", p.dataDir, "-l", p.logFile, "-w", "-t", "60", "-s", "start"], user, "pg_ctl start", {
    cwd: p.instanceDir,
  }).catch((err) => {
    throw new Error(`${err.message}\n${lastLogLines(p)}`);
  });
}

/** Restarts the server (fast shutdown) and waits until it accepts connections. */
export async function restartServer(binDir: string, p: InstancePaths, user: ServiceUser): Promise<void> {
  await runOrThrow(path.join(binDir, "pg_ctl"), ["-D", p.dataDir, "-l", p.logFile, "-w", "-t", "60", "-m", "fast", "-s", "restart"], user, "pg_ctl restart", {
    cwd: p.instanceDir,
  }).catch((err) => {
    throw new Error(`${err.message}\n${lastLogLines(p)}`);
  });
}

/** Asks the server to re-read its configuration files. */
export async function reloadServer(binDir: string, p: InstancePaths, user: ServiceUser): Promise<void> {
  await runOrThrow(path.join(binDir, "pg_ctl"), ["-D", p.dataDir, "-s", "reload"], user, "pg_ctl reload", { cwd: p.instanceDir });
}

/**
 * Stops the server if it runs: a fast shutdown (SIGINT), then an immediate one (SIGQUIT) and
 * SIGKILL if it does not go. Needs no binaries, so it works even when they were removed.
 */
export async function stopServer(p: InstancePaths, timeoutMs = 30_000): Promise<void> {
  const pm = runningPostmaster(p.dataDir);
  if (!pm) return;
  const gone = async (ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!runningPostmaster(p.dataDir)) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return !runningPostmaster(p.dataDir);
  };
  for (const [signal, ms] of [
    ["SIGINT", timeoutMs],
    ["SIGQUIT", 5_000],
    ["SIGKILL", 5_000],
  ] as const) {
    try {
      process.kill(pm.pid, signal);
    } catch {
      return;
    }
    if (await gone(ms)) return;
  }
  throw new Error(`the PostgreSQL server of ${p.instanceDir} (pid ${pm.pid}) did not stop`);
}

/** The last lines of the server log, to explain a failed start. */
export function lastLogLines(p: InstancePaths, n = 8): string {
  try {
    return fs.readFileSync(p.logFile, "utf8").trim().split("\n").slice(-n).join("\n");
  } catch {
    return "(no server log)";
  }
}
