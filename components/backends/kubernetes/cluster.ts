/**
 * The CNPG `Cluster` spec of a db_resource (pure: spec in, object out), shared by PgSingle,
 * PgCluster, replica clusters, restores and the green side of an upgrade.
 */
import { BARMAN_PLUGIN, CLUSTER_LABEL } from "./names";
import { DbSpec, ResolvedK8s, memoryParameters } from "./options";

/** The topology key that spreads pods over zones. */
export const ZONE_KEY = "topology.kubernetes.io/zone";
/** The topology key that keeps pods on different nodes. */
export const HOST_KEY = "kubernetes.io/hostname";

/** What a Cluster spec is made of besides the db_resource's spec and options. */
export interface ClusterParts {
  spec: DbSpec;
  o: ResolvedK8s;
  /** Pods: 1 + standbys for a db_resource; the replicas of a replica cluster. */
  instances: number;
  appSecretName: string;
  superuserSecretName: string;
  /** `spec.bootstrap`: initdb, recovery or pg_basebackup. */
  bootstrap: Record<string, any>;
  externalClusters?: Record<string, any>[];
  /** WAL archiving through the Barman Cloud plugin. */
  archive?: { storeName: string; serverName: string };
  /** A replica cluster following the external cluster `source`. */
  replica?: { source: string };
  /** Overrides the Cluster's description. */
  description?: string;
  /** The streaming readiness probe of a replica cluster: a replica past `maximumLag` leaves the read Services. */
  readiness?: { maximumLag?: string };
}

/** The instances of a db_resource: the primary and its standbys. */
export function instancesOf(spec: DbSpec): number {
  return spec.kind === "pg_cluster" ? 1 + spec.standbys : 1;
}

/** `spec.postgresql.synchronous` of a pg_cluster in sync mode (quorum over any standby, writes wait), else undefined. */
export function synchronousOf(spec: DbSpec): Record<string, any> | undefined {
  if (spec.kind !== "pg_cluster" || spec.replicationMode !== "sync" || spec.syncStandbys < 1) return undefined;
  return { method: "any", number: spec.syncStandbys, dataDurability: "required", failoverQuorum: true };
}

/** Pod placement: anti-affinity per zone (and a zone spread) with multi-AZ, per node otherwise. */
export function placementOf(spec: DbSpec, cluster: string, instances: number): Record<string, any> {
  const multiAz = spec.kind === "pg_cluster" && spec.multiAz;
  if (multiAz) {
    return {
      affinity: { enablePodAntiAffinity: true, topologyKey: ZONE_KEY, podAntiAffinityType: "required" },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE_KEY, whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { [CLUSTER_LABEL]: cluster } } }],
    };
  }
  return { affinity: { enablePodAntiAffinity: instances > 1, topologyKey: HOST_KEY, podAntiAffinityType: "preferred" } };
}

/** The PostgreSQL parameters of the Cluster: the spec's, then the memory ones sized from the pod. */
export function parametersOf(spec: DbSpec): Record<string, string> {
  return { ...spec.parameters, ...memoryParameters(spec) };
}

/** The Cluster spec. */
export function clusterSpecOf(p: ClusterParts): Record<string, any> {
  const { spec, o } = p;
  const { cpu, memory } = spec.compute.kubernetes;
  const synchronous = synchronousOf(spec);
  const out: Record<string, any> = {
    description: p.description ?? `pgplatform ${spec.kind} ${spec.resourceId} (plan ${spec.plan})`,
    instances: p.instances,
    ...o.image,
    // A single instance with a PodDisruptionBudget blocks every node drain (cloudnative-pg#3557).
    enablePDB: p.instances > 1,
    enableSuperuserAccess: true,
    superuserSecret: { name: p.superuserSecretName },
    inheritedMetadata: { labels: { ...spec.labels } },
    postgresql: { parameters: parametersOf(spec), ...(synchronous ? { synchronous } : {}) },
    bootstrap: p.bootstrap,
    storage: { size: `${spec.storage.sizeGb}Gi`, resizeInUseVolumes: true, ...(o.storageClass ? { storageClass: o.storageClass } : {}) },
    // requests = limits: Guaranteed QoS, so PostgreSQL is the last to be evicted.
    resources: { requests: { cpu, memory }, limits: { cpu, memory } },
    ...placementOf(spec, o.clusterName, p.instances),
    primaryUpdateStrategy: o.failover.primaryUpdateStrategy,
    primaryUpdateMethod: p.instances > 1 ? o.failover.primaryUpdateMethod : "restart",
    failoverDelay: o.failover.delaySeconds,
    switchoverDelay: o.failover.switchoverDelaySeconds,
  };
  if (p.externalClusters && p.externalClusters.length > 0) out.externalClusters = p.externalClusters;
  if (p.archive) {
    out.plugins = [{ name: BARMAN_PLUGIN, enabled: true, isWALArchiver: true, parameters: { barmanObjectName: p.archive.storeName, serverName: p.archive.serverName } }];
  }
  if (p.replica) out.replica = { enabled: true, source: p.replica.source };
  if (p.readiness) out.probes = { readiness: { type: "streaming", ...(p.readiness.maximumLag ? { maximumLag: p.readiness.maximumLag } : {}) } };
  if (spec.network.publicAccess) {
    out.managed = {
      services: {
        additional: [{ selectorType: "rw", serviceTemplate: { metadata: { name: `${o.clusterName}-public`, labels: { ...spec.labels } }, spec: { type: "LoadBalancer" } } }],
      },
    };
  }
  return out;
}
