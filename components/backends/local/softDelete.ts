/**
 * Soft delete on the local back end: what a deletion keeps (a soft-deleted server's or cluster's
 * directory, a deleted BackupPolicy's repository) is listed in `<dataRoot>/pgplatform-trash/` with
 * the time after which it goes, and every create, refresh or delete of a local server, cluster or
 * BackupPolicy on that data root purges what has expired. Pure Node: providers serialize it.
 */
import * as fs from "fs";
import * as path from "path";

/** One thing kept after a deletion, until `purgeAfter`. */
export interface TrashEntry {
  kind: "server" | "cluster" | "repository";
  /** The db_resource it belonged to. */
  resourceId: string;
  /** Directories removed at the purge. */
  paths: string[];
  deletedAt: string;
  purgeAfter: string;
}

/** The directory that lists what waits for its purge. */
export function trashDir(dataRoot: string): string {
  return path.join(dataRoot, "pgplatform-trash");
}

function entryFile(dataRoot: string, kind: TrashEntry["kind"], resourceId: string): string {
  return path.join(trashDir(dataRoot), `${kind}-${resourceId}.json`);
}

/** Lists `paths` for removal after `retentionDays`; returns the entry. */
export function keepUntilPurge(dataRoot: string, kind: TrashEntry["kind"], resourceId: string, paths: string[], retentionDays: number, now = new Date()): TrashEntry {
  const entry: TrashEntry = {
    kind,
    resourceId,
    paths,
    deletedAt: now.toISOString(),
    purgeAfter: new Date(now.getTime() + retentionDays * 86_400_000).toISOString(),
  };
  fs.mkdirSync(trashDir(dataRoot), { recursive: true, mode: 0o700 });
  fs.writeFileSync(entryFile(dataRoot, kind, resourceId), JSON.stringify(entry, null, 2) + "\n", { mode: 0o600 });
  return entry;
}

/** The pending entry for a db_resource's server or repository, if any. */
export function pendingPurge(dataRoot: string, kind: TrashEntry["kind"], resourceId: string): TrashEntry | undefined {
  try {
    return JSON.parse(fs.readFileSync(entryFile(dataRoot, kind, resourceId), "utf8"));
  } catch {
    return undefined;
  }
}

/** Takes an entry off the list (the thing is in use again). */
export function cancelPurge(dataRoot: string, kind: TrashEntry["kind"], resourceId: string): void {
  fs.rmSync(entryFile(dataRoot, kind, resourceId), { force: true });
}

/** Removes everything whose retention ended before `now`; returns the entries purged. */
export function purgeExpired(dataRoot: string, now = new Date()): TrashEntry[] {
  let files: string[];
  try {
    files = fs.readdirSync(trashDir(dataRoot)).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  const purged: TrashEntry[] = [];
  for (const f of files) {
    const file = path.join(trashDir(dataRoot), f);
    let entry: TrashEntry;
    try {
      entry = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
      continue;
    }
    if (Date.parse(entry.purgeAfter) > now.getTime()) continue;
    for (const p of entry.paths) fs.rmSync(p, { recursive: true, force: true });
    fs.rmSync(file, { force: true });
    purged.push(entry);
  }
  return purged;
}

/**
 * The entry of a soft-deleted server or cluster kept at `<dataRoot>/<resourceId>` (both live there,
 * so either blocks the id for both), if any.
 */
export function keptAt(dataRoot: string, resourceId: string): TrashEntry | undefined {
  return pendingPurge(dataRoot, "server", resourceId) ?? pendingPurge(dataRoot, "cluster", resourceId);
}

/**
 * Before a new `what` takes `resourceId` on `dataRoot`: refuses while a soft-deleted server or
 * cluster is kept in `dir` (its `marker` still there), naming the kept directory and its purge
 * time. An entry whose directory was removed by hand is dropped, so its purge never removes the
 * new one's directory.
 */
export function refuseKept(dataRoot: string, resourceId: string, dir: string, marker: string, what: "server" | "cluster"): void {
  const kept = keptAt(dataRoot, resourceId);
  if (!kept) return;
  if (fs.existsSync(marker)) {
    throw new Error(
      `\`${resourceId}\` was soft-deleted on ${kept.deletedAt} and its data is kept in ${dir} until ${kept.purgeAfter}; ` +
        `a new ${what} cannot take its place before then: restore a clone from its backups (\`restore\`), or remove ${dir} by hand to give up the kept data`,
    );
  }
  cancelPurge(dataRoot, kept.kind, resourceId);
}
