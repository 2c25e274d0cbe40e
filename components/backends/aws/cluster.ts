/**
 * PgCluster on AWS, two topologies behind the same args:
 * - `aurora`: an `rds.Cluster` (engine `aurora-postgresql`) with `rds.ClusterInstance`s: the
 *   writer in promotion tier 0, the standbys in tier 1 (failover candidates), the read replicas in
 *   tier 15, spread over the subnets' zones. Cluster endpoint = write, reader endpoint = read.
 * - `multi_az_cluster`: an RDS Multi-AZ DB cluster (`rds.Cluster` engine `postgres` with
 *   `dbClusterInstanceClass`): 1 writer and 2 readable standbys in 3 zones that RDS makes itself.
 * With `sharding`, the Aurora cluster is an Aurora Limitless one whose compute is a DB shard group
 * instead of members (./sharding.ts); both endpoints are the shard group's.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { renderAppAccess } from "./appRole";
import { renderAwsMaintenance } from "./maintenance";
import { masterUsernameOf, sqlAccessOf } from "./sqlAccess";
import { DEFAULTS } from "../../model/defaults";
import { PgClusterSpec } from "../../model/spec";
import { Topology, TopologyMember, connectionOf, endpointOf } from "../../outputs";
import { RenderedBackupSource, RenderedDbResource } from "../backend";
import { connectionPasswordOf, generatedPassword } from "./credentials";
import { AwsHandle } from "./handle";
import { deletionArgs, finalSnapshotIdOf } from "./instance";
import { AlarmSpec, alarmTopicOf, monitoringRoleOf, nodeAlarms, renderAlarms } from "./monitoring";
import { AWS_CHILD, IDENTIFIER_SUFFIX, PG_PORT, tagsOf } from "./names";
import { AwsNetwork, renderNetwork, warnUnreachable } from "./network";
import { RdsEngine, familyOf, rdsParameters } from "./parameters";
import { RestorePlan, clusterRestoreOf, renderDnsRecord } from "./restore";
import { AwsSettings, settingsOf } from "./settings";
import { SHARDED_DATABASE } from "../../model/schemas/sharding";
import { renderShardGroup, shardedAlarms, shardedClusterArgs, shardedComputeOf, shardedTopologyOf } from "./sharding";
import { metadataOf, statusOf } from "./status";

/** Promotion tiers: the writer first, standbys next, read replicas last (still failover candidates on Aurora, the last ones). */
export const PROMOTION_TIER = { writer: 0, standby: 1, readReplica: 15 } as const;

/** What the clusters of one PgCluster share (the live one, a restored copy, a green side). */
export interface ClusterBase {
  spec: PgClusterSpec;
  settings: AwsSettings;
  network: AwsNetwork;
  parameterGroup: aws.rds.ClusterParameterGroup;
  monitoringRoleArn?: pulumi.Input<string>;
  password?: pulumi.Output<string>;
  zones: pulumi.Output<string[]>;
}

/** One rendered cluster and its members (or, sharded, its DB shard group). */
export interface RenderedCluster {
  cluster: aws.rds.Cluster;
  members: aws.rds.ClusterInstance[];
  shardGroup?: aws.rds.ShardGroup;
}

/** The engine of a topology. */
export function engineOf(spec: PgClusterSpec): RdsEngine {
  return spec.awsTopology === "aurora" ? "aurora-postgresql" : "postgres";
}

/** The distinct zones of the subnets, sorted: where members are spread. */
export function zonesOf(scope: pulumi.Resource, subnetIds: string[]): pulumi.Output<string[]> {
  const zones = subnetIds.map((id) => aws.ec2.getSubnetOutput({ id }, { parent: scope }).availabilityZone);
  return pulumi.all(zones).apply((z) => [...new Set(z)].sort());
}

/** The cluster parameter group: family from engine and major, the plan's parameters, TLS forced. */
export function renderClusterParameterGroup(scope: pulumi.ComponentResource, name: string, spec: PgClusterSpec, settings: AwsSettings, suffix: string = AWS_CHILD.clusterParameterGroup): aws.rds.ClusterParameterGroup {
  const family = familyOf(engineOf(spec), spec.version);
  return new aws.rds.ClusterParameterGroup(
    `${name}-${suffix}`,
    { namePrefix: `${settings.identifier}-${family}-`, family, description: `pgplatform ${spec.resourceId} (${spec.plan})`, parameters: rdsParameters(spec, settings), tags: tagsOf(spec) },
    { parent: scope },
  );
}

/** How many members an Aurora cluster has and in which tier each one is. */
export function memberTiers(spec: PgClusterSpec): number[] {
  return [PROMOTION_TIER.writer, ...Array(spec.standbys).fill(PROMOTION_TIER.standby), ...Array(spec.readReplicas).fill(PROMOTION_TIER.readReplica)];
}

/**
 * Renders one cluster (and, on Aurora, its members) named `${name}-<prefix>cluster`, identifier
 * `identifier`; `restore` holds its create-only inputs when it is restored.
 */
export function renderClusterCore(
  scope: pulumi.ComponentResource,
  name: string,
  prefix: string,
  identifier: string,
  b: ClusterBase,
  restore?: RestorePlan<Partial<aws.rds.ClusterArgs>>,
  finalSnapshotId?: pulumi.Output<string>,
): RenderedCluster {
  const { spec, settings, network } = b;
  const aurora = spec.awsTopology === "aurora";
  const sharded = spec.sharding !== undefined;
  const engine = engineOf(spec);
  const protect = spec.lifecycle.deletionProtection;
  const pi = settings.performanceInsights;
  const piArgs = { performanceInsightsEnabled: pi.enabled, ...(pi.enabled ? { performanceInsightsRetentionPeriod: pi.retentionDays } : {}), ...(pi.enabled && pi.kmsKeyId ? { performanceInsightsKmsKeyId: pi.kmsKeyId } : {}) };
  const monitoringArgs = { monitoringInterval: settings.monitoringInterval, ...(b.monitoringRoleArn ? { monitoringRoleArn: b.monitoringRoleArn } : {}) };
  const shape: Partial<aws.rds.ClusterArgs> = sharded
    ? shardedClusterArgs(spec, settings, b.monitoringRoleArn)
    : aurora
    ? settings.multiAz
      ? { availabilityZones: b.zones.apply((z) => z.slice(0, 3)) }
      : {}
    : {
        dbClusterInstanceClass: spec.compute.aws.instanceClass,
        storageType: "gp3",
        allocatedStorage: spec.storage.sizeGb,
        ...(settings.iops !== undefined ? { iops: settings.iops } : {}),
        ...piArgs,
        ...monitoringArgs,
      };
  const cluster = new aws.rds.Cluster(
    `${name}-${prefix}${AWS_CHILD.cluster}`,
    {
      clusterIdentifier: identifier,
      engine,
      engineVersion: spec.version,
      allowMajorVersionUpgrade: true,
      // A Limitless cluster's one database, `postgres_limitless`, cannot be named at create.
      ...(restore ? restore.args : { ...(sharded ? {} : { databaseName: spec.databaseName }), masterUsername: masterUsernameOf(spec) }),
      ...(b.password ? { masterPassword: b.password } : { manageMasterUserPassword: true, ...(settings.kmsKeyId ? { masterUserSecretKmsKeyId: settings.kmsKeyId } : {}) }),
      ...shape,
      port: PG_PORT,
      dbSubnetGroupName: network.subnetGroup.name,
      vpcSecurityGroupIds: [network.securityGroup.id],
      dbClusterParameterGroupName: b.parameterGroup.name,
      storageEncrypted: true,
      ...(settings.kmsKeyId ? { kmsKeyId: settings.kmsKeyId } : {}),
      // Automated backups cannot be off on a cluster: 1 day is the least RDS keeps.
      backupRetentionPeriod: spec.backup.enabled ? spec.backup.retentionDays : 1,
      preferredBackupWindow: settings.backupWindow,
      preferredMaintenanceWindow: spec.lifecycle.maintenanceWindow,
      enabledCloudwatchLogsExports: settings.logExports,
      applyImmediately: settings.applyImmediately,
      copyTagsToSnapshot: true,
      ...deletionArgs(settings, spec.lifecycle.deletionProtection, finalSnapshotId),
      tags: tagsOf(spec),
    },
    // Aurora adds zones it was not given (3 in all): they are a create-time choice, not drift.
    { parent: scope, protect, ...(aurora && !sharded ? { ignoreChanges: ["availabilityZones"] } : {}) },
  );
  const members: aws.rds.ClusterInstance[] = [];
  if (sharded) return { cluster, members, shardGroup: renderShardGroup(scope, name, prefix, identifier, spec, cluster) };
  if (aurora) {
    memberTiers(spec).forEach((tier, i) => {
      members.push(
        new aws.rds.ClusterInstance(
          `${name}-${prefix}${AWS_CHILD.clusterInstance}-${i + 1}`,
          {
            identifier: `${identifier}${IDENTIFIER_SUFFIX.member(i + 1)}`,
            clusterIdentifier: cluster.id,
            engine: "aurora-postgresql",
            engineVersion: spec.version,
            instanceClass: spec.compute.aws.instanceClass,
            promotionTier: tier,
            availabilityZone: b.zones.apply((z) => (settings.multiAz ? z[i % z.length] : z[0])),
            dbSubnetGroupName: network.subnetGroup.name,
            publiclyAccessible: spec.network.publicAccess,
            ...piArgs,
            ...monitoringArgs,
            autoMinorVersionUpgrade: true,
            preferredMaintenanceWindow: spec.lifecycle.maintenanceWindow,
            applyImmediately: settings.applyImmediately,
            copyTagsToSnapshot: true,
            tags: tagsOf(spec),
          },
          // The writer first: readers join a cluster that has one.
          { parent: scope, protect, ...(i > 0 ? { dependsOn: [members[0]] } : {}) },
        ),
      );
    });
  }
  return { cluster, members };
}

/** The alarms of a cluster: CPU and connections of the writer, free storage (Multi-AZ DB cluster), replica lag. */
export function clusterAlarms(spec: PgClusterSpec, settings: AwsSettings, clusterId: pulumi.Input<string>): AlarmSpec[] {
  const aurora = spec.awsTopology === "aurora";
  const writer = { DBClusterIdentifier: clusterId, Role: "WRITER" };
  const lag: AlarmSpec = aurora
    ? {
        key: "replica-lag",
        metricName: "AuroraReplicaLagMaximum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: DEFAULTS.maxReplicaLagSeconds * 1000,
        dimensions: { DBClusterIdentifier: clusterId },
        statistic: "Maximum",
        description: `a reader of ${spec.resourceId} more than ${DEFAULTS.maxReplicaLagSeconds} s behind for 15 minutes`,
      }
    : {
        key: "replica-lag",
        metricName: "ReplicaLag",
        comparisonOperator: "GreaterThanThreshold",
        threshold: DEFAULTS.maxReplicaLagSeconds,
        dimensions: { DBClusterIdentifier: clusterId },
        statistic: "Maximum",
        description: `a standby of ${spec.resourceId} more than ${DEFAULTS.maxReplicaLagSeconds} s behind for 15 minutes`,
      };
  return [...nodeAlarms(spec, settings, aurora ? writer : { DBClusterIdentifier: clusterId }, !aurora), lag];
}

/** Renders a PgCluster on AWS. */
export function renderClusterAws(scope: pulumi.ComponentResource, spec: PgClusterSpec, restoreFrom?: RenderedBackupSource, appPassword?: pulumi.Input<string>): RenderedDbResource {
  const name = spec.name;
  const settings = settingsOf(spec);
  const restore = spec.restore ? clusterRestoreOf(spec, restoreFrom) : undefined;
  const network = renderNetwork(scope, name, spec, settings);
  warnUnreachable(scope, spec);
  const parameterGroup = renderClusterParameterGroup(scope, name, spec, settings);
  const generated = generatedPassword(scope, name, settings);
  const monitoring = monitoringRoleOf(scope, name, spec, settings);
  const zones = zonesOf(scope, settings.subnetIds);
  const base: ClusterBase = { spec, settings, network, parameterGroup, monitoringRoleArn: monitoring.arn, password: generated, zones };
  const finalSnapshotId = settings.finalSnapshot ? finalSnapshotIdOf(scope, name, spec, settings.identifier) : undefined;
  const live = renderClusterCore(scope, name, "", settings.identifier, base, restore?.mode === "clone" ? restore : undefined, finalSnapshotId);
  const restored =
    restore?.mode === "in_place"
      ? renderClusterCore(scope, name, `${AWS_CHILD.restored}-`, `${settings.identifier}${IDENTIFIER_SUFFIX.restored(restore.key)}`, base, restore, finalSnapshotId?.apply((id) => `${id}-rst`))
      : undefined;
  const serving = restored ?? live;
  const password = connectionPasswordOf(scope, generated, live.cluster.masterUserSecrets);
  const masterUsername = restore?.username ?? masterUsernameOf(spec);
  const databaseName = restore?.databaseName ?? spec.databaseName;
  // Sharded, the application goes through the shard group's routers for reads and writes alike.
  const shards = serving.shardGroup;
  const endpoint = shards ? shards.endpoint : serving.cluster.endpoint;
  const record = settings.dns ? renderDnsRecord(scope, name, settings.dns, endpoint) : undefined;

  const topic = alarmTopicOf(scope, name, spec, settings);
  const alarmSpecs = shards ? shardedAlarms(spec, settings, shards.dbShardGroupIdentifier) : clusterAlarms(spec, settings, serving.cluster.clusterIdentifier);
  const alarms = renderAlarms(scope, name, spec, settings, alarmSpecs, topic.arn);

  const writeHost = record ? record.fqdn : endpoint;
  // With SQL access the application gets its own role, made through the writer endpoint once the members run.
  const access = sqlAccessOf(spec)
    ? renderAppAccess(scope, name, spec, { host: serving.cluster.endpoint, port: serving.cluster.port }, password, [serving.cluster, ...serving.members], databaseName, spec.username, appPassword)
    : undefined;
  const jobs = renderAwsMaintenance(scope, name, spec, { host: serving.cluster.endpoint, port: serving.cluster.port }, password, [serving.cluster, ...serving.members, ...(access ? access.resources : [])]);
  const write = endpointOf(writeHost, serving.cluster.port);
  const read = endpointOf(shards ? shards.endpoint : serving.cluster.readerEndpoint, serving.cluster.port);
  const handle: AwsHandle = {
    type: "aws",
    topology: spec.awsTopology === "aurora" ? "aurora" : "multi_az_cluster",
    baseIdentifier: settings.identifier,
    cluster: serving.cluster,
    members: serving.members,
    ...(shards ? { shardGroup: shards } : {}),
    identifier: serving.cluster.clusterIdentifier,
    arn: serving.cluster.arn,
    engine: engineOf(spec),
    family: familyOf(engineOf(spec), spec.version),
    securityGroup: network.securityGroup,
    subnetGroup: network.subnetGroup,
    parameterGroup,
    port: PG_PORT,
    masterUsername,
    masterPassword: password,
    masterSecretArn: generated ? undefined : live.cluster.masterUserSecrets.apply((s) => (s && s.length > 0 ? s[0].secretArn : "")),
    monitoringRoleArn: monitoring.arn,
    alarmTopicArn: topic.arn,
    settings,
  };
  const tiers = memberTiers(spec);
  const memberFacts: pulumi.Output<TopologyMember[]> =
    serving.members.length > 0
      ? pulumi.all(serving.members.map((m) => pulumi.all([m.identifier, m.endpoint, m.port, m.writer]))).apply((facts) =>
          facts.map(([id, host, port, writer], i) => ({
            name: id,
            role: writer ? ("primary" as const) : tiers[i] === PROMOTION_TIER.readReplica ? ("replica" as const) : ("standby" as const),
            host,
            port,
            state: "available",
          })),
        )
      : serving.cluster.clusterMembers.apply((ids) => (ids ?? []).map((id) => ({ name: id, role: "standby" as const })));
  return {
    connection: access
      ? connectionOf(writeHost, serving.cluster.port, databaseName, access.role.name, access.password)
      : connectionOf(writeHost, serving.cluster.port, databaseName, masterUsername, password),
    adminConnection: connectionOf(access ? serving.cluster.endpoint : writeHost, serving.cluster.port, shards ? SHARDED_DATABASE : "postgres", masterUsername, password),
    resourceId: pulumi.output(spec.resourceId),
    // @pulumi/aws reports no status for a cluster; the provider waits until RDS says `available` before it gives the identifier.
    status: serving.cluster.clusterIdentifier.apply(() => statusOf("available")),
    metadata: metadataOf(spec, serving.cluster.arn, shards ? shardedComputeOf(spec) : spec.compute.aws.instanceClass),
    endpoints: { write, read },
    topology: shards ? shardedTopologyOf(spec, settings, shards, serving.cluster.port) : pulumi.all([memberFacts, serving.cluster.endpoint, serving.cluster.readerEndpoint, serving.cluster.port]).apply(([members, writer, reader, port]): Topology => {
      const primary = members.find((m) => m.role === "primary")?.name;
      return {
        ...(primary ? { primary } : {}),
        members,
        routing: {
          writes: `${writer}:${port} (the cluster endpoint follows the writer across failovers${settings.dns ? `; through ${settings.dns.name}` : ""})`,
          reads: `${reader}:${port} (the reader endpoint balances over ${spec.awsTopology === "aurora" ? "every reader instance" : "the 2 readable standbys"})`,
        },
      };
    }),
    handle,
    resources: [
      ...network.rules,
      network.subnetGroup,
      network.securityGroup,
      parameterGroup,
      live.cluster,
      ...live.members,
      ...(live.shardGroup ? [live.shardGroup] : []),
      ...(restored ? [restored.cluster, ...restored.members] : []),
      ...(record ? [record] : []),
      ...(access ? access.resources : []),
      ...(jobs ? [jobs] : []),
      ...monitoring.resources,
      ...topic.resources,
      ...alarms,
    ],
  };
}
