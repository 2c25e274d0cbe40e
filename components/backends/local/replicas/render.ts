/**
 * How the local back end renders a ReadReplicaSet: one LocalReplicas resource joined to the source
 * PgCluster's Patroni cluster, and the normalized outputs read from it.
 */
import * as pulumi from "@pulumi/pulumi";
import { ReadReplicaSetSpec } from "../../../model/spec";
import { Endpoint, connectionOf, endpointOf } from "../../../outputs";
import { LocalReplicas } from "../../../providers/localReplicas";
import { RenderedReplicaSet, RenderedSource } from "../../backend";
import { bindAddress } from "../cluster/config";
import { LocalClusterHandle } from "../cluster/render";

/** Suffix of the LocalReplicas child of a ReadReplicaSet. */
export const REPLICAS_CHILD = "replicas";

/** The set's directory name: the source's resource id and the set's name, in the characters a directory and a Patroni member name take. */
export function setIdOf(spec: ReadReplicaSetSpec): string {
  return `${spec.source.resourceId}-${spec.name.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`;
}

/** Refuses what the local back end cannot do for this source. */
export function checkLocalReplicas(spec: ReadReplicaSetSpec, source: RenderedSource): void {
  const handle = source.rendered.handle as { type?: string } | undefined;
  if (handle?.type === "local-cluster") return;
  throw new Error(
    `ReadReplicaSet ${JSON.stringify(spec.name)}: \`source\` ${JSON.stringify(source.spec.name)} is a local PgSingle; streaming replicas of a local PgSingle are not available yet ` +
      "(its pg_hba admits no replication connection). Use a PgCluster as the source: its replicas join the cluster as Patroni members that never take over",
  );
}

/** Renders the replica set on this machine. */
export function renderLocalReplicas(scope: pulumi.ComponentResource, spec: ReadReplicaSetSpec, source: RenderedSource): RenderedReplicaSet {
  const handle = source.rendered.handle as LocalClusterHandle;
  const app = source.rendered.connection;
  const set = new LocalReplicas(
    `${spec.name}-${REPLICAS_CHILD}`,
    {
      setId: setIdOf(spec),
      clusterId: handle.resourceId,
      dataRoot: handle.dataRoot,
      runAs: handle.runAs,
      primaryPort: handle.writePort,
      superuser: handle.superuser,
      superuserPassword: handle.superuserPassword,
      databaseName: app.database,
      username: app.user,
      replicas: spec.replicas,
      lagPolicy: spec.lagPolicy,
      endpointStrategy: spec.endpointStrategy,
      pooling: spec.pooling,
      bindAddress: bindAddress(source.spec.network.allowedCidrs),
    },
    { parent: scope, dependsOn: [handle.cluster] },
  );
  const replicaEndpoints: Endpoint[] = [];
  if (spec.endpointStrategy === "per_replica") {
    for (let i = 0; i < spec.replicas; i++) replicaEndpoints.push(endpointOf(set.host, set.layout.apply((l) => l.members[i].endpointPort!)));
  }
  const pooled = spec.pooling.enabled;
  const poolerPort = set.poolerPort.apply((p) => p as number);
  return {
    readEndpoint: endpointOf(set.host, set.readPort),
    replicaEndpoints,
    ...(pooled ? { pooler: { read: endpointOf(set.host, poolerPort) } } : {}),
    readConnection: connectionOf(set.host, pooled ? poolerPort : set.readPort, app.database, app.user, app.password),
    status: set.status,
    topology: pulumi.all([set.host, set.readPort, set.replicaStates]).apply(([host, port, replicas]) => ({
      members: (replicas ?? []).map((r) => ({
        name: r.name,
        role: "replica" as const,
        host: r.host,
        port: r.port,
        state: r.inPool ? r.state : `${r.state}, out of the read pool`,
        ...(r.lagBytes !== undefined ? { lagBytes: r.lagBytes } : {}),
      })),
      routing: { writes: "the source's write endpoint (replicas are read-only)", reads: `${host}:${port} (HAProxy over the replicas within the lag policy)` },
    })),
    resources: [set],
  };
}
