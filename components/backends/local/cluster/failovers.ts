/**
 * Patroni's failover history as catalogue records (type `failover`): one per timeline change,
 * id `<resourceId>-tl<new timeline>`, written by the cluster provider when it is given a catalogue.
 * A record needs its db_resource in the catalogue first (the PgCluster's own record, written after
 * the cluster exists), so a history read before that is recorded on the next refresh or update.
 */
import { ensureLocalCatalog } from "../../../catalog/localCatalog";
import { readRecord, upsertRecord, withCatalog } from "../../../catalog/store";
import type { CatalogInput } from "../../../providers/catalogRecord";
import { FailoverEvent } from "./patroni";

/** The catalogue record of one history entry. */
export function failoverRecord(resourceId: string, e: FailoverEvent): { recordId: string; data: Record<string, unknown> } {
  return {
    recordId: `${resourceId}-tl${e.timeline + 1}`,
    data: {
      resourceId,
      failoverType: /switchover/i.test(e.reason) ? "switchover" : "failover",
      ...(e.newLeader ? { toMember: e.newLeader } : {}),
      timeline: e.timeline + 1,
      lsn: e.lsn,
      reason: e.reason || "timeline change",
      ...(e.at ? { finishedAt: e.at } : {}),
      status: "DONE",
      detail: { endedTimeline: e.timeline },
    },
  };
}

/**
 * Writes the history's records into the catalogue; returns how many it holds for this cluster
 * now, or undefined when the db_resource is not in the catalogue yet (nothing written).
 */
export async function recordFailovers(catalog: CatalogInput, resourceId: string, history: readonly FailoverEvent[]): Promise<number | undefined> {
  const connection = "connection" in catalog ? catalog.connection : await ensureLocalCatalog(catalog.local);
  return withCatalog(connection, async (c) => {
    if (!(await readRecord(c, "db_resource", resourceId))) return undefined;
    for (const e of history) {
      const r = failoverRecord(resourceId, e);
      await upsertRecord(c, "failover", r.recordId, r.data);
    }
    return history.length;
  });
}
