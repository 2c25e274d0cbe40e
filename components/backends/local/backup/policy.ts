/**
 * A BackupPolicy on a local server, as its dynamic provider applies it: pgBackRest's configuration
 * and stanza, the detached scheduler (started, found, stopped by its pid file), backups taken now
 * (initial, on demand, safety) through the same job runner the scheduler uses, and what the
 * repository and the job log hold. Pure Node: the provider serializes it.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import type { BackupRecord } from "../../backend";
import { Cron, nextRun, parseCron } from "../../../model/cron";
import { instancePaths, socketDirOf } from "../instance";
import { runningPostmaster } from "../process";
import { serviceUser } from "../serviceUser";
import {
  BackRestInfo,
  BackRestMember,
  BackupLayout,
  assertSafePath,
  backRestOrThrow,
  backupLayout,
  findPgBackRest,
  missingPgBackRest,
  ownedDir,
  ownedFile,
  readInfo,
  renderBackRestConfig,
} from "./pgbackrest";

/** What defines a BackupPolicy on one local server (plain values, as the provider sees them). */
export interface LocalBackupSpec {
  /** The policy's name (its Pulumi name). */
  policyName: string;
  /** The target db_resource's id, also the pgBackRest stanza. */
  resourceId: string;
  dataRoot: string;
  runAs?: string;
  /** The repository directory (`repo1-path`). */
  repoPath: string;
  /** The target server's port and superuser (pgBackRest logs in over the private socket by peer authentication). */
  port: number;
  superuser: string;
  /** 5-field cron, UTC. */
  cron: string;
  retentionDays: number;
  pitr: boolean;
  fullBackupEvery: "day" | "week";
  incrementalType: "incremental" | "differential";
  /** The scheduler script shipped with the library (`scheduler.js`). */
  schedulerScript: string;
  /** A PgCluster target: every member's data directory and port (`port` is then unused). @default - a PgSingle */
  members?: BackRestMember[];
}

/** One job of the job log: a backup attempt and how it ended. */
export interface BackupJob {
  id: string;
  trigger: string;
  type: "full" | "diff" | "incr";
  startedAt: string;
  finishedAt: string;
  status: "DONE" | "FAILED";
  label?: string;
  error?: string;
}

/** What a policy really is, as {@link inspectPolicy} finds it. */
export interface LocalBackupState {
  stanza: string;
  configPath: string;
  schedulerPid: number;
  schedulerRunning: boolean;
  nextSchedule: string;
  lastSuccessful: string;
  backups: BackupRecord[];
  /** The last job of the log (a failed one carries pgBackRest's error). */
  lastJob?: BackupJob;
  status: "RUNNING" | "FAILED";
  /** Why `status` is FAILED. */
  problems: string[];
}

const TYPES: Record<string, BackupRecord["type"]> = { full: "full", diff: "differential", incr: "incremental" };
/** How many failed jobs the outputs list (the catalogue keeps them all). */
const FAILED_SHOWN = 10;

function cronOf(text: string): Cron {
  const parsed = parseCron(text);
  if (!parsed.ok) throw new Error(`\`cron\` is not a valid 5-field cron: ${parsed.faults.join("; ")}; got ${JSON.stringify(text)}`);
  return parsed.cron;
}

/** The scheduler's job description: what it reads every minute and what `once` runs. */
function scheduleOf(spec: LocalBackupSpec, layout: BackupLayout, bin: string) {
  const user = serviceUser(spec.runAs);
  return {
    pgbackrest: bin,
    config: layout.config,
    stanza: spec.resourceId,
    uid: user.uid,
    gid: user.gid,
    switchUser: user.switchUser,
    cron: cronOf(spec.cron),
    fullEvery: spec.fullBackupEvery,
    incrementalType: spec.incrementalType === "differential" ? "diff" : "incr",
    jobs: layout.jobs,
    pidFile: layout.schedulerPid,
  };
}

/**
 * Writes the schedule and pgbackrest.conf (which turns the server's archive hook on); when the
 * configuration is new or changed, creates the stanza and checks WAL archiving end to end. The
 * server must run and have been created with backup access.
 */
export async function configurePolicy(spec: LocalBackupSpec): Promise<void> {
  const bin = findPgBackRest();
  if (!bin) throw missingPgBackRest();
  assertSafePath(spec.repoPath, "`location.path`");
  const user = serviceUser(spec.runAs);
  const paths = instancePaths(spec.dataRoot, spec.resourceId);
  const what = spec.members ? "cluster" : "server";
  if (!fs.existsSync(paths.marker)) throw new Error(`the local ${what} \`${spec.resourceId}\` is not in ${paths.instanceDir}; create its ${spec.members ? "PgCluster" : "PgSingle"} first`);
  if (!fs.existsSync(socketDirOf(paths))) {
    throw new Error(`the local ${what} \`${spec.resourceId}\` was created without backup access (no ${socketDirOf(paths)}); run \`pulumi up\` with this version of pgplatform so its server is updated first`);
  }
  const layout = backupLayout(spec.dataRoot, spec.resourceId);
  ownedDir(layout.dir, user);
  for (const d of [layout.logDir, layout.lockDir, layout.spoolDir]) ownedDir(d, user);
  // An existing repository is left as it is (its owner and mode are the administrator's business).
  if (!fs.existsSync(spec.repoPath)) ownedDir(spec.repoPath, user);
  const text = renderBackRestConfig({
    stanza: spec.resourceId,
    repoPath: spec.repoPath,
    dataDir: paths.dataDir,
    port: spec.port,
    socketDir: socketDirOf(paths),
    superuser: spec.superuser,
    retentionDays: spec.retentionDays,
    layout,
    ...(spec.members ? { members: spec.members } : {}),
  });
  fs.writeFileSync(layout.schedule, JSON.stringify(scheduleOf(spec, layout, bin), null, 2) + "\n", { mode: 0o600 });
  const unchanged = fs.existsSync(layout.config) && fs.readFileSync(layout.config, "utf8") === text;
  if (unchanged) return;
  // Creating the stanza and checking archiving need the server up; an unchanged policy does not.
  const running = spec.members ? spec.members.some((m) => fs.existsSync(m.dataDir) && runningPostmaster(m.dataDir)) : runningPostmaster(paths.dataDir);
  if (!running) throw new Error(`the local ${what} \`${spec.resourceId}\` is not running (paused or stopped); resume it before its BackupPolicy is created or changed`);
  const staged = `${layout.config}.tmp`;
  ownedFile(staged, text, user);
  fs.renameSync(staged, layout.config);
  await backRestOrThrow("pgbackrest stanza-create", bin, layout.config, spec.resourceId, ["stanza-create"], user);
  await backRestOrThrow("pgbackrest check (WAL archiving)", bin, layout.config, spec.resourceId, ["check"], user);
}

/**
 * Takes one backup now through the scheduler's job runner (so it is logged like a scheduled one);
 * resolves with its job, DONE or FAILED.
 */
export function backupNow(spec: Pick<LocalBackupSpec, "dataRoot" | "resourceId" | "schedulerScript">, trigger: string, type?: "full" | "diff" | "incr"): Promise<BackupJob> {
  const layout = backupLayout(spec.dataRoot, spec.resourceId);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [spec.schedulerScript, "once", layout.schedule, trigger, ...(type ? [type] : [])], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (err += b));
    child.on("error", reject);
    child.on("close", () => {
      const line = out.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`the backup job runner ${spec.schedulerScript} failed: ${(err || out).trim().slice(-1000)}`));
      }
    });
  });
}

/** The scheduler's pid when it is alive (and is our scheduler), else undefined. */
export function schedulerPid(dataRoot: string, resourceId: string): number | undefined {
  const layout = backupLayout(dataRoot, resourceId);
  let pid: number;
  try {
    pid = Number(fs.readFileSync(layout.schedulerPid, "utf8").trim());
  } catch {
    return undefined;
  }
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    const state = /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return cmd.includes("scheduler.js") && cmd.includes(layout.schedule) && state !== "Z" ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the detached scheduler unless it runs; resolves with its pid once it has written its pid file. */
export async function startScheduler(spec: Pick<LocalBackupSpec, "dataRoot" | "resourceId" | "schedulerScript">): Promise<number> {
  const running = schedulerPid(spec.dataRoot, spec.resourceId);
  if (running) return running;
  const layout = backupLayout(spec.dataRoot, spec.resourceId);
  const log = fs.openSync(layout.schedulerLog, "a", 0o600);
  try {
    const child = spawn(process.execPath, [spec.schedulerScript, "daemon", layout.schedule], { detached: true, stdio: ["ignore", log, log], cwd: "/" });
    child.unref();
  } finally {
    fs.closeSync(log);
  }
  const until = Date.now() + 10_000;
  for (;;) {
    const pid = schedulerPid(spec.dataRoot, spec.resourceId);
    if (pid) return pid;
    if (Date.now() > until) throw new Error(`the backup scheduler did not start; see ${layout.schedulerLog}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops the scheduler if it runs (SIGTERM, then SIGKILL). Idempotent. */
export async function stopScheduler(dataRoot: string, resourceId: string): Promise<void> {
  const pid = schedulerPid(dataRoot, resourceId);
  if (!pid) return;
  process.kill(pid, "SIGTERM");
  const until = Date.now() + 5_000;
  const gone = () => {
    try {
      return /^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    } catch {
      return true;
    }
  };
  while (!gone()) {
    if (Date.now() > until) {
      process.kill(pid, "SIGKILL");
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  fs.rmSync(backupLayout(dataRoot, resourceId).schedulerPid, { force: true });
}

/** Every job of the log, oldest first. */
export function readJobs(dataRoot: string, resourceId: string): BackupJob[] {
  let text = "";
  try {
    text = fs.readFileSync(backupLayout(dataRoot, resourceId).jobs, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as BackupJob];
      } catch {
        return [];
      }
    });
}

/** The backups the repository holds (DONE), then the failed jobs (FAILED, newest last). */
export function backupRecords(info: BackRestInfo, jobs: BackupJob[], repoPath: string): BackupRecord[] {
  const done: BackupRecord[] = info.backups
    .filter((b) => !b.error)
    .map((b) => ({
      id: b.label,
      type: TYPES[b.type],
      startedAt: b.startedAt,
      stoppedAt: b.stoppedAt,
      sizeBytes: b.repositoryBytes,
      location: `${repoPath} (stanza ${info.stanza})`,
      lsnStart: b.lsnStart,
      lsnStop: b.lsnStop,
      status: "DONE" as const,
    }));
  const failed: BackupRecord[] = jobs
    .filter((j) => j.status === "FAILED")
    .slice(-FAILED_SHOWN)
    .map((j) => ({ id: j.id, type: TYPES[j.type] ?? "full", startedAt: j.startedAt, stoppedAt: j.finishedAt, location: `${repoPath} (stanza ${info.stanza})`, status: "FAILED" as const, error: j.error }));
  return [...done, ...failed];
}

/** What the policy really is: the repository's backups, the job log, the scheduler. */
export async function inspectPolicy(spec: LocalBackupSpec): Promise<LocalBackupState> {
  const bin = findPgBackRest();
  if (!bin) throw missingPgBackRest();
  const layout = backupLayout(spec.dataRoot, spec.resourceId);
  const user = serviceUser(spec.runAs);
  const problems: string[] = [];
  let info: BackRestInfo = { stanza: spec.resourceId, status: { code: -1, message: "" }, backups: [] };
  if (fs.existsSync(layout.config)) {
    try {
      info = await readInfo(bin, layout.config, spec.resourceId, user);
    } catch (err: any) {
      problems.push(err.message);
    }
  } else problems.push(`${layout.config} is missing`);
  const jobs = readJobs(spec.dataRoot, spec.resourceId);
  const pid = schedulerPid(spec.dataRoot, spec.resourceId);
  if (!pid) problems.push("the backup scheduler is not running");
  const lastJob = jobs[jobs.length - 1];
  if (lastJob?.status === "FAILED") problems.push(`the last backup (${lastJob.trigger}, ${lastJob.startedAt}) failed: ${lastJob.error}`);
  const done = info.backups.filter((b) => !b.error);
  const next = nextRun(cronOf(spec.cron), new Date());
  return {
    stanza: spec.resourceId,
    configPath: layout.config,
    schedulerPid: pid ?? 0,
    schedulerRunning: pid !== undefined,
    nextSchedule: next ? next.toISOString() : "",
    lastSuccessful: done.length > 0 ? done[done.length - 1].stoppedAt : "",
    backups: backupRecords(info, jobs, spec.repoPath),
    ...(lastJob ? { lastJob } : {}),
    status: problems.length > 0 ? "FAILED" : "RUNNING",
    problems,
  };
}

/**
 * Takes the policy off its server: stops the scheduler and removes pgbackrest.conf (the server's
 * archive hook then lets WAL go). The repository is left where it is; the caller decides its fate.
 */
export async function unconfigurePolicy(dataRoot: string, resourceId: string): Promise<void> {
  await stopScheduler(dataRoot, resourceId);
  const layout = backupLayout(dataRoot, resourceId);
  fs.rmSync(layout.config, { force: true });
  fs.rmSync(layout.schedule, { force: true });
}
