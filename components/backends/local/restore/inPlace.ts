/**
 * An in-place restore of a local server from its own BackupPolicy's repository (named by the policy,
 * or read from the pgBackRest configuration the policy wrote for the server): a safety backup
 * first, then stop, `pgbackrest restore --delta` to the chosen point, the server's own
 * configuration put back (the backup carries the files as they were then), start on the same port,
 * wait for the end of recovery, and the current passwords set again. The scheduler is held off
 * meanwhile. Pure Node + `pg` inside functions: the provider serializes it.
 */
import * as fs from "fs";
import * as path from "path";
import { setPassword } from "../admin";
import { backupLayout } from "../backup/pgbackrest";
import { BackupJob, backupNow, schedulerPid, startScheduler, stopScheduler } from "../backup/policy";
import { findServerBinaries } from "../binaries";
import { instancePaths, lastLogLines, socketDirOf, startServer, stopServer, usableBinDir } from "../instance";
import { chownTree, runningPostmaster } from "../process";
import { serviceUser } from "../serviceUser";
import { RestoreTarget, archiveCurrentWal, awaitPromotion, prepareRestore, restoreDataDirectory, withPeer } from "./pgbackrestRestore";

/** What an in-place restore needs (plain values; passwords are plaintext here and never logged). */
export interface InPlaceRestoreSpec {
  resourceId: string;
  version: string;
  dataRoot: string;
  runAs?: string;
  /**
   * The repository (`repo1-path`) to restore from.
   * @default - the one in the pgBackRest configuration of the BackupPolicy that targets the server ({@link ownRepoPath})
   */
  repoPath?: string;
  schedulerScript: string;
  target: RestoreTarget;
  superuser: string;
  superuserPassword: string;
  username: string;
  password: string;
  binarySearchPaths?: string[];
}

/** What an in-place restore did. */
export interface InPlaceRestoreResult {
  /** The label of the safety backup taken first. */
  safetyBackup: string;
  /** The backup set restored (`latest` when pgBackRest chose it). */
  restoredSet: string;
  restoredAt: string;
  /** The repository restored from. */
  repository: string;
}

/**
 * The repository of the BackupPolicy that targets the server: `repo1-path` of the pgBackRest
 * configuration the policy keeps at `<dataRoot>/<resourceId>/backup/pgbackrest.conf` (wherever its
 * `location.path` put the repository). Throws, naming `restore.mode`, when no policy targets it.
 */
export function ownRepoPath(dataRoot: string, resourceId: string): string {
  const config = backupLayout(dataRoot, resourceId).config;
  let text = "";
  try {
    text = fs.readFileSync(config, "utf8");
  } catch {
    /* no policy */
  }
  const repo = /^repo1-path=(.+)$/m.exec(text)?.[1].trim();
  if (!repo) {
    throw new Error(
      `\`restore.mode\` \`in_place\` restores \`${resourceId}\` from its own backups, and no BackupPolicy backs it up (no pgBackRest configuration at ${config}); nothing was changed. ` +
        "Give it a BackupPolicy (`target` this PgSingle; its first `up` takes a full backup), then ask again. " +
        "A new PgSingle has no backups of its own: create it without `restore`, or restore a clone with `restore: { from: <a BackupPolicy>, ... }`",
    );
  }
  return repo;
}

/** The files pgplatform writes into the data directory: kept across the restore. */
const OWN_FILES = ["pgplatform.conf", "pg_hba.conf", "pg_ident.conf"];

export async function restoreInPlace(spec: InPlaceRestoreSpec): Promise<InPlaceRestoreResult> {
  const paths = instancePaths(spec.dataRoot, spec.resourceId);
  const user = serviceUser(spec.runAs);
  if (!fs.existsSync(paths.marker)) throw new Error(`the local server \`${spec.resourceId}\` is not in ${paths.instanceDir}; nothing to restore in place`);
  const pm = runningPostmaster(paths.dataDir);
  if (!pm) throw new Error(`the local server \`${spec.resourceId}\` is not running (paused or stopped); resume it first: the safety backup needs it`);
  const repoPath = spec.repoPath ?? ownRepoPath(spec.dataRoot, spec.resourceId);
  const into = { paths, user, repoPath, stanza: spec.resourceId, target: spec.target, mode: "in_place" as const };
  const prepared = await prepareRestore(into);
  const safety: BackupJob = await backupNow(spec, "safety");
  if (safety.status !== "DONE") throw new Error(`the safety backup of \`${spec.resourceId}\` failed, so nothing was restored: ${safety.error}`);
  const hadScheduler = schedulerPid(spec.dataRoot, spec.resourceId) !== undefined;
  await stopScheduler(spec.dataRoot, spec.resourceId);
  const kept = OWN_FILES.map((f) => [f, fs.readFileSync(path.join(paths.dataDir, f), "utf8")] as const);
  const binDir = usableBinDir(findServerBinaries(spec.version, spec.binarySearchPaths ?? []), spec.dataRoot, user);
  // Everything committed until now reaches the repository before the server stops (a restore to the latest point then loses nothing).
  await archiveCurrentWal(socketDirOf(paths), pm.port, spec.superuser);
  await stopServer(paths);
  let set: string | undefined;
  try {
    set = await restoreDataDirectory(into, prepared);
  } finally {
    // Whatever happened, the server gets its own configuration back and is started again.
    for (const [f, text] of kept) {
      const file = path.join(paths.dataDir, f);
      fs.writeFileSync(file, text, { mode: 0o600 });
      chownTree(file, user);
    }
    fs.rmSync(path.join(paths.dataDir, "postmaster.pid"), { force: true });
    await startServer(binDir, paths, user);
    if (hadScheduler) await startScheduler(spec);
  }
  await awaitPromotion(socketDirOf(paths), pm.port, spec.superuser, () => runningPostmaster(paths.dataDir) !== undefined, () => lastLogLines(paths, 12));
  await withPeer(socketDirOf(paths), pm.port, spec.superuser, async (c) => {
    await setPassword(c, spec.superuser, spec.superuserPassword);
    await setPassword(c, spec.username, spec.password);
  });
  return { safetyBackup: safety.label ?? "", restoredSet: set ?? "latest", restoredAt: new Date().toISOString(), repository: repoPath };
}
