/**
 * pgBackRest on the local back end: where its files live, its configuration, how it is run (always
 * as the service user, always with an explicit `--config`), and what `info --output=json` says.
 * Pure Node: the local dynamic providers serialize it.
 */
import * as fs from "fs";
import * as path from "path";
import { InstancePaths, backupDirOf, instancePaths } from "../instance";
import { RunResult, chownTree, execTool } from "../process";
import { ServiceUser } from "../serviceUser";

/** The newest PostgreSQL major each pgBackRest release line reads (measured: 2.45 refuses 16 with `VersionNotSupportedError`). */
export const PGBACKREST_MAX_MAJOR: readonly { below: string; major: number }[] = [{ below: "2.47", major: 15 }];

/** Where a repository goes when the BackupPolicy names no `location.path`. */
export function defaultRepoPath(dataRoot: string, resourceId: string): string {
  return path.join(dataRoot, "pgplatform-backups", resourceId);
}

/** The files pgBackRest and the scheduler keep for one server, under `<instanceDir>/backup/`. */
export interface BackupLayout {
  dir: string;
  /** pgbackrest.conf: its presence turns the server's archive hook on. */
  config: string;
  logDir: string;
  lockDir: string;
  spoolDir: string;
  /** One JSON line per backup job (scheduled, on demand, safety), with its status and error. */
  jobs: string;
  /** The scheduler's job description, re-read every minute. */
  schedule: string;
  schedulerPid: string;
  schedulerLog: string;
}

export function backupLayout(dataRoot: string, resourceId: string): BackupLayout {
  const dir = backupDirOf(instancePaths(dataRoot, resourceId));
  return {
    dir,
    config: path.join(dir, "pgbackrest.conf"),
    logDir: path.join(dir, "log"),
    lockDir: path.join(dir, "lock"),
    spoolDir: path.join(dir, "spool"),
    jobs: path.join(dir, "jobs.jsonl"),
    schedule: path.join(dir, "schedule.json"),
    schedulerPid: path.join(dir, "scheduler.pid"),
    schedulerLog: path.join(dir, "scheduler.log"),
  };
}

/** The pgbackrest executable on PATH, or undefined when it is not installed. */
export function findPgBackRest(): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":").concat(["/usr/bin", "/usr/local/bin"])) {
    const candidate = path.join(dir, "pgbackrest");
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** The error when pgbackrest is missing, with the command that installs it. */
export function missingPgBackRest(): Error {
  return new Error("pgBackRest is not installed on this machine (no `pgbackrest` on PATH); install it with `apt-get install pgbackrest`");
}

/** Characters a path may hold to go into a shell command and a configuration file unquoted by anything but single quotes. */
const SAFE_PATH = /^\/[A-Za-z0-9._\/+-]*$/;

/** Throws when `p` cannot safely go into archive_command or pgbackrest.conf. */
export function assertSafePath(p: string, what: string): void {
  if (!SAFE_PATH.test(p)) throw new Error(`${what} ${JSON.stringify(p)} must be an absolute path of letters, digits and \`._/+-\` only (it goes into PostgreSQL's archive_command)`);
}

/**
 * The server's archive_command: pushes each WAL segment with pgBackRest when a BackupPolicy has
 * written the server's pgbackrest.conf, and lets PostgreSQL recycle it otherwise (no policy, no repository).
 */
export function archiveCommand(paths: InstancePaths, stanza: string, pgbackrest = findPgBackRest() ?? "pgbackrest"): string {
  const config = path.join(backupDirOf(paths), "pgbackrest.conf");
  assertSafePath(config, "the server's directory");
  return `if [ -f '${config}' ]; then exec '${pgbackrest}' '--config=${config}' '--stanza=${stanza}' archive-push '%p'; fi`;
}

/**
 * A PgCluster's archive_command (cluster-wide, through Patroni): the same hook as a server's, on
 * the cluster's pgbackrest.conf (`<clusterDir>/backup/`), run by whichever member is primary. That
 * member's data directory is the shell's working directory, so `--pg1-path="$PWD"` and an absolute
 * segment path make the push right whatever member it runs on (the configuration lists them all).
 */
export function clusterArchiveCommand(clusterDir: string, stanza: string, pgbackrest = findPgBackRest() ?? "pgbackrest"): string {
  const config = path.join(backupDirOf({ instanceDir: clusterDir }), "pgbackrest.conf");
  assertSafePath(config, "the cluster's directory");
  return `if [ -f '${config}' ]; then exec '${pgbackrest}' '--config=${config}' '--stanza=${stanza}' "--pg1-path=$PWD" archive-push "$PWD/%p"; fi`;
}

/** One PostgreSQL node of a cluster as pgBackRest is told about it (`pgN-path`, `pgN-port`). */
export interface BackRestMember {
  dataDir: string;
  port: number;
}

/** What the server's pgbackrest.conf says. */
export interface BackRestConfig {
  stanza: string;
  repoPath: string;
  dataDir: string;
  port: number;
  socketDir: string;
  superuser: string;
  retentionDays: number;
  layout: BackupLayout;
  /** A cluster's members (replacing `dataDir`/`port`): pgBackRest backs up whichever is primary. @default - one server */
  members?: readonly BackRestMember[];
}

/**
 * pgbackrest.conf for one server: its repository, retention by time (full backups are kept so the
 * last `retentionDays` days stay restorable, WAL with them), zstd compression, fast checkpoints.
 */
export function renderBackRestConfig(c: BackRestConfig): string {
  return [
    "# Managed by pgplatform (BackupPolicy): rewritten on every update.",
    "[global]",
    `repo1-path=${c.repoPath}`,
    "repo1-retention-full-type=time",
    `repo1-retention-full=${c.retentionDays}`,
    `log-path=${c.layout.logDir}`,
    `lock-path=${c.layout.lockDir}`,
    `spool-path=${c.layout.spoolDir}`,
    "log-level-console=warn",
    "log-level-file=info",
    "compress-type=zst",
    "start-fast=y",
    "process-max=2",
    "",
    `[${c.stanza}]`,
    // A cluster lists every member: pgBackRest finds the primary among them (backup-standby stays off).
    ...(c.members ?? [{ dataDir: c.dataDir, port: c.port }]).flatMap((m, i) => [
      `pg${i + 1}-path=${m.dataDir}`,
      `pg${i + 1}-port=${m.port}`,
      `pg${i + 1}-socket-path=${c.socketDir}`,
      `pg${i + 1}-user=${c.superuser}`,
    ]),
    "",
  ].join("\n");
}

/** Creates `dir` (and parents) owned by the service user with `mode`. */
export function ownedDir(dir: string, user: ServiceUser, mode = 0o750): void {
  fs.mkdirSync(dir, { recursive: true, mode });
  fs.chmodSync(dir, mode);
  chownTree(dir, user);
}

/** Writes a file owned by the service user. */
export function ownedFile(file: string, text: string, user: ServiceUser, mode = 0o640): void {
  fs.writeFileSync(file, text, { mode });
  fs.chmodSync(file, mode);
  chownTree(file, user);
}

/** Runs `pgbackrest --config=<config> [--stanza=<stanza>] <args>` as the service user. */
export function backRest(bin: string, config: string, stanza: string | undefined, args: readonly string[], user: ServiceUser, timeoutMs = 600_000): Promise<RunResult> {
  return execTool(bin, [`--config=${config}`, ...(stanza ? [`--stanza=${stanza}`] : []), ...args], user, { timeoutMs });
}

/** The tool's own error (from its `ERROR: [047]: ...` line on, detail and hints included), or its last output lines, for a message. */
export function backRestError(r: RunResult): string {
  const lines = `${r.stderr}\n${r.stdout}`.split("\n").map((l) => l.trim()).filter(Boolean);
  const first = lines.findIndex((l) => l.startsWith("ERROR"));
  return (first >= 0 ? lines.slice(first) : lines.slice(-4)).join(" ").slice(0, 2000) || `exit ${r.code}`;
}

/** Runs pgbackrest and throws `<what> failed: <its error>` on a non-zero exit. */
export async function backRestOrThrow(what: string, bin: string, config: string, stanza: string | undefined, args: readonly string[], user: ServiceUser): Promise<RunResult> {
  const r = await backRest(bin, config, stanza, args, user);
  if (r.code !== 0) throw new Error(`${what} failed (pgbackrest exit ${r.code}): ${translate(backRestError(r))}`);
  return r;
}

/** Adds what pgplatform knows to pgBackRest's less obvious errors. */
function translate(message: string): string {
  if (/VersionNotSupportedError|unexpected control version/.test(message)) {
    return `${message} (this pgBackRest does not read this PostgreSQL major: install a newer pgBackRest, or back up a PostgreSQL 15 server)`;
  }
  return message;
}

/** One backup as `pgbackrest info --output=json` lists it. */
export interface BackRestBackup {
  label: string;
  type: "full" | "diff" | "incr";
  startedAt: string;
  stoppedAt: string;
  /** Size of the database at backup time. */
  databaseBytes: number;
  /** What this backup adds to the repository (compressed; the changed files only for diff/incr). */
  repositoryBytes: number;
  lsnStart?: string;
  lsnStop?: string;
  walStart?: string;
  walStop?: string;
  prior?: string;
  error: boolean;
}

/** What `pgbackrest info --output=json` says about one stanza. */
export interface BackRestInfo {
  stanza: string;
  status: { code: number; message: string };
  backups: BackRestBackup[];
  /** The WAL range held (the PITR window is from the first backup's start to `walMax`). */
  walMin?: string;
  walMax?: string;
}

const iso = (epochSeconds: unknown) => (typeof epochSeconds === "number" ? new Date(epochSeconds * 1000).toISOString() : "");

/** Parses `pgbackrest info --output=json` for `stanza` (an absent stanza is an empty list). */
export function parseInfo(json: string, stanza: string): BackRestInfo {
  const all = JSON.parse(json) as any[];
  const s = all.find((x) => x.name === stanza);
  if (!s) return { stanza, status: { code: -1, message: "missing stanza" }, backups: [] };
  const archive = (s.archive ?? [])[(s.archive ?? []).length - 1];
  return {
    stanza,
    status: { code: s.status?.code ?? -1, message: s.status?.message ?? "" },
    walMin: archive?.min ?? undefined,
    walMax: archive?.max ?? undefined,
    backups: (s.backup ?? []).map(
      (b: any): BackRestBackup => ({
        label: b.label,
        type: b.type,
        startedAt: iso(b.timestamp?.start),
        stoppedAt: iso(b.timestamp?.stop),
        databaseBytes: Number(b.info?.size ?? 0),
        repositoryBytes: Number(b.info?.repository?.delta ?? b.info?.repository?.size ?? 0),
        lsnStart: b.lsn?.start ?? undefined,
        lsnStop: b.lsn?.stop ?? undefined,
        walStart: b.archive?.start ?? undefined,
        walStop: b.archive?.stop ?? undefined,
        prior: b.prior ?? undefined,
        error: b.error === true,
      }),
    ),
  };
}

/** Reads the stanza's backups; throws with pgBackRest's error when it cannot. */
export async function readInfo(bin: string, config: string, stanza: string, user: ServiceUser): Promise<BackRestInfo> {
  const r = await backRestOrThrow("pgbackrest info", bin, config, stanza, ["--output=json", "info"], user);
  return parseInfo(r.stdout, stanza);
}
