/**
 * The catalogue side of a local BackupPolicy: one `backup` record per backup the repository holds
 * (DONE, with type, times, size, location, LSN and WAL range) and per failed job (FAILED, with
 * pgBackRest's error); a backup that retention expired is marked DELETED, its row kept.
 * Pure Node + `pg` inside functions: the provider serializes it.
 */
import { ensureLocalCatalog } from "../../../catalog/localCatalog";
import { CATALOG_SCHEMA } from "../../../catalog/migrations";
import { markDeleted, upsertRecord, withCatalog } from "../../../catalog/store";
import type { CatalogInput } from "../../../providers/catalogRecord";
import { SqlConnection } from "../../../providers/sql/connection";
import { BackRestInfo } from "./pgbackrest";
import { BackupJob } from "./policy";

const TYPES: Record<string, string> = { full: "full", diff: "differential", incr: "incremental" };

/** The catalogue's connection: the given one, or the local catalogue's. */
async function connectionOf(catalog: CatalogInput): Promise<SqlConnection> {
  return "connection" in catalog ? catalog.connection : ensureLocalCatalog(catalog.local);
}

/** The id of a backup's record: `<resourceId>/<label or job id>`. */
export function backupRecordId(resourceId: string, labelOrJob: string): string {
  return `${resourceId}/${labelOrJob}`;
}

export interface BackupCatalogFacts {
  resourceId: string;
  /** `<resourceId>/<policyName>`. */
  policyId: string;
  repoPath: string;
  info: BackRestInfo;
  jobs: BackupJob[];
  /** `DELETING` while a deleted policy's repository waits for its purge. */
  lifecycle?: "ACTIVE" | "DELETING";
  /** When a deleted policy's repository is purged. */
  purgeAfter?: string;
}

/**
 * Brings the catalogue's backup records of one policy in line with the repository and the job log,
 * in one transaction. Retries for a while when the db_resource is not recorded yet (its record is
 * written by its own component, in parallel). Returns the ids written.
 */
export async function syncBackupRecords(catalog: CatalogInput, facts: BackupCatalogFacts): Promise<string[]> {
  const connection = await connectionOf(catalog);
  const location = `${facts.repoPath} (stanza ${facts.info.stanza})`;
  const lifecycle = facts.lifecycle ?? "ACTIVE";
  const labelTrigger = new Map(facts.jobs.filter((j) => j.label).map((j) => [j.label!, j.trigger]));
  const write = (client: any) => async () => {
    const ids: string[] = [];
    for (const b of facts.info.backups.filter((x) => !x.error)) {
      const id = backupRecordId(facts.resourceId, b.label);
      ids.push(id);
      await upsertRecord(client, "backup", id, {
        resourceId: facts.resourceId,
        policyId: facts.policyId,
        backupType: TYPES[b.type],
        method: "pgbackrest",
        location,
        sizeBytes: b.repositoryBytes,
        startedAt: b.startedAt,
        finishedAt: b.stoppedAt,
        detail: {
          label: b.label,
          databaseBytes: b.databaseBytes,
          lsnStart: b.lsnStart ?? null,
          lsnStop: b.lsnStop ?? null,
          walStart: b.walStart ?? null,
          walStop: b.walStop ?? null,
          prior: b.prior ?? null,
          trigger: labelTrigger.get(b.label) ?? "unknown",
          ...(facts.purgeAfter ? { purgeAfter: facts.purgeAfter } : {}),
        },
        status: "DONE",
        lifecycle,
      });
    }
    for (const j of facts.jobs.filter((x) => x.status === "FAILED")) {
      const id = backupRecordId(facts.resourceId, j.id);
      ids.push(id);
      await upsertRecord(client, "backup", id, {
        resourceId: facts.resourceId,
        policyId: facts.policyId,
        backupType: TYPES[j.type] ?? "full",
        method: "pgbackrest",
        location,
        startedAt: j.startedAt,
        finishedAt: j.finishedAt,
        detail: { error: j.error ?? "", trigger: j.trigger },
        status: "FAILED",
        lifecycle,
      });
    }
    // Backups retention expired: still recorded as DONE, no longer in the repository.
    const stale = await client.query(
      `SELECT id FROM ${CATALOG_SCHEMA}.backups WHERE resource_id = $1 AND policy_id = $2 AND status = 'DONE' AND lifecycle <> 'DELETED' AND NOT (id = ANY($3))`,
      [facts.resourceId, facts.policyId, ids],
    );
    for (const r of stale.rows) await markDeleted(client, "backup", r.id, { reason: "expired by retention (no longer in the repository)" });
    return ids;
  };
  for (let attempt = 1; ; attempt++) {
    try {
      return await withCatalog(connection, (client) => write(client)());
    } catch (err: any) {
      if (attempt >= 30 || !/is not a db_resource in the catalogue/.test(err.message)) throw err;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}
