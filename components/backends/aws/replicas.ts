/**
 * ReadReplicaSet on AWS. On a PgSingle: RDS read replicas (`replicateSourceDb`); one endpoint over
 * several needs the source's `aws.dns` (a weighted Route53 record per replica). On Aurora: reader
 * `rds.ClusterInstance`s in the last promotion tier with a custom READER `rds.ClusterEndpoint`
 * over exactly them, and RDS Proxy when pooling is asked for. The lag policy is a CloudWatch alarm
 * per replica (`ReplicaLag`, `AuroraReplicaLag`): AWS does not take a lagging replica out of an
 * endpoint by itself.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { DEFAULTS } from "../../model/defaults";
import { Problems, show } from "../../model/errors";
import { PgSingleSpec, ReadReplicaSetSpec } from "../../model/spec";
import { Endpoint, connectionOf, endpointOf } from "../../outputs";
import { RenderedReplicaSet, RenderedSource } from "../backend";
import { awsSubject } from "./checks";
import { PROMOTION_TIER } from "./cluster";
import { awsHandleOf } from "./handle";
import { commonInstanceArgs } from "./instance";
import { AlarmSpec, renderAlarms } from "./monitoring";
import { AWS_CHILD, IDENTIFIER_SUFFIX, tagsOf } from "./names";
import { renderProxy } from "./proxy";
import { statusOf } from "./status";

/** Checks a ReadReplicaSet against its source on AWS; throws one ValidationError listing every problem. */
export function checkReplicasAws(spec: ReadReplicaSetSpec, source: RenderedSource): void {
  const p = new Problems();
  const h = awsHandleOf(source.rendered.handle, `the source of ReadReplicaSet ${JSON.stringify(spec.name)}`);
  if (h.shardGroup) {
    p.add("source", `\`source\` \`${source.spec.resourceId}\` is a sharded PgCluster (Aurora Limitless Database), which takes no read replicas, custom endpoints or RDS Proxy: its routers serve reads, and \`sharding.maxAcu\` scales them`);
    p.throwIfAny(awsSubject("ReadReplicaSet", spec.name));
  }
  if (h.topology === "multi_az_cluster") {
    p.add("source", "`source` is an RDS Multi-AZ DB cluster, which takes no further readers (its 2 readable standbys are behind its reader endpoint; use `awsTopology` `aurora` for read scale)");
  }
  if (spec.lagPolicy.maxBytes !== undefined) {
    p.add("maxLagBytes", `\`maxLagBytes\` cannot be watched on the \`aws\` back end (CloudWatch measures replica lag in time; use \`maxLagSeconds\`); got ${spec.lagPolicy.maxBytes}`);
  }
  if (h.topology === "instance") {
    if (!source.spec.backup.enabled) p.add("source", `\`source\` \`${source.spec.resourceId}\` has \`backup.enabled\` false, and RDS creates read replicas from automated backups (enable backups on the source)`);
    if (h.settings.manageMasterUserPassword) p.add("source", `\`source\` \`${source.spec.resourceId}\` has \`aws.manageMasterUserPassword\`, which RDS does not support on a replica source`);
    if (spec.endpointStrategy === "single" && spec.replicas > 1 && !h.settings.dns) {
      p.add(
        "endpointStrategy",
        `\`endpointStrategy\` \`single\` over ${spec.replicas} RDS instance replicas needs \`aws.dns\` on the source (RDS has no endpoint over instance replicas; pgplatform then makes a weighted Route53 record per replica), or use \`endpointStrategy\` \`per_replica\`; got "single"`,
      );
    }
    if (spec.pooling.enabled) {
      p.add("pooling.enabled", "`pooling.enabled` is not possible over RDS instance replicas (RDS Proxy serves a writer instance or an Aurora cluster, never an instance's read replicas; use a PgCluster on Aurora); got true");
    }
  }
  if (spec.pooling.enabled) {
    if (spec.pooling.maxClientConnections !== DEFAULTS.pooling.maxClientConnections) {
      p.add(
        "pooling.maxClientConnections",
        `\`pooling.maxClientConnections\` cannot be enforced by RDS Proxy (it takes any number of clients and bounds database connections only, through \`defaultPoolSize\`); leave it out; got ${spec.pooling.maxClientConnections}`,
      );
    }
    const max = Number(source.spec.parameters.max_connections ?? "100");
    if (spec.pooling.defaultPoolSize > max) {
      p.add("pooling.defaultPoolSize", `\`pooling.defaultPoolSize\` must be at most the source's \`max_connections\` (${max}): RDS Proxy opens a share of them; got ${show(spec.pooling.defaultPoolSize)}`);
    }
  }
  p.throwIfAny(awsSubject("ReadReplicaSet", spec.name));
}

/** The lag alarm of one replica. */
function lagAlarm(spec: ReadReplicaSetSpec, i: number, id: pulumi.Input<string>, aurora: boolean): AlarmSpec {
  const seconds = spec.lagPolicy.maxSeconds ?? DEFAULTS.maxReplicaLagSeconds;
  return {
    key: `replica-lag-${i}`,
    metricName: aurora ? "AuroraReplicaLag" : "ReplicaLag",
    comparisonOperator: "GreaterThanThreshold",
    threshold: aurora ? seconds * 1000 : seconds,
    dimensions: { DBInstanceIdentifier: id },
    statistic: "Maximum",
    description: `replica ${i} of ReadReplicaSet ${spec.name} more than ${seconds} s behind (\`maxLagSeconds\`) for 15 minutes`,
  };
}

/** Renders a ReadReplicaSet on AWS. */
export function renderReplicasAws(scope: pulumi.ComponentResource, spec: ReadReplicaSetSpec, source: RenderedSource): RenderedReplicaSet {
  const h = awsHandleOf(source.rendered.handle, `the source of ReadReplicaSet ${JSON.stringify(spec.name)}`);
  const name = spec.name;
  const src = source.spec;
  const tags = tagsOf(src);
  const protect = src.lifecycle.deletionProtection;
  const aurora = h.topology === "aurora";
  const resources: pulumi.Resource[] = [];
  let nodes: { id: pulumi.Output<string>; host: pulumi.Output<string>; port: pulumi.Output<number>; status: pulumi.Output<string> }[];
  let single: Endpoint;

  if (!aurora) {
    const replicas = Array.from({ length: spec.replicas }, (_, k) => {
      const i = k + 1;
      return new aws.rds.Instance(
        `${name}-${AWS_CHILD.replica}-${i}`,
        {
          ...commonInstanceArgs({ spec: src as PgSingleSpec, settings: h.settings, network: { subnetGroup: h.subnetGroup, securityGroup: h.securityGroup, rules: [] }, parameterGroup: h.parameterGroup as aws.rds.ParameterGroup, monitoringRoleArn: h.monitoringRoleArn }),
          identifier: `${h.baseIdentifier}${IDENTIFIER_SUFFIX.setReplica(name, i)}`,
          replicateSourceDb: h.identifier,
          backupRetentionPeriod: 0,
          skipFinalSnapshot: true,
          deletionProtection: src.lifecycle.deletionProtection,
        },
        { parent: scope, protect },
      );
    });
    resources.push(...replicas);
    nodes = replicas.map((r) => ({ id: r.identifier, host: r.address, port: r.port, status: r.status }));
    if (spec.replicas > 1 && h.settings.dns) {
      const dns = h.settings.dns;
      const recordName = `${name.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}.${dns.name}`;
      const records = replicas.map(
        (r, k) =>
          new aws.route53.Record(
            `${name}-${AWS_CHILD.dnsRecord}-${k + 1}`,
            { zoneId: dns.zoneId, name: recordName, type: "CNAME", ttl: dns.ttl, records: [r.address], setIdentifier: `${name}-${k + 1}`, weightedRoutingPolicies: [{ weight: 1 }] },
            { parent: scope },
          ),
      );
      resources.push(...records);
      single = endpointOf(records[0].fqdn, replicas[0].port);
    } else {
      single = endpointOf(replicas[0].address, replicas[0].port);
    }
  } else {
    const cluster = h.cluster!;
    const members: aws.rds.ClusterInstance[] = Array.from({ length: spec.replicas }, (_, k) => {
      const i = k + 1;
      return new aws.rds.ClusterInstance(
        `${name}-${AWS_CHILD.clusterInstance}-${i}`,
        {
          identifier: `${h.baseIdentifier}${IDENTIFIER_SUFFIX.setReplica(name, i)}`,
          clusterIdentifier: cluster.id,
          engine: "aurora-postgresql",
          engineVersion: src.version,
          instanceClass: src.compute.aws.instanceClass,
          promotionTier: PROMOTION_TIER.readReplica,
          dbSubnetGroupName: h.subnetGroup.name,
          publiclyAccessible: src.network.publicAccess,
          performanceInsightsEnabled: h.settings.performanceInsights.enabled,
          ...(h.settings.performanceInsights.enabled ? { performanceInsightsRetentionPeriod: h.settings.performanceInsights.retentionDays } : {}),
          monitoringInterval: h.settings.monitoringInterval,
          ...(h.monitoringRoleArn ? { monitoringRoleArn: h.monitoringRoleArn } : {}),
          autoMinorVersionUpgrade: true,
          preferredMaintenanceWindow: src.lifecycle.maintenanceWindow,
          applyImmediately: h.settings.applyImmediately,
          copyTagsToSnapshot: true,
          tags,
        },
        { parent: scope, protect },
      );
    });
    resources.push(...members);
    // @pulumi/aws reports no status for a cluster instance; the provider waits for `available` before it gives the identifier.
    nodes = members.map((m) => ({ id: m.identifier, host: m.endpoint, port: m.port, status: m.identifier.apply(() => "available") }));
    const endpoint = new aws.rds.ClusterEndpoint(
      `${name}-${AWS_CHILD.readerEndpoint}`,
      { clusterIdentifier: cluster.id, clusterEndpointIdentifier: `${h.baseIdentifier}${IDENTIFIER_SUFFIX.set(name)}`, customEndpointType: "READER", staticMembers: members.map((m) => m.identifier), tags },
      { parent: scope },
    );
    resources.push(endpoint);
    single = endpointOf(endpoint.endpoint, cluster.port);
  }

  const proxy = spec.pooling.enabled ? renderProxy(scope, spec, source, h) : undefined;
  if (proxy) resources.push(...proxy.resources);
  const alarms = renderAlarms(scope, name, src, h.settings, nodes.map((n, k) => lagAlarm(spec, k + 1, n.id, aurora)), h.alarmTopicArn);
  resources.push(...alarms);

  const pooler = proxy ? { write: endpointOf(proxy.proxy.endpoint, h.port), read: endpointOf(proxy.readEndpoint.endpoint, h.port) } : undefined;
  const readVia = pooler?.read ?? single;
  return {
    readEndpoint: single,
    replicaEndpoints: spec.endpointStrategy === "per_replica" ? nodes.map((n) => endpointOf(n.host, n.port)) : [],
    ...(pooler ? { pooler } : {}),
    readConnection: connectionOf(readVia.host, readVia.port, source.rendered.connection.database, h.masterUsername, h.masterPassword),
    status: pulumi.all(nodes.map((n) => n.status)).apply((all) => (all.map(statusOf).find((st) => st !== "RUNNING") ?? "RUNNING")),
    topology: pulumi.all(nodes.map((n) => pulumi.all([n.id, n.host, n.port, n.status]))).apply((facts) => ({
      members: facts.map(([id, host, port, state]) => ({ name: id, role: "replica" as const, host, port, state })),
      routing: {
        writes: `the source's write endpoint (${src.resourceId})`,
        reads: proxy
          ? "through RDS Proxy's read-only endpoint (pooled; it balances over every Aurora reader)"
          : `${spec.replicas} replica(s) behind ${aurora ? "a custom READER cluster endpoint" : spec.replicas > 1 ? "a weighted Route53 record" : "the replica's own endpoint"}; lagging replicas raise an alarm and stay in rotation`,
      },
    })),
    resources,
  };
}

