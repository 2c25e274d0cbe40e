/**
 * Compliant fixtures for the resource rules, one per resource type the normalizers read, each in
 * production with the plan its labels name, and {@link mutate} to derive the violating variants.
 */
import { LABEL_KEYS } from "../../../components/model/defaults";
import { TestResource } from "./harness";

/** The `pgplatform.io/*` labels (AWS tags) a back end puts on every child. */
export function labels(plan: string, environment = "prod", kind = plan === "prod_ha" ? "pg_cluster" : "pg_single"): Record<string, string> {
  return {
    [LABEL_KEYS.project]: "shop",
    [LABEL_KEYS.environment]: environment,
    [LABEL_KEYS.plan]: plan,
    [LABEL_KEYS.resourceId]: `shop-${environment}-orders-1a2b3c4d`,
    [LABEL_KEYS.kind]: kind,
    [LABEL_KEYS.managedBy]: "pgplatform",
  };
}

/**
 * A copy of `r` with the value at `path` (inside `props`: dotted, array indexes as numbers, or a
 * list of keys for keys with dots such as `pgplatform.io/plan`) set, or removed for `undefined`.
 */
export function mutate(r: TestResource, path: string | readonly string[], value: unknown): TestResource {
  const copy: TestResource = JSON.parse(JSON.stringify(r));
  const parts = typeof path === "string" ? path.split(".") : [...path];
  let cur: any = copy.props;
  for (const part of parts.slice(0, -1)) {
    if (cur[part] === undefined) cur[part] = {};
    cur = cur[part];
  }
  const last = parts[parts.length - 1];
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return copy;
}

/** {@link mutate} for several paths at once. */
export function mutateAll(r: TestResource, changes: Record<string, unknown>): TestResource {
  return Object.entries(changes).reduce((acc, [p, v]) => mutate(acc, p, v), r);
}

/** PgSingle args of a small_single in production: the plan's defaults do the rest. */
export const pgSingle: TestResource = {
  type: "pgplatform:index:PgSingle",
  name: "billing",
  props: { projectId: "shop", environmentId: "prod", plan: "small_single", version: "17", network: { allowedCidrs: ["10.0.0.0/16"] } },
};

/** PgCluster args of a prod_ha in production: standbys, zones, PITR, protection from the plan. */
export const pgCluster: TestResource = {
  type: "pgplatform:index:PgCluster",
  name: "orders",
  props: { projectId: "shop", environmentId: "prod", plan: "prod_ha", version: 17 },
};

/** The local back end's server of a small_single in production. */
export const localServer: TestResource = {
  type: "pulumi-nodejs:dynamic/pgplatform:LocalServer",
  name: "billing-server",
  protect: true,
  props: {
    __provider: "exports.handler = __f0; /* serialized provider */",
    kind: "pgplatform:local:server",
    resourceId: "shop-prod-billing-1a2b3c4d",
    resourceKind: "pg_single",
    version: "17",
    allowedCidrs: ["127.0.0.1/32", "10.0.0.0/16"],
    storageGb: 50,
    labels: labels("small_single"),
  },
};

/** The local back end's Patroni cluster of a prod_ha in production. */
export const localCluster: TestResource = {
  type: "pulumi-nodejs:dynamic/pgplatform:LocalCluster",
  name: "orders-cluster",
  protect: true,
  props: {
    __provider: "exports.handler = __f0; /* serialized provider */",
    kind: "pgplatform:local:cluster",
    resourceId: "shop-prod-orders-1a2b3c4d",
    resourceKind: "pg_cluster",
    version: "15",
    allowedCidrs: ["127.0.0.1/32"],
    storageGb: 200,
    standbys: 2,
    syncStandbys: 1,
    labels: labels("prod_ha"),
  },
};

/** An RDS for PostgreSQL instance of a small_single in production. */
export const rdsInstance: TestResource = {
  type: "aws:rds/instance:Instance",
  name: "billing",
  props: {
    engine: "postgres",
    engineVersion: "17.4",
    instanceClass: "db.t4g.small",
    allocatedStorage: 50,
    maxAllocatedStorage: 200,
    storageEncrypted: true,
    backupRetentionPeriod: 7,
    deletionProtection: true,
    publiclyAccessible: false,
    tags: labels("small_single"),
  },
};

/** An RDS Multi-AZ DB cluster (engine `postgres`) of a prod_ha in production. */
export const rdsMultiAzCluster: TestResource = {
  type: "aws:rds/cluster:Cluster",
  name: "orders",
  props: {
    engine: "postgres",
    engineVersion: "17.4",
    dbClusterInstanceClass: "db.r7g.large",
    allocatedStorage: 200,
    storageType: "io2",
    iops: 12000,
    storageEncrypted: true,
    backupRetentionPeriod: 30,
    deletionProtection: true,
    tags: labels("prod_ha"),
  },
};

/** An Aurora PostgreSQL cluster of a prod_ha in production. */
export const auroraCluster: TestResource = mutateAll(rdsMultiAzCluster, {
  engine: "aurora-postgresql",
  dbClusterInstanceClass: undefined,
  allocatedStorage: undefined,
  storageType: undefined,
  iops: undefined,
  availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
});

/** A writer of that Aurora cluster. */
export const auroraInstance: TestResource = {
  type: "aws:rds/clusterInstance:ClusterInstance",
  name: "orders-1",
  props: { engine: "aurora-postgresql", clusterIdentifier: "orders", instanceClass: "db.r7g.large", engineVersion: "17.4", tags: labels("prod_ha") },
};

/** A parameter group that forces TLS 1.2+. */
export const parameterGroup: TestResource = {
  type: "aws:rds/parameterGroup:ParameterGroup",
  name: "billing-params",
  props: {
    family: "postgres17",
    parameters: [
      { name: "log_min_duration_statement", value: "1000" },
      { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
      { name: "ssl_min_protocol_version", value: "TLSv1.2" },
    ],
    tags: labels("small_single"),
  },
};

/** A security group admitting the VPC to PostgreSQL and the world to 443 only. */
export const securityGroup: TestResource = {
  type: "aws:ec2/securityGroup:SecurityGroup",
  name: "billing-sg",
  props: {
    ingress: [
      { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.0.0/16"] },
      { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] },
    ],
    tags: labels("small_single"),
  },
};

/** A standalone ingress rule (vpc.SecurityGroupIngressRule) on 5432 from the VPC. */
export const ingressRule: TestResource = {
  type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  name: "billing-pg",
  props: { securityGroupId: "sg-0123", ipProtocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv4: "10.0.0.0/16", tags: labels("small_single") },
};

/** A legacy ec2.SecurityGroupRule on 5432 from the VPC (no tags on this type). */
export const securityGroupRule: TestResource = {
  type: "aws:ec2/securityGroupRule:SecurityGroupRule",
  name: "billing-pg-rule",
  props: { type: "ingress", securityGroupId: "sg-0123", protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.1.0.0/16"] },
};

/** A CNPG Cluster of a prod_ha in production: 3 instances over zones, WAL to the Barman Cloud plugin, requests set. */
export const cnpgCluster: TestResource = {
  type: "kubernetes:postgresql.cnpg.io/v1:Cluster",
  name: "orders",
  protect: true,
  props: {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: { name: "orders", namespace: "shop", labels: labels("prod_ha") },
    spec: {
      instances: 3,
      imageName: "ghcr.io/cloudnative-pg/postgresql:17.5-standard-bookworm",
      storage: { size: "200Gi" },
      resources: { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "2", memory: "8Gi" } },
      affinity: { enablePodAntiAffinity: true, topologyKey: "topology.kubernetes.io/zone", podAntiAffinityType: "required" },
      postgresql: { synchronous: { method: "any", number: 1 }, pg_hba: ["hostssl all all 10.0.0.0/8 scram-sha-256"] },
      plugins: [{ name: "barman-cloud.cloudnative-pg.io", isWALArchiver: true, parameters: { barmanObjectName: "orders-store", serverName: "orders-1" } }],
    },
  },
};

/** Every compliant fixture, by name. */
export const COMPLIANT: Readonly<Record<string, TestResource>> = {
  pgSingle,
  pgCluster,
  localServer,
  localCluster,
  rdsInstance,
  rdsMultiAzCluster,
  auroraCluster,
  auroraInstance,
  parameterGroup,
  securityGroup,
  ingressRule,
  securityGroupRule,
  cnpgCluster,
};
