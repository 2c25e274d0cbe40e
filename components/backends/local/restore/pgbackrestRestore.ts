/**
 * Restoring a local server's data directory with `pgbackrest restore`: a new clone from another
 * server's repository, or in place over its own data (`--delta`). The backup set is chosen here for
 * a time or LSN target (the newest backup that finished before it), recovery stops at the target
 * and promotes, and restore_command names its configuration explicitly (pgBackRest's own default
 * would not). Pure Node + `pg` inside functions: providers serialize it.
 */
import * as fs from "fs";
import * as path from "path";
import { InstancePaths, backupDirOf } from "../instance";
import { ServiceUser } from "../serviceUser";
import { BackRestBackup, backRestOrThrow, findPgBackRest, missingPgBackRest, ownedDir, ownedFile, readInfo } from "../backup/pgbackrest";

/** Where recovery stops (the model's `RestoreSpec["target"]`). */
export type RestoreTarget = { type: "latest" } | { type: "backup"; backupId: string } | { type: "time"; time: string } | { type: "lsn"; lsn: string };

/** The repository a clone is restored from. */
export interface CloneSource {
  repoPath: string;
  /** The source db_resource's id, its stanza. */
  stanza: string;
  target: RestoreTarget;
  /** The source's application database and role, renamed to the clone's when they differ. */
  databaseName: string;
  username: string;
}

/** An LSN as a number, for ordering (`16/B374D848`). */
export function lsnValue(lsn: string): bigint {
  const [hi, lo] = lsn.split("/");
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

/** pgBackRest's time format: `2026-11-26 10:15:00.000+00`. */
function backRestTime(iso: string): string {
  return new Date(iso).toISOString().replace("T", " ").replace("Z", "+00");
}

/**
 * The backup set to restore for `target`: the named one, or for a time or LSN the newest backup
 * that finished at or before it; undefined for the latest. Throws naming the earliest point
 * restorable when the target comes before every backup.
 */
export function chooseSet(target: RestoreTarget, backups: BackRestBackup[], stanza: string): string | undefined {
  const good = backups.filter((b) => !b.error);
  if (good.length === 0) throw new Error(`the repository holds no backup of \`${stanza}\` to restore`);
  const earliest = `the earliest restorable point is ${good[0].stoppedAt} (LSN ${good[0].lsnStop}, the end of backup ${good[0].label})`;
  switch (target.type) {
    case "latest":
      return undefined;
    case "backup": {
      if (!good.some((b) => b.label === target.backupId)) {
        throw new Error(`\`restore.backupId\` ${JSON.stringify(target.backupId)} is not a backup of \`${stanza}\`; it holds ${good.map((b) => b.label).join(", ")}`);
      }
      return target.backupId;
    }
    case "time": {
      const before = good.filter((b) => Date.parse(b.stoppedAt) <= Date.parse(target.time));
      if (before.length === 0) throw new Error(`\`restore.targetTime\` ${target.time} is before every backup of \`${stanza}\`: ${earliest}`);
      return before[before.length - 1].label;
    }
    case "lsn": {
      const before = good.filter((b) => b.lsnStop !== undefined && lsnValue(b.lsnStop) <= lsnValue(target.lsn));
      if (before.length === 0) throw new Error(`\`restore.targetLsn\` ${target.lsn} is before every backup of \`${stanza}\`: ${earliest}`);
      return before[before.length - 1].label;
    }
  }
}

/** pgbackrest restore options for a target (after the set is chosen). */
export function targetOptions(target: RestoreTarget, set: string | undefined): string[] {
  const setOpt = set ? [`--set=${set}`] : [];
  switch (target.type) {
    case "latest":
      return ["--type=default"];
    case "backup":
      return [...setOpt, "--type=immediate", "--target-action=promote"];
    case "time":
      return [...setOpt, "--type=time", `--target=${backRestTime(target.time)}`, "--target-action=promote"];
    case "lsn":
      return [...setOpt, "--type=lsn", `--target=${target.lsn}`, "--target-action=promote"];
  }
}

/** What a restore needs about the server it writes into. */
export interface RestoreInto {
  paths: InstancePaths;
  user: ServiceUser;
  /** The repository and stanza to read. */
  repoPath: string;
  stanza: string;
  target: RestoreTarget;
  /** A clone: the copy must not push WAL into the source's repository. In place: over the existing files. */
  mode: "clone" | "in_place";
}

/**
 * Writes the restore's own pgbackrest configuration (`<instanceDir>/backup/restore.conf`, which
 * restore_command keeps using during recovery), chooses the set and runs `pgbackrest restore`.
 * Returns the set restored (undefined = the latest).
 */
export async function restoreDataDirectory(r: RestoreInto, prepared?: PreparedRestore): Promise<string | undefined> {
  const { bin, config, set } = prepared ?? (await prepareRestore(r));
  if (r.mode === "clone") ownedDir(r.paths.dataDir, r.user, 0o700);
  const restoreCommand = `${bin} --config=${config} --stanza=${r.stanza} archive-get %f "%p"`;
  await backRestOrThrow(
    "pgbackrest restore",
    bin,
    config,
    r.stanza,
    [
      ...targetOptions(r.target, set),
      ...(r.mode === "clone" ? ["--archive-mode=off"] : ["--delta"]),
      `--recovery-option=restore_command=${restoreCommand}`,
      "restore",
    ],
    r.user,
  );
  return set;
}

/** A restore's configuration written and its backup set chosen, before anything is stopped or written. */
export interface PreparedRestore {
  bin: string;
  config: string;
  set: string | undefined;
}

/** Writes the restore's configuration and chooses the set; throws (naming the earliest restorable point) before any data is touched. */
export async function prepareRestore(r: RestoreInto): Promise<PreparedRestore> {
  const bin = findPgBackRest();
  if (!bin) throw missingPgBackRest();
  const dir = backupDirOf(r.paths);
  ownedDir(dir, r.user);
  for (const d of ["log", "lock", "spool"]) ownedDir(path.join(dir, d), r.user);
  const config = path.join(dir, "restore.conf");
  ownedFile(
    config,
    [
      "# Written by pgplatform for restores into this server; restore_command reads it during recovery.",
      "[global]",
      `repo1-path=${r.repoPath}`,
      `log-path=${path.join(dir, "log")}`,
      `lock-path=${path.join(dir, "lock")}`,
      `spool-path=${path.join(dir, "spool")}`,
      "log-level-console=warn",
      "",
      `[${r.stanza}]`,
      `pg1-path=${r.paths.dataDir}`,
      "",
    ].join("\n"),
    r.user,
  );
  if (!fs.existsSync(r.repoPath)) throw new Error(`the backup repository ${r.repoPath} does not exist; the BackupPolicy must have taken a backup first`);
  const info = await readInfo(bin, config, r.stanza, r.user);
  return { bin, config, set: chooseSet(r.target, info.backups, r.stanza) };
}

/** Opens a connection as the superuser over the server's private socket (peer authentication), runs `fn`, closes it. */
export async function withPeer<T>(socketDir: string, port: number, superuser: string, fn: (client: any) => Promise<T>): Promise<T> {
  const { Client } = require("pg");
  const client = new Client({ host: socketDir, port, user: superuser, database: "postgres", connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Waits until recovery has ended and the server is promoted (or fails with the server log when it stops). */
export async function awaitPromotion(socketDir: string, port: number, superuser: string, alive: () => boolean, log: () => string, timeoutMs = 600_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (!alive()) throw new Error(`the restored server stopped during recovery:\n${log()}`);
    try {
      const inRecovery = await withPeer(socketDir, port, superuser, async (c) => (await c.query("SELECT pg_is_in_recovery() AS r")).rows[0].r);
      if (!inRecovery) return;
    } catch {
      /* starting up: try again */
    }
    if (Date.now() > until) throw new Error(`the restored server was still recovering after ${timeoutMs / 1000} s:\n${log()}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/**
 * Closes the current WAL segment of a running server and waits until it is archived, so a restore
 * of "the latest point" (or a recent time or LSN) finds every transaction committed so far.
 * Connects over the server's private socket; throws when archiving does not catch up in time.
 */
export async function archiveCurrentWal(socketDir: string, port: number, superuser: string, timeoutMs = 60_000): Promise<void> {
  await withPeer(socketDir, port, superuser, async (c) => {
    const wal = (await c.query("SELECT pg_walfile_name(pg_switch_wal()) AS w")).rows[0].w;
    const until = Date.now() + timeoutMs;
    for (;;) {
      // Archived once its `.ready` flag is gone (`.done`, or recycled); last_archived_wal alone can name a later `.backup` file.
      const a = (
        await c.query(
          "SELECT last_archived_wal AS l, last_failed_wal AS f, EXISTS (SELECT 1 FROM pg_ls_archive_statusdir() WHERE name = $1 || '.ready') AS pending FROM pg_stat_archiver",
          [wal],
        )
      ).rows[0];
      if (!a.pending) return;
      if (Date.now() > until) throw new Error(`WAL segment ${wal} was not archived within ${timeoutMs / 1000} s (last archived ${a.l ?? "none"}, last failed ${a.f ?? "none"}); see the server log`);
      await new Promise((res) => setTimeout(res, 100));
    }
  });
}
