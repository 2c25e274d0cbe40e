/**
 * How the local back end renders a PgCluster: three generated passwords and one LocalCluster
 * (etcd, 1 + `standbys` Patroni members, HAProxy), and the normalized outputs read from it.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { catalogInputOf, catalogTarget } from "../../../catalog/target";
import { DEFAULTS } from "../../../model/defaults";
import { PgClusterSpec } from "../../../model/spec";
import { shardingElsewhere } from "../../../model/schemas/sharding";
import { connectionOf, endpointOf } from "../../../outputs";
import { LocalCluster } from "../../../providers/localCluster";
import { RenderedBackupSource, RenderedDbResource } from "../../backend";
import { clusterArchiveCommand } from "../backup/pgbackrest";
import { clusterCloneSourceOf } from "../backup/render";
import { DEFAULT_TIMING, LocalClusterSpec } from "./spec";

/**
 * What the local back end keeps about a pg_cluster it rendered, for the components that act on it
 * later (ReadReplicaSet, BackupPolicy, BlueGreenUpgrade).
 *
 * Restore and backup hooks of the LocalCluster resource (for BackupPolicy and restore):
 * - `bootstrap: { command, keepExistingRecoveryConf?, recoveryConf? }`: the first node is made by
 *   Patroni's custom bootstrap running `<command> --scope=<resourceId> --datadir=<member data dir>`
 *   as the service user (e.g. a `pgbackrest restore` wrapper) instead of initdb; `recoveryConf`
 *   (`restore_command`, `recovery_target_time`, `recovery_target_action`, ...) is what Patroni
 *   writes for that node's recovery. The other members then clone it.
 * - `archiveCommand`: sets `archive_mode = on` and this `archive_command` cluster-wide (Patroni
 *   dynamic configuration), so WAL is archived from whichever member is primary.
 * - `restoreCommand`: `restore_command` on every member (fetching archived WAL when streaming falls behind).
 * - `backupAccess` (always on here, with the conditional pgBackRest `archiveCommand`): a private socket
 *   with peer login for the superuser on every member; `restore` (a clone): the provider builds
 *   `bootstrap` from it at create (restore/clusterRestore.ts). BackupPolicy: backup/render.ts.
 * Members' data directories are `<dataRoot>/<resourceId>/members/<name>/data`; `layout` gives
 * their ports; the primary is the member named by `primary` (Patroni's leader).
 */
export interface LocalClusterHandle {
  type: "local-cluster";
  cluster: LocalCluster;
  resourceId: string;
  dataRoot: string;
  runAs: string;
  version: string;
  superuser: string;
  superuserPassword: pulumi.Output<string>;
  replicationPassword: pulumi.Output<string>;
  host: pulumi.Output<string>;
  writePort: pulumi.Output<number>;
  readPort: pulumi.Output<number>;
  etcdPort: pulumi.Output<number>;
}

/** Suffixes of the children the local back end creates for a pg_cluster named `name`. */
export const CLUSTER_CHILD = {
  superuserPassword: "superuser-password",
  replicationPassword: "replication-password",
  appPassword: "app-password",
  cluster: "cluster",
} as const;

/** Refuses what a local PgCluster cannot do (yet), listing every problem with its field. */
export function checkLocalCluster(spec: PgClusterSpec): void {
  const refuse: string[] = [];
  if (spec.sharding) refuse.push(shardingElsewhere("local", "a local PgCluster is one primary whose standbys all hold every row", spec.sharding));
  if (spec.readReplicas > 0) refuse.push(`\`readReplicas\` ${spec.readReplicas}: read replicas of a local PgCluster come with a ReadReplicaSet whose \`source\` is this cluster`);
  if (spec.quotas) refuse.push("`quotas`: db_resource quotas on the local back end are enforced on a PgSingle; a PgCluster's are not available yet");
  if (spec.maintenance?.vacuumAnalyze) refuse.push("`maintenance.vacuumAnalyze`: scheduled maintenance on the local back end runs on a PgSingle (pg_cron); a PgCluster's is not available yet");
  if (spec.local.port !== undefined) refuse.push(`\`local.port\` ${spec.local.port}: a local PgCluster chooses free ports for its write and read endpoints (and every member) at create and keeps them`);
  if (spec.restore?.mode === "in_place") {
    refuse.push(
      "`restore.mode` `in_place`: an in-place restore of a local PgCluster is not available (every member would be stopped, one restored and the others re-cloned, " +
        "and Patroni's state in etcd (leader, timeline history) reset); restore a clone instead (`restore: { mode: \"clone\", from: <BackupPolicy>, ... }`) and move the application to it",
    );
  }
  if (refuse.length > 0) throw new Error(`PgCluster ${JSON.stringify(spec.name)} asks for what the local back end cannot do yet:\n  - ${refuse.join("\n  - ")}`);
}

/** The parameters a local cluster runs with: the plan's (or spec's), then the local compute settings. */
function clusterParametersOf(spec: PgClusterSpec): Record<string, string> {
  const c = spec.compute.local;
  return { ...spec.parameters, shared_buffers: c.sharedBuffers, effective_cache_size: c.effectiveCacheSize, work_mem: c.workMem, maintenance_work_mem: c.maintenanceWorkMem };
}

/** Says when parameters wait for a restart in the maintenance window (the provider itself cannot log). */
function warnPendingRestart(scope: pulumi.ComponentResource, spec: PgClusterSpec, cluster: LocalCluster): void {
  cluster.pendingRestart.apply((pending) => {
    if (!Array.isArray(pending) || pending.length === 0) return;
    pulumi.log.warn(
      `${pending.map((k) => `\`${k}\``).join(", ")} changed and wait${pending.length === 1 ? "s" : ""} for a restart in the maintenance window ${spec.lifecycle.maintenanceWindow} (UTC): ` +
        "the next `pulumi up` inside it restarts the cluster's members, standbys first and the primary last; set `lifecycle.applyImmediately: true` to restart now",
      scope,
    );
  });
}

/** Renders a pg_cluster on this machine. */
export function renderLocalCluster(scope: pulumi.ComponentResource, spec: PgClusterSpec, dataRoot: string, runAs: string, restoreFrom?: RenderedBackupSource): RenderedDbResource {
  const name = spec.name;
  const clone = spec.restore && restoreFrom ? clusterCloneSourceOf(spec, restoreFrom) : undefined;
  if (spec.backup.enabled) {
    pulumi.log.warn(
      `plan \`${spec.plan}\` asks for ${spec.backup.schedule} backups${spec.backup.pitr ? " with PITR" : ""}, which the local back end does not take by itself: ` +
        "this cluster has no backups until a BackupPolicy targets it (set `backup.enabled: false` to silence this)",
      scope,
    );
  }
  const password = (suffix: string) =>
    pulumi.secret(new random.RandomPassword(`${name}-${suffix}`, { length: DEFAULTS.passwordLength, special: false }, { parent: scope }).result);
  const superuserPassword = password(CLUSTER_CHILD.superuserPassword);
  const replicationPassword = password(CLUSTER_CHILD.replicationPassword);
  const appPassword = password(CLUSTER_CHILD.appPassword);
  const catalog = catalogInputOf(catalogTarget());
  const timing: LocalClusterSpec["timing"] = { ...DEFAULT_TIMING };
  const cluster = new LocalCluster(
    `${name}-${CLUSTER_CHILD.cluster}`,
    {
      resourceId: spec.resourceId,
      resourceKind: spec.kind,
      version: spec.version,
      dataRoot,
      runAs,
      allowedCidrs: spec.network.allowedCidrs,
      superuser: DEFAULTS.superuser,
      superuserPassword,
      replicationPassword,
      databaseName: spec.databaseName,
      username: spec.username,
      password: appPassword,
      parameters: clusterParametersOf(spec),
      standbys: spec.standbys,
      syncStandbys: spec.replicationMode === "sync" ? spec.syncStandbys : 0,
      timing,
      storageGb: spec.storage.sizeGb,
      binarySearchPaths: [path.resolve(__dirname, "..", "..", "..", "..")],
      // WAL archiving hook: pushes only once a BackupPolicy writes the cluster's pgbackrest.conf; the private socket is how pgBackRest logs in.
      archiveCommand: clusterArchiveCommand(path.join(dataRoot, spec.resourceId), spec.resourceId),
      backupAccess: true,
      ...(spec.lifecycle.state === "paused" ? { paused: true } : {}),
      maintenanceWindow: spec.lifecycle.maintenanceWindow,
      applyImmediately: spec.lifecycle.applyImmediately ?? false,
      deletionPolicy: spec.lifecycle.deletionPolicy,
      softDeleteRetentionDays: spec.lifecycle.softDeleteRetentionDays,
      ...(clone ? { restore: clone.source } : {}),
      ...(catalog ? { catalog } : {}),
      labels: spec.labels,
    },
    { parent: scope, protect: spec.lifecycle.deletionProtection, ...(clone ? { dependsOn: clone.dependsOn } : {}) },
  );
  warnPendingRestart(scope, spec, cluster);
  const handle: LocalClusterHandle = {
    type: "local-cluster",
    cluster,
    resourceId: spec.resourceId,
    dataRoot,
    runAs,
    version: spec.version,
    superuser: DEFAULTS.superuser,
    superuserPassword: cluster.superuserPassword,
    replicationPassword: cluster.replicationPassword,
    host: cluster.host,
    writePort: cluster.writePort,
    readPort: cluster.readPort,
    etcdPort: cluster.etcdPort,
  };
  const compute = `shared_buffers=${spec.compute.local.sharedBuffers}, ${spec.standbys + 1} nodes`;
  return {
    endpoints: { write: endpointOf(cluster.host, cluster.writePort), read: endpointOf(cluster.host, cluster.readPort) },
    topology: pulumi.all([cluster.host, cluster.writePort, cluster.readPort, cluster.primary, cluster.members]).apply(([host, w, r, primary, members]) => ({
      ...(primary ? { primary } : {}),
      members: (members ?? []).map((m) => ({
        name: m.name,
        role: m.role,
        host: m.host,
        port: m.port,
        state: m.state,
        ...(m.lagBytes !== undefined ? { lagBytes: m.lagBytes } : {}),
      })),
      routing: { writes: `${host}:${w} (HAProxy to Patroni's primary)`, reads: `${host}:${r} (HAProxy over the running standbys)` },
    })),
    handle,
    resources: [cluster],
    connection: connectionOf(cluster.host, cluster.writePort, spec.databaseName, spec.username, cluster.password),
    adminConnection: connectionOf(cluster.host, cluster.writePort, "postgres", DEFAULTS.superuser, cluster.superuserPassword),
    resourceId: cluster.resourceId,
    status: cluster.status,
    metadata: cluster.status.apply(() => ({
      kind: spec.kind,
      plan: spec.plan,
      version: spec.version,
      backend: "local" as const,
      region: DEFAULTS.localRegion,
      size: { compute, storageGb: spec.storage.sizeGb },
    })),
  };
}
