/**
 * Read replicas on CNPG: a replica cluster (`replica.enabled`, bootstrapped by pg_basebackup and
 * streaming from the source's `-rw` Service with the source's replication certificate) whose
 * readiness probe is `streaming` with `maximumLag` (a lagging replica leaves the read Services),
 * NetworkPolicies both ways, one Service per replica on demand, and PgBouncer Poolers.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ReadReplicaSetSpec } from "../../model/spec";
import { connectionOf, endpointOf, Endpoint } from "../../outputs";
import { RenderedReplicaSet } from "../backend";
import { clusterSpecOf } from "./cluster";
import { KubernetesHandle } from "./handle";
import { CLUSTER_LABEL, CNPG_API, INSTANCE_LABEL, K8S_CHILD, PG_PORT, POOLER_LABEL, metadataOf, objectNames, serviceHost } from "./names";
import { accessPolicySpec, allowlistPeers, peerAccessSpec } from "./network";
import { resolveK8s } from "./options";
import { CustomObject } from "./resources";
import { statusOf, topologyOf } from "./status";

/** The external cluster a replica cluster streams from: the source's `-rw` Service, authenticated by CNPG's replication certificate. */
export function streamingSource(source: string): Record<string, any> {
  return {
    name: "origin",
    connectionParameters: { host: `${source}-rw`, user: "streaming_replica", dbname: "postgres", sslmode: "verify-full" },
    sslKey: { name: `${source}-replication`, key: "tls.key" },
    sslCert: { name: `${source}-replication`, key: "tls.crt" },
    sslRootCert: { name: `${source}-ca`, key: "ca.crt" },
  };
}

/** What a replica cluster is. */
export interface ReplicaClusterArgs {
  /** Prefix of the children's names. */
  childPrefix: string;
  /** Suffix of the replica Cluster child (`cluster` for a ReadReplicaSet, `replica` for a PgSingle's `readReplicas`). */
  clusterSuffix: string;
  clusterName: string;
  instances: number;
  maximumLagBytes?: number;
  /** Pods besides the replicas that may reach the source's PostgreSQL port (poolers). */
  extraSourcePeers?: Record<string, string>[];
  /** Pods besides the allowlist that may reach the replicas' PostgreSQL port (poolers). */
  extraOwnPeers?: Record<string, string>[];
}

/** A rendered replica cluster. */
export interface ReplicaCluster {
  cluster: CustomObject;
  /** The `-r` Service: every replica within the lag policy. */
  readHost: pulumi.Output<string>;
  resources: pulumi.Resource[];
}

/** Renders a replica cluster of `source`, with the NetworkPolicies that let it (and `extraSourcePeers`) stream. */
export function renderReplicaCluster(scope: pulumi.ComponentResource, source: KubernetesHandle, a: ReplicaClusterArgs): ReplicaCluster {
  const spec = source.spec;
  const o = { ...resolveK8s(spec, spec.kubernetes, a.clusterName), backupStore: undefined };
  const child = (suffix: string) => `${a.childPrefix}-${suffix}`;
  const labels = spec.labels;
  const cluster = new CustomObject(
    child(a.clusterSuffix),
    {
      apiVersion: CNPG_API,
      kind: "Cluster",
      metadata: metadataOf(a.clusterName, o.namespace, labels, spec.lifecycle.state === "paused" ? { "cnpg.io/hibernation": "on" } : undefined),
      spec: clusterSpecOf({
        // Replicas are never synchronous: the replica cluster is rendered as single nodes that stream.
        spec: { ...spec, kind: "pg_single" } as typeof spec,
        o,
        description: `pgplatform read replicas of ${spec.resourceId} (plan ${spec.plan})`,
        instances: a.instances,
        appSecretName: source.appSecretName,
        superuserSecretName: source.superuserSecretName,
        bootstrap: { pg_basebackup: { source: "origin" } },
        externalClusters: [streamingSource(source.clusterName)],
        replica: { source: "origin" },
        readiness: { maximumLag: a.maximumLagBytes !== undefined ? String(a.maximumLagBytes) : undefined },
      }),
    },
    { parent: scope, dependsOn: [source.cluster], ignoreChanges: ["spec.bootstrap"] },
  );
  const sourcePeers = [{ [CLUSTER_LABEL]: a.clusterName }, ...(a.extraSourcePeers ?? [])];
  const toSource = new k8s.networking.v1.NetworkPolicy(
    child(K8S_CHILD.replicaAccess),
    { metadata: metadataOf(`${a.clusterName}-to-source`, o.namespace, labels), spec: peerAccessSpec(source.clusterName, sourcePeers) },
    { parent: scope },
  );
  const ownSpec = accessPolicySpec(spec, o, a.clusterName);
  for (const matchLabels of a.extraOwnPeers ?? []) ownSpec.ingress[0].from.push({ podSelector: { matchLabels } });
  const own = new k8s.networking.v1.NetworkPolicy(
    child(K8S_CHILD.replicaNetworkPolicy),
    { metadata: metadataOf(objectNames(a.clusterName).networkPolicy, o.namespace, labels), spec: ownSpec },
    { parent: scope },
  );
  return { cluster, readHost: serviceHost(objectNames(a.clusterName).r, source.namespace, o.clusterDomain), resources: [cluster, toSource, own] };
}

/** A Pooler spec: PgBouncer in front of `cluster`'s `type` Service. */
export function poolerSpec(cluster: string, type: "rw" | "ro" | "r", instances: number, pooling: ReadReplicaSetSpec["pooling"]): Record<string, any> {
  return {
    cluster: { name: cluster },
    type,
    instances,
    pgbouncer: { poolMode: pooling.mode, parameters: { max_client_conn: String(pooling.maxClientConnections), default_pool_size: String(pooling.defaultPoolSize) } },
  };
}

/** Renders a ReadReplicaSet: the replica cluster, per-replica Services, Poolers and their NetworkPolicy. */
export function renderReplicaSet(scope: pulumi.ComponentResource, spec: ReadReplicaSetSpec, source: KubernetesHandle, appConnection: { database: pulumi.Output<string>; user: pulumi.Output<string>; password: pulumi.Output<string> }): RenderedReplicaSet {
  const name = spec.name;
  const src = source.spec;
  const o = source.options;
  const labels = src.labels;
  const names = objectNames(name);
  const child = (suffix: string) => `${name}-${suffix}`;
  const poolerInstances = src.environmentTier === "dev" ? 1 : 2;
  const pooling = spec.pooling.enabled;
  const replica = renderReplicaCluster(scope, source, {
    childPrefix: name,
    clusterSuffix: K8S_CHILD.cluster,
    clusterName: name,
    instances: spec.replicas,
    maximumLagBytes: spec.lagPolicy.maxBytes,
    extraSourcePeers: pooling ? [{ [POOLER_LABEL]: names.poolerRw }] : [],
    extraOwnPeers: pooling ? [{ [POOLER_LABEL]: names.poolerRo }] : [],
  });
  const resources = [...replica.resources];
  const host = (service: string) => serviceHost(service, source.namespace, o.clusterDomain);
  const replicaEndpoints: Endpoint[] = [];
  if (spec.endpointStrategy === "per_replica") {
    for (let i = 1; i <= spec.replicas; i++) {
      const instance = `${name}-${i}`;
      resources.push(
        new k8s.core.v1.Service(
          `${child(K8S_CHILD.instanceService)}-${i}`,
          {
            metadata: metadataOf(`${name}-instance-${i}`, o.namespace, labels),
            spec: { type: "ClusterIP", selector: { [CLUSTER_LABEL]: name, [INSTANCE_LABEL]: instance }, ports: [{ name: "postgres", port: PG_PORT, targetPort: PG_PORT, protocol: "TCP" }] },
          },
          { parent: scope, dependsOn: [replica.cluster] },
        ),
      );
      replicaEndpoints.push(endpointOf(host(`${name}-instance-${i}`), PG_PORT));
    }
  }
  let pooler: RenderedReplicaSet["pooler"];
  let readHost = replica.readHost;
  if (pooling) {
    const ro = new CustomObject(
      child(K8S_CHILD.poolerRo),
      { apiVersion: CNPG_API, kind: "Pooler", metadata: metadataOf(names.poolerRo, o.namespace, labels), spec: poolerSpec(name, "r", poolerInstances, spec.pooling) },
      { parent: scope, dependsOn: [replica.cluster], replaceOnChanges: ["spec.cluster"] },
    );
    const rw = new CustomObject(
      child(K8S_CHILD.poolerRw),
      { apiVersion: CNPG_API, kind: "Pooler", metadata: metadataOf(names.poolerRw, o.namespace, labels), spec: poolerSpec(source.clusterName, "rw", poolerInstances, spec.pooling) },
      { parent: scope, dependsOn: [source.cluster], replaceOnChanges: ["spec.cluster"] },
    );
    const poolerAccess = new k8s.networking.v1.NetworkPolicy(
      `${child("pooler-network-policy")}`,
      {
        metadata: metadataOf(`${name}-pooler-access`, o.namespace, labels),
        spec: {
          podSelector: { matchExpressions: [{ key: POOLER_LABEL, operator: "In", values: [names.poolerRo, names.poolerRw] }] },
          policyTypes: ["Ingress"],
          ingress: [{ from: allowlistPeers(src.network), ports: [{ protocol: "TCP", port: PG_PORT }] }],
        },
      },
      { parent: scope },
    );
    resources.push(ro, rw, poolerAccess);
    pooler = { read: endpointOf(host(names.poolerRo), PG_PORT), write: endpointOf(host(names.poolerRw), PG_PORT) };
    readHost = host(names.poolerRo);
  }
  const readEndpoint = endpointOf(replica.readHost, PG_PORT);
  return {
    readEndpoint,
    replicaEndpoints,
    pooler,
    readConnection: connectionOf(readHost, PG_PORT, appConnection.database, appConnection.user, appConnection.password),
    status: replica.cluster.status.apply(statusOf),
    topology: pulumi
      .all([replica.cluster.status, replica.readHost, readHost])
      .apply(([status, r, via]) => topologyOf(status, { writes: `${source.clusterName}-rw (the source's write endpoint${pooling ? `, or ${names.poolerRw}` : ""})`, reads: `${via}:${PG_PORT}${via === r ? "" : ` (pooler over ${r})`}` }, true)),
    resources,
  };
}
