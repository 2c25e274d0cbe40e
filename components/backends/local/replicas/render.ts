/**
 * How the local back end renders a ReadReplicaSet: one LocalReplicas resource, joined to the source
 * PgCluster's Patroni cluster or made of pg_basebackup copies of the source PgSingle (also
 * `PgSingle.readReplicas`), and the normalized outputs read from it. The set follows the source's
 * `lifecycle.state` (the `sourceState` input): stopped while the source is paused, started on resume.
 */
import * as pulumi from "@pulumi/pulumi";
import { ReadReplicaSetSpec } from "../../../model/spec";
import { DEFAULTS } from "../../../model/defaults";
import { Connection, Endpoint, connectionOf, endpointOf } from "../../../outputs";
import type { LocalServer } from "../../../providers/localServer";
import { LocalReplicas } from "../../../providers/localReplicas";
import { RenderedReplicaSet, RenderedSource } from "../../backend";
import { bindAddress } from "../cluster/config";
import { LocalClusterHandle } from "../cluster/render";
import { basebackupPath, noBasebackup } from "./single";

/** Suffix of the LocalReplicas child of a ReadReplicaSet. */
export const REPLICAS_CHILD = "replicas";

/** The set's directory name: the source's resource id and the set's name, in the characters a directory and a Patroni member name take. */
export function setIdOf(spec: ReadReplicaSetSpec): string {
  return `${spec.source.resourceId}-${spec.name.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`;
}

/** Refuses what the local back end cannot do for this source: replicas of a PgSingle need pg_basebackup of its major. */
export function checkLocalReplicas(spec: ReadReplicaSetSpec, source: RenderedSource): void {
  const handle = source.rendered.handle as { type?: string } | undefined;
  if (handle?.type === "local-cluster") return;
  if (handle?.type === "local-single") {
    if (!basebackupPath(source.spec.version)) throw new Error(`ReadReplicaSet ${JSON.stringify(spec.name)}: \`source\` ${JSON.stringify(source.spec.name)} runs PostgreSQL ${source.spec.version}; ${noBasebackup(source.spec.version)}`);
    return;
  }
  throw new Error(`ReadReplicaSet ${JSON.stringify(spec.name)}: \`source\` ${JSON.stringify(source.spec.name)} was not rendered by the local back end`);
}

/** Renders the replica set on this machine: Patroni members of a PgCluster, or pg_basebackup copies of a PgSingle. */
export function renderLocalReplicas(scope: pulumi.ComponentResource, spec: ReadReplicaSetSpec, source: RenderedSource): RenderedReplicaSet {
  if ((source.rendered.handle as { type?: string }).type === "local-single") {
    return renderSingleReplicas(scope, `${spec.name}-${REPLICAS_CHILD}`, setIdOf(spec), spec, source);
  }
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
      sourceState: source.spec.lifecycle.state,
    },
    { parent: scope, dependsOn: [handle.cluster] },
  );
  return replicaSetOutputs(set, spec, app);
}

/** What the local back end keeps about a pg_single (see `LocalSingleHandle` in ../index.ts). */
interface SingleHandle {
  server: LocalServer;
  dataRoot: string;
  runAs: string;
  superuserPassword: pulumi.Output<string>;
}

/** The policy of a set of replicas of a PgSingle: a ReadReplicaSet's, or `PgSingle.readReplicas`'s defaults. */
export type ReplicaPolicy = Pick<ReadReplicaSetSpec, "replicas" | "lagPolicy" | "endpointStrategy" | "pooling">;

/**
 * Streaming replicas of a local PgSingle: one LocalReplicas (`sourceKind: single`) named `childName`,
 * after the single's server. Used by ReadReplicaSet and by `PgSingle.readReplicas`.
 */
export function renderSingleReplicas(scope: pulumi.ComponentResource, childName: string, setId: string, policy: ReplicaPolicy, source: RenderedSource): RenderedReplicaSet {
  const handle = source.rendered.handle as SingleHandle;
  const app = source.rendered.connection;
  // LocalServer has the server binaries' directory among its outputs (not declared on its class).
  const binDir = (handle.server as unknown as { binDir: pulumi.Output<string> }).binDir;
  const set = new LocalReplicas(
    childName,
    {
      setId,
      clusterId: source.spec.resourceId,
      dataRoot: handle.dataRoot,
      runAs: handle.runAs,
      primaryPort: handle.server.port,
      superuser: DEFAULTS.superuser,
      superuserPassword: handle.superuserPassword,
      databaseName: app.database,
      username: app.user,
      replicas: policy.replicas,
      lagPolicy: policy.lagPolicy,
      endpointStrategy: policy.endpointStrategy,
      pooling: policy.pooling,
      bindAddress: bindAddress(source.spec.network.allowedCidrs),
      sourceKind: "single",
      binDir,
      sourceState: source.spec.lifecycle.state,
    },
    { parent: scope, dependsOn: [handle.server] },
  );
  return replicaSetOutputs(set, policy, app);
}

/** The normalized outputs of a LocalReplicas. */
function replicaSetOutputs(set: LocalReplicas, policy: ReplicaPolicy, app: Connection): RenderedReplicaSet {
  const replicaEndpoints: Endpoint[] = [];
  if (policy.endpointStrategy === "per_replica") {
    for (let i = 0; i < policy.replicas; i++) replicaEndpoints.push(endpointOf(set.host, set.layout.apply((l) => l.members[i].endpointPort!)));
  }
  const pooled = policy.pooling.enabled;
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
        // A stopped replica (the source paused, or drift) is out of the pool by itself.
        state: r.inPool || r.state === "stopped" ? r.state : `${r.state}, out of the read pool`,
        ...(r.lagBytes !== undefined ? { lagBytes: r.lagBytes } : {}),
      })),
      routing: { writes: "the source's write endpoint (replicas are read-only)", reads: `${host}:${port} (HAProxy over the replicas within the lag policy)` },
    })),
    resources: [set],
  };
}
