/**
 * Names of the AWS children: Pulumi names (`${name}-<suffix>`, suffixes as constants) and RDS
 * identifiers (1-63 characters, lower case, starting with a letter, no `--`, no trailing `-`),
 * derived from the resource id so every run names the same thing.
 */
import { MAX_BASE_IDENTIFIER } from "../../model/schemas/aws";
import { shortHash } from "../../model/ids";

/** Pulumi name suffixes of every child the aws back end creates. */
export const AWS_CHILD = {
  subnetGroup: "subnet-group",
  securityGroup: "security-group",
  ingressCidr: "ingress-cidr",
  ingressSecurityGroup: "ingress-sg",
  ingressSelf: "ingress-self",
  egressSelf: "egress-self",
  parameterGroup: "parameter-group",
  clusterParameterGroup: "cluster-parameter-group",
  password: "master-password",
  finalSnapshotId: "final-snapshot-id",
  instance: "instance",
  replica: "replica",
  cluster: "cluster",
  clusterInstance: "member",
  desiredState: "desired-state",
  shardGroup: "shard-group",
  monitoringRole: "monitoring-role",
  monitoringPolicy: "monitoring-policy",
  alarmTopic: "alarms",
  alarm: "alarm",
  dnsRecord: "dns",
  restored: "restored",
  readerEndpoint: "reader-endpoint",
  replicaEndpoint: "replica-endpoint",
  proxy: "proxy",
  proxyRole: "proxy-role",
  proxyPolicy: "proxy-policy",
  proxySecret: "proxy-secret",
  proxySecretVersion: "proxy-secret-version",
  proxyTargetGroup: "proxy-target-group",
  proxyTarget: "proxy-target",
  proxyReadEndpoint: "proxy-read-endpoint",
  vault: "vault",
  backupPlan: "backup-plan",
  backupRole: "backup-role",
  backupPolicy: "backup-policy",
  backupSelection: "backup-selection",
  green: "green",
} as const;

/** The RDS port every db_resource listens on. */
export const PG_PORT = 5432;

/** A base identifier derived from a resource id: lower case, letters first, no `--`, short enough for every suffix. */
export function identifierOf(resourceId: string): string {
  let s = resourceId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (!/^[a-z]/.test(s)) s = `pg-${s}`;
  if (s.length > MAX_BASE_IDENTIFIER) s = `${s.slice(0, MAX_BASE_IDENTIFIER - 9).replace(/-+$/, "")}-${shortHash(resourceId)}`;
  return s;
}

/** Identifier suffixes: every one fits the 12 characters {@link MAX_BASE_IDENTIFIER} leaves. */
export const IDENTIFIER_SUFFIX = {
  /** A PgSingle's own read replica `n` (1-based). */
  replica: (n: number) => `-replica-${n}`,
  /** Member `n` of a cluster (1 = the first writer). */
  member: (n: number) => `-${n}`,
  /** A ReadReplicaSet's replica `n`: the set's name hashed, so two sets never collide. */
  setReplica: (set: string, n: number) => `-rs${shortHash(set).slice(0, 4)}-${n}`,
  /** A ReadReplicaSet's own endpoint or proxy. */
  set: (set: string) => `-rs${shortHash(set).slice(0, 4)}`,
  /** The db_resource restored in place, keyed by what it was restored to. */
  restored: (key: string) => `-rst-${shortHash(key).slice(0, 4)}`,
  /** The green side of a blue-green upgrade. */
  green: (major: string) => `-g${major}`,
  /** A sharded cluster's DB shard group. */
  shardGroup: "-shards",
} as const;

/** Tags every taggable child carries: the user's tags, then the pgplatform labels (which win). */
export function tagsOf(spec: { labels: Record<string, string>; tags: Record<string, string> }, extra: Record<string, string> = {}): Record<string, string> {
  return { ...spec.tags, ...spec.labels, ...extra };
}
