/**
 * Status and topology read from a CNPG Cluster's `status` (as the provider returns the live
 * object): the phase, `currentPrimary`, `instanceNames` and `instancesStatus` (pods by health).
 */
import { ResourceStatus, Topology, TopologyMember } from "../../outputs";

/** The phase CNPG reports for a Cluster with every instance ready. */
export const HEALTHY_PHASE = "Cluster in healthy state";

/** A Cluster's phase as a pgplatform status: healthy is RUNNING, a phase that needs a human is FAILED, anything else PENDING. */
export function statusOf(status: Record<string, any> | undefined): ResourceStatus {
  const phase = typeof status?.phase === "string" ? status.phase : "";
  if (phase === HEALTHY_PHASE) return "RUNNING";
  if (/unrecoverable|unable|cannot|manual intervention|failed/i.test(phase)) return "FAILED";
  return "PENDING";
}

/** The members of a Cluster and their roles; a replica cluster's members are all `replica`. */
export function membersOf(status: Record<string, any> | undefined, replicaCluster: boolean): TopologyMember[] {
  const names: string[] = Array.isArray(status?.instanceNames) ? status!.instanceNames : [];
  const state = new Map<string, string>();
  for (const [health, pods] of Object.entries((status?.instancesStatus ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(pods)) for (const pod of pods) state.set(String(pod), health);
  }
  const all = [...new Set([...names, ...state.keys()])].sort();
  return all.map((name) => ({
    name,
    role: replicaCluster ? "replica" : name === status?.currentPrimary ? "primary" : "standby",
    ...(state.has(name) ? { state: state.get(name) } : {}),
  }));
}

/** The topology: the current primary, the members, and where the application should send what. */
export function topologyOf(status: Record<string, any> | undefined, routing: Topology["routing"], replicaCluster = false): Topology {
  const primary = !replicaCluster && typeof status?.currentPrimary === "string" ? status.currentPrimary : undefined;
  return { ...(primary ? { primary } : {}), members: membersOf(status, replicaCluster), routing };
}
