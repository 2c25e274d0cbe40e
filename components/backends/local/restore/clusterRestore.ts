/**
 * A local PgCluster cloned from a BackupPolicy's repository: the first member is made by Patroni's
 * custom bootstrap running `pgbackrest restore` (the backup set chosen here for a time or LSN, as
 * for a PgSingle clone), recovery stops at the target and promotes, Patroni then gives its
 * superuser and `replicator` roles the clone's passwords (its post-bootstrap step, over a trust
 * rule it opens on 127.0.0.1 for that step only), and the other members clone the first.
 *
 * The command needs no configuration file (`--no-config`, every option on the command line): the
 * cluster's directory is wiped and rebuilt at create, and pgBackRest's default file names no
 * repository. No `--archive-mode=off`: it would write `archive_mode = off` into
 * postgresql.auto.conf, which outranks Patroni's configuration, so the clone could never be backed
 * up; the clone's archive hook points at its OWN directory's pgbackrest.conf, absent until a
 * BackupPolicy targets it, so it never pushes WAL into the source's repository. Pure Node + `pg`
 * inside functions: the cluster provider serializes it.
 */
import * as fs from "fs";
import { instancePaths, socketDirOf } from "../instance";
import { execTool, runningPostmaster } from "../process";
import { ServiceUser } from "../serviceUser";
import { findPgBackRest, missingPgBackRest, parseInfo } from "../backup/pgbackrest";
import type { ClusterBootstrap } from "../cluster/spec";
import { CloneSource, archiveCurrentWal, chooseSet, targetOptions, withPeer } from "./pgbackrestRestore";

/** pgBackRest options that replace a configuration file: the repository, no log file. */
function repoOptions(source: Pick<CloneSource, "repoPath" | "stanza">): string[] {
  return ["--no-config", `--repo1-path=${source.repoPath}`, "--log-level-file=off", "--log-level-console=warn", `--stanza=${source.stanza}`];
}

/** Characters an argument may hold inside the single-quoted `sh -c` script Patroni runs. */
const SAFE_ARG = /^[A-Za-z0-9._\/+:=%-]*$/;

function shellArg(a: string, what: string): string {
  if (a.includes("'")) throw new Error(`${what} ${JSON.stringify(a)} cannot hold a single quote`);
  return SAFE_ARG.test(a) ? a : `"${a.replace(/(["\\$`])/g, "\\$1")}"`;
}

/**
 * Patroni's custom bootstrap for a clone whose first member's data directory is `dataDir`. Patroni
 * appends `--scope=.. --datadir=..` to the command; they become `$0` and `$1` of the `sh -c` script
 * and are ignored (the data directory is known here).
 */
export function restoreBootstrapOf(bin: string, source: CloneSource, set: string | undefined, dataDir: string): ClusterBootstrap {
  const repo = repoOptions(source);
  const restoreCommand = [bin, ...repo, `--pg1-path=${dataDir}`, "archive-get", "%f", '"%p"'].join(" ");
  const args = [bin, ...repo, `--pg1-path=${dataDir}`, ...targetOptions(source.target, set), `--recovery-option=restore_command=${restoreCommand}`, "restore"];
  const script = `mkdir -p -m 0700 ${shellArg(dataDir, "the data directory")} && exec ${args.map((a) => shellArg(a, "a pgbackrest option")).join(" ")}`;
  // keep_existing_recovery_conf: pgbackrest wrote recovery.signal and the target into postgresql.auto.conf; Patroni clears them after bootstrap.
  return { command: `/bin/sh -c '${script}'`, keepExistingRecoveryConf: true };
}

/**
 * Prepares a clone's bootstrap: archives the source's current WAL when the source runs on this data
 * root (so a recent time, an LSN or the latest point find every commit so far), reads the
 * repository and chooses the set (throwing, naming the earliest restorable point, before anything
 * is created).
 */
export async function prepareClusterRestore(source: CloneSource, dataRoot: string, superuser: string, dataDir: string, user: ServiceUser): Promise<ClusterBootstrap> {
  const bin = findPgBackRest();
  if (!bin) throw missingPgBackRest();
  if (!fs.existsSync(source.repoPath)) throw new Error(`the backup repository ${source.repoPath} does not exist; the BackupPolicy must have taken a backup first`);
  if (source.target.type !== "backup") await archiveSourceWal(dataRoot, source.stanza, superuser);
  const r = await execTool(bin, [...repoOptions(source), "--output=json", "info"], user, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`pgbackrest info failed (exit ${r.code}): ${(r.stderr + r.stdout).trim().slice(-1000)}`);
  const set = chooseSet(source.target, parseInfo(r.stdout, source.stanza).backups, source.stanza);
  return restoreBootstrapOf(bin, source, set, dataDir);
}

/**
 * Closes and archives the current WAL segment of the source when it runs on this data root: a
 * PgSingle (its postmaster), or a PgCluster (the member not in recovery, over the members' private
 * socket). A source elsewhere, stopped, or without a private socket is left alone.
 */
export async function archiveSourceWal(dataRoot: string, stanza: string, superuser: string): Promise<void> {
  const single = instancePaths(dataRoot, stanza);
  const socketDir = socketDirOf(single);
  if (!fs.existsSync(socketDir)) return;
  const pm = fs.existsSync(single.dataDir) ? runningPostmaster(single.dataDir) : undefined;
  if (pm) return archiveCurrentWal(socketDir, pm.port, superuser);
  let members: { pgPort: number }[] = [];
  try {
    members = JSON.parse(fs.readFileSync(single.marker, "utf8")).layout?.members ?? [];
  } catch {
    return;
  }
  for (const m of members) {
    const primary = await withPeer(socketDir, m.pgPort, superuser, async (c) => (await c.query("SELECT pg_is_in_recovery() AS r")).rows[0].r === false).catch(() => false);
    if (primary) return archiveCurrentWal(socketDir, m.pgPort, superuser);
  }
}
