/**
 * Soft delete of a local cluster (`lifecycle.deletionPolicy: soft`): the cluster is stopped as a
 * pause stops it (Patroni's maintenance mode first, so nothing fails over, then HAProxy, the
 * primary, the standbys and etcd; `paused.json` names the last leader), its whole directory (every
 * member's data, etcd's data, the configurations, the ports in the marker) and its private socket
 * directory are kept and listed in the trash (../softDelete.ts) until the retention ends; the next
 * create, refresh or delete of a local server, cluster or BackupPolicy on the data root after that
 * removes them. Pure Node (serialized by the provider).
 */
import { TrashEntry, keepUntilPurge, pendingPurge, purgeExpired } from "../softDelete";
import { destroyCluster, layoutOf } from "./cluster";
import { clusterSocketDir } from "./config";
import { pauseCluster } from "./pause";
import { stopCluster } from "./processes";
import { LocalClusterSpec, clusterPaths } from "./spec";

/** What a soft delete keeps of a cluster: its directory and its private socket directory. */
export function keptPaths(dataRoot: string, resourceId: string): string[] {
  return [clusterPaths(dataRoot, resourceId).dir, clusterSocketDir({ dataRoot, resourceId, backupAccess: true })!];
}

/**
 * Stops every process of the cluster and keeps its directory for `retentionDays`; returns the
 * trash entry. A cluster that was never fully created (no marker) has nothing to keep: it is
 * removed as by a hard delete (undefined). Idempotent: a second call stops what runs again and
 * keeps the first entry (its purge time does not move).
 */
export async function softDeleteCluster(spec: LocalClusterSpec, retentionDays: number): Promise<TrashEntry | undefined> {
  const layout = layoutOf(spec.dataRoot, spec.resourceId);
  if (!layout) {
    await destroyCluster(spec.dataRoot, spec.resourceId);
    return undefined;
  }
  try {
    await pauseCluster(spec, layout);
  } catch {
    // Patroni did not take maintenance mode (a member hung): stopped all the same below, data kept on every member.
  }
  // Anything pause did not stop (a member directory outside the layout, a daemon started by hand).
  await stopCluster(spec.dataRoot, spec.resourceId, layout.members.map((m) => m.name));
  const entry = pendingPurge(spec.dataRoot, "cluster", spec.resourceId) ?? keepUntilPurge(spec.dataRoot, "cluster", spec.resourceId, keptPaths(spec.dataRoot, spec.resourceId), retentionDays);
  purgeExpired(spec.dataRoot);
  return entry;
}
