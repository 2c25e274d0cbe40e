/**
 * PgSingle on AWS: one `rds.Instance` (gp3, encrypted, TLS forced by its parameter group) in its
 * own subnet group and security group, with its read replicas (`replicateSourceDb`), its run
 * state (`rds.InstanceDesiredState`), alarms, and, when asked, a Route53 record as the stable
 * endpoint and the restore it was made from.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import { DEFAULTS } from "../../model/defaults";
import { PgSingleSpec } from "../../model/spec";
import { connectionOf, endpointOf } from "../../outputs";
import { RenderedBackupSource, RenderedDbResource } from "../backend";
import { connectionPasswordOf, generatedPassword } from "./credentials";
import { AwsHandle } from "./handle";
import { renderAppAccess } from "./appRole";
import { alarmTopicOf, monitoringRoleOf, nodeAlarms, renderAlarms } from "./monitoring";
import { AWS_CHILD, IDENTIFIER_SUFFIX, PG_PORT, tagsOf } from "./names";
import { AwsNetwork, renderNetwork, warnUnreachable } from "./network";
import { familyOf, rdsParameters } from "./parameters";
import { instanceRestoreOf, renderDnsRecord } from "./restore";
import { AwsSettings, settingsOf } from "./settings";
import { renderAwsMaintenance } from "./maintenance";
import { masterUsernameOf, sqlAccessOf } from "./sqlAccess";
import { metadataOf, statusOf } from "./status";

/** What every RDS instance of a db_resource shares: network, parameters, monitoring. */
export interface InstanceBase {
  spec: PgSingleSpec;
  settings: AwsSettings;
  network: AwsNetwork;
  parameterGroup: aws.rds.ParameterGroup;
  monitoringRoleArn?: pulumi.Input<string>;
}

/** The inputs every instance of the db_resource takes (primary, replica, restored copy). */
export function commonInstanceArgs(b: InstanceBase): Partial<aws.rds.InstanceArgs> & { instanceClass: string } {
  const { spec, settings } = b;
  const pi = settings.performanceInsights;
  return {
    instanceClass: spec.compute.aws.instanceClass,
    storageType: "gp3",
    allocatedStorage: spec.storage.sizeGb,
    maxAllocatedStorage: spec.storage.autoscaleMaxGb,
    ...(settings.iops !== undefined ? { iops: settings.iops } : {}),
    ...(settings.throughputMbps !== undefined ? { storageThroughput: settings.throughputMbps } : {}),
    vpcSecurityGroupIds: [b.network.securityGroup.id],
    parameterGroupName: b.parameterGroup.name,
    publiclyAccessible: spec.network.publicAccess,
    port: PG_PORT,
    performanceInsightsEnabled: pi.enabled,
    ...(pi.enabled ? { performanceInsightsRetentionPeriod: pi.retentionDays } : {}),
    ...(pi.enabled && pi.kmsKeyId ? { performanceInsightsKmsKeyId: pi.kmsKeyId } : {}),
    monitoringInterval: settings.monitoringInterval,
    ...(b.monitoringRoleArn ? { monitoringRoleArn: b.monitoringRoleArn } : {}),
    enabledCloudwatchLogsExports: settings.logExports,
    autoMinorVersionUpgrade: true,
    maintenanceWindow: spec.lifecycle.maintenanceWindow,
    applyImmediately: settings.applyImmediately,
    copyTagsToSnapshot: true,
    tags: tagsOf(spec),
  };
}

/** The parameter group of an instance db_resource: family from the major, the plan's parameters, TLS forced. */
export function renderParameterGroup(scope: pulumi.ComponentResource, name: string, spec: PgSingleSpec, settings: AwsSettings, suffix: string = AWS_CHILD.parameterGroup): aws.rds.ParameterGroup {
  const family = familyOf("postgres", spec.version);
  // Auto-named (`namePrefix`): a new major makes a new group, which Pulumi creates before deleting the old one.
  return new aws.rds.ParameterGroup(
    `${name}-${suffix}`,
    { namePrefix: `${settings.identifier}-${family}-`, family, description: `pgplatform ${spec.resourceId} (${spec.plan})`, parameters: rdsParameters(spec, settings), tags: tagsOf(spec) },
    { parent: scope },
  );
}

/** A final snapshot name that is unique yet stable across runs: the identifier and a RandomId made once. */
export function finalSnapshotIdOf(scope: pulumi.ComponentResource, name: string, spec: { labels: Record<string, string>; tags: Record<string, string> }, identifier: string): pulumi.Output<string> {
  const id = new random.RandomId(`${name}-${AWS_CHILD.finalSnapshotId}`, { byteLength: 4, keepers: { identifier } }, { parent: scope });
  return pulumi.interpolate`${identifier}-final-${id.hex}`;
}

/** Deletion inputs of a primary: deletion protection, final snapshot, automated backups kept or not. */
export function deletionArgs(settings: AwsSettings, deletionProtection: boolean, finalSnapshotId?: pulumi.Output<string>) {
  return {
    deletionProtection,
    skipFinalSnapshot: !settings.finalSnapshot,
    ...(settings.finalSnapshot && finalSnapshotId ? { finalSnapshotIdentifier: finalSnapshotId } : {}),
    deleteAutomatedBackups: settings.deleteAutomatedBackups,
  };
}

/** Renders a PgSingle on AWS. */
export function renderSingleAws(scope: pulumi.ComponentResource, spec: PgSingleSpec, restoreFrom?: RenderedBackupSource, appPassword?: pulumi.Input<string>): RenderedDbResource {
  const name = spec.name;
  const settings = settingsOf(spec);
  const restore = spec.restore ? instanceRestoreOf(spec, restoreFrom) : undefined;
  const network = renderNetwork(scope, name, spec, settings);
  warnUnreachable(scope, spec);
  const parameterGroup = renderParameterGroup(scope, name, spec, settings);
  const generated = generatedPassword(scope, name, settings);
  const monitoring = monitoringRoleOf(scope, name, spec, settings);
  const base: InstanceBase = { spec, settings, network, parameterGroup, monitoringRoleArn: monitoring.arn };
  const finalSnapshotId = settings.finalSnapshot ? finalSnapshotIdOf(scope, name, spec, settings.identifier) : undefined;
  const protect = spec.lifecycle.deletionProtection;
  const clone = restore?.mode === "clone" ? restore : undefined;
  const masterUsername = restore?.username ?? masterUsernameOf(spec);
  const databaseName = restore?.databaseName ?? spec.databaseName;

  const instance = new aws.rds.Instance(
    `${name}-${AWS_CHILD.instance}`,
    {
      ...commonInstanceArgs(base),
      identifier: settings.identifier,
      engine: "postgres",
      engineVersion: spec.version,
      // A change of `version` is a deliberate major upgrade; RDS needs this flag for it.
      allowMajorVersionUpgrade: true,
      ...(clone ? clone.args : { dbName: spec.databaseName, username: masterUsername }),
      ...(generated ? { password: generated } : { manageMasterUserPassword: true, ...(settings.kmsKeyId ? { masterUserSecretKmsKeyId: settings.kmsKeyId } : {}) }),
      storageEncrypted: true,
      ...(settings.kmsKeyId ? { kmsKeyId: settings.kmsKeyId } : {}),
      dbSubnetGroupName: network.subnetGroup.name,
      multiAz: settings.multiAz,
      ...(settings.availabilityZone ? { availabilityZone: settings.availabilityZone } : {}),
      backupRetentionPeriod: spec.backup.enabled ? spec.backup.retentionDays : 0,
      ...(spec.backup.enabled ? { backupWindow: settings.backupWindow } : {}),
      ...(settings.blueGreenUpdate ? { blueGreenUpdate: { enabled: true } } : {}),
      ...deletionArgs(settings, spec.lifecycle.deletionProtection, finalSnapshotId),
    },
    { parent: scope, protect },
  );
  const password = connectionPasswordOf(scope, generated, instance.masterUserSecrets);

  const replicas: aws.rds.Instance[] = [];
  for (let i = 1; i <= spec.readReplicas; i++) {
    replicas.push(
      new aws.rds.Instance(
        `${name}-${AWS_CHILD.replica}-${i}`,
        {
          ...commonInstanceArgs(base),
          identifier: `${settings.identifier}${IDENTIFIER_SUFFIX.replica(i)}`,
          replicateSourceDb: instance.identifier,
          backupRetentionPeriod: 0,
          skipFinalSnapshot: true,
          deletionProtection: spec.lifecycle.deletionProtection,
        },
        { parent: scope, protect },
      ),
    );
  }

  const desiredState = new aws.rds.InstanceDesiredState(
    `${name}-${AWS_CHILD.desiredState}`,
    { identifier: instance.identifier, state: spec.lifecycle.state === "paused" ? "stopped" : "available" },
    { parent: scope, dependsOn: replicas },
  );
  if (spec.lifecycle.state === "paused") {
    pulumi.log.warn(
      `\`lifecycle.state\` \`paused\` stops RDS instance ${settings.identifier}; AWS starts a stopped instance again after 7 days, and the next \`pulumi up\` stops it again`,
      scope,
    );
  }

  // In place: a restored copy serves, and the Route53 record moves to it; the original stays as the safety copy.
  const restored = restore?.mode === "in_place"
    ? new aws.rds.Instance(
        `${name}-${AWS_CHILD.restored}`,
        {
          ...commonInstanceArgs(base),
          identifier: `${settings.identifier}${IDENTIFIER_SUFFIX.restored(restore.key)}`,
          ...restore.args,
          ...(generated ? { password: generated } : {}),
          storageEncrypted: true,
          ...(settings.kmsKeyId ? { kmsKeyId: settings.kmsKeyId } : {}),
          dbSubnetGroupName: network.subnetGroup.name,
          multiAz: settings.multiAz,
          backupRetentionPeriod: spec.backup.enabled ? spec.backup.retentionDays : 0,
          ...(spec.backup.enabled ? { backupWindow: settings.backupWindow } : {}),
          ...deletionArgs(settings, spec.lifecycle.deletionProtection, finalSnapshotId?.apply((id) => `${id}-rst`)),
        },
        { parent: scope, protect },
      )
    : undefined;
  const serving = restored ?? instance;
  const record = settings.dns ? renderDnsRecord(scope, name, settings.dns, serving.address) : undefined;

  const topic = alarmTopicOf(scope, name, spec, settings);
  const alarms = renderAlarms(scope, name, spec, settings, [
    ...nodeAlarms(spec, settings, { DBInstanceIdentifier: serving.identifier }, true),
    ...replicas.map((r, i) => ({
      key: `replica-lag-${i + 1}`,
      metricName: "ReplicaLag",
      comparisonOperator: "GreaterThanThreshold" as const,
      threshold: DEFAULTS.maxReplicaLagSeconds,
      dimensions: { DBInstanceIdentifier: r.identifier },
      statistic: "Maximum" as const,
      description: `replica ${i + 1} of ${spec.resourceId} more than ${DEFAULTS.maxReplicaLagSeconds} s behind for 15 minutes`,
    })),
  ], topic.arn);

  const host = record ? record.fqdn : serving.address;
  const port = serving.port;
  // With SQL access the application gets its own role; the master user stays the admin, on the RDS endpoint (TLS names it).
  const access = sqlAccessOf(spec) ? renderAppAccess(scope, name, spec, { host: serving.address, port }, password, [serving, desiredState], databaseName, spec.username, appPassword) : undefined;
  const jobs = renderAwsMaintenance(scope, name, spec, { host: serving.address, port }, password, [serving, desiredState, ...(access ? access.resources : [])]);
  const write = endpointOf(host, port);
  const read = replicas.length > 0 ? endpointOf(replicas[0].address, replicas[0].port) : write;
  const handle: AwsHandle = {
    type: "aws",
    topology: "instance",
    baseIdentifier: settings.identifier,
    instance: serving,
    members: [],
    identifier: serving.identifier,
    arn: serving.arn,
    engine: "postgres",
    family: familyOf("postgres", spec.version),
    securityGroup: network.securityGroup,
    subnetGroup: network.subnetGroup,
    parameterGroup,
    port: PG_PORT,
    masterUsername,
    masterPassword: password,
    masterSecretArn: generated ? undefined : instance.masterUserSecrets.apply((s) => (s && s.length > 0 ? s[0].secretArn : "")),
    monitoringRoleArn: monitoring.arn,
    alarmTopicArn: topic.arn,
    settings,
  };
  const members = [serving, ...replicas];
  return {
    connection: access ? connectionOf(host, port, databaseName, access.role.name, access.password) : connectionOf(host, port, databaseName, masterUsername, password),
    adminConnection: connectionOf(access ? serving.address : host, port, "postgres", masterUsername, password),
    resourceId: pulumi.output(spec.resourceId),
    status: serving.status.apply(statusOf),
    metadata: metadataOf(spec, serving.arn, spec.compute.aws.instanceClass),
    endpoints: { write, read },
    topology: pulumi
      .all(members.map((m) => pulumi.all([m.identifier, m.address, m.port, m.status])))
      .apply((facts) => ({
        primary: facts[0][0],
        members: facts.map(([id, address, p, status], i) => ({ name: id, role: i === 0 ? ("primary" as const) : ("replica" as const), host: address, port: p, state: status })),
        routing: {
          writes: `${facts[0][1]}:${facts[0][2]}${settings.dns ? ` (through ${settings.dns.name})` : ""}`,
          reads:
            facts.length > 1
              ? `${facts[1][1]}:${facts[1][2]} (replica 1 of ${facts.length - 1}; add a ReadReplicaSet for one endpoint over several)`
              : `${facts[0][1]}:${facts[0][2]} (a pg_single has one node: add a ReadReplicaSet for read scale)`,
        },
      })),
    handle,
    resources: [...network.rules, network.subnetGroup, network.securityGroup, parameterGroup, instance, ...replicas, desiredState, ...(restored ? [restored] : []), ...(record ? [record] : []), ...(access ? access.resources : []), ...(jobs ? [jobs] : []), ...monitoring.resources, ...topic.resources, ...alarms],
  };
}
