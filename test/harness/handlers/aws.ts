/**
 * Mock handlers for the aws back end's resources: each echoes its inputs with the outputs AWS
 * reports (endpoints, addresses, ports, ARNs, ids), derived from the names so a test can pin them.
 */
import { createHash } from "crypto";
import { CallHandler, Handler, unwrapSecrets } from "../mocks";

/** Account and region the mocked resources live in. */
export const MOCK_ACCOUNT = "123456789012";
export const MOCK_REGION = "eu-west-1";
/** The router endpoint of the mocked DB shard group of cluster `clusterIdentifier`. */
export function limitlessEndpointOf(clusterIdentifier: string): string {
  return `${clusterIdentifier}.limitless-${hex(clusterIdentifier, 12)}.${MOCK_REGION}.rds.amazonaws.com`;
}
/** The host suffix RDS gives endpoints in the mocked account and region. */
export const RDS_HOST = `c9akciq32.${MOCK_REGION}.rds.amazonaws.com`;
/** The password the mocked Secrets Manager holds for a managed master user. */
export const MANAGED_PASSWORD = "managed-secret-password";
/** Availability zones of the mocked subnets, by subnet id. */
export const SUBNET_ZONES: Record<string, string> = {};

const hex = (s: string, n: number) => createHash("sha256").update(s).digest("hex").slice(0, n);
const arn = (service: string, what: string) => `arn:aws:${service}:${MOCK_REGION}:${MOCK_ACCOUNT}:${what}`;
const rds = (kind: string, id: string) => arn("rds", `${kind}:${id}`);
const secret = (id: string) => arn("secretsmanager", `secret:rds!${id}-${hex(id, 6)}`);

/** Every AWS type the back end registers, with what AWS would report for it. */
export function handlers(): Record<string, Handler> {
  return {
    // The aws blue-green upgrade: reports the phase it was asked for, green serving from a cut-over on.
    "pulumi-nodejs:dynamic/pgplatform:AwsUpgrade": (a) => ({
      id: `${a.name}-id`,
      state: { ...a.inputs, appliedPhase: a.inputs.phase, activeSide: ["cutover", "finalize"].includes(a.inputs.phase) ? "green" : "blue", status: a.inputs.phase === "finalize" ? "DONE" : "IN_PROGRESS", progress: {}, log: [] },
    }),
    "random:index/randomId:RandomId": (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, hex: hex(a.name, 8), b64Std: "AAAA", b64Url: "AAAA", dec: "1" } }),
    "aws:rds/subnetGroup:SubnetGroup": (a) => ({ id: a.inputs.name, state: { ...a.inputs, arn: rds("subgrp", a.inputs.name) } }),
    "aws:ec2/securityGroup:SecurityGroup": (a) => ({ id: `sg-${hex(a.name, 17)}`, state: { ...a.inputs, arn: arn("ec2", `security-group/sg-${hex(a.name, 17)}`) } }),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (a) => ({ id: `sgr-${hex(a.name, 17)}`, state: a.inputs }),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (a) => ({ id: `sgr-${hex(a.name, 17)}`, state: a.inputs }),
    "aws:rds/parameterGroup:ParameterGroup": (a) => {
      const name = a.inputs.name ?? `${a.inputs.namePrefix}${hex(a.name, 26)}`;
      return { id: name, state: { ...a.inputs, name, arn: rds("pg", name) } };
    },
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": (a) => {
      const name = a.inputs.name ?? `${a.inputs.namePrefix}${hex(a.name, 26)}`;
      return { id: name, state: { ...a.inputs, name, arn: rds("cluster-pg", name) } };
    },
    "aws:rds/instance:Instance": (a) => {
      const id = a.inputs.identifier;
      const address = `${id}.${RDS_HOST}`;
      const managed = a.inputs.manageMasterUserPassword === true;
      return {
        id,
        state: {
          ...a.inputs,
          address,
          endpoint: `${address}:5432`,
          port: 5432,
          arn: rds("db", id),
          resourceId: `db-${hex(id, 26).toUpperCase()}`,
          status: "available",
          engineVersionActual: `${a.inputs.engineVersion ?? "17"}.4`,
          masterUserSecrets: managed ? [{ secretArn: secret(id), secretStatus: "active", kmsKeyId: "" }] : [],
        },
      };
    },
    "aws:rds/instanceDesiredState:InstanceDesiredState": (a) => ({ id: a.inputs.identifier, state: a.inputs }),
    "aws:rds/cluster:Cluster": (a) => {
      const id = a.inputs.clusterIdentifier;
      const managed = a.inputs.manageMasterUserPassword === true;
      return {
        id,
        state: {
          ...a.inputs,
          endpoint: `${id}.cluster-${RDS_HOST}`,
          readerEndpoint: `${id}.cluster-ro-${RDS_HOST}`,
          port: 5432,
          arn: rds("cluster", id),
          clusterResourceId: `cluster-${hex(id, 26).toUpperCase()}`,
          engineVersionActual: `${a.inputs.engineVersion ?? "17"}.4`,
          status: "available",
          masterUserSecrets: managed ? [{ secretArn: secret(id), secretStatus: "active", kmsKeyId: "" }] : [],
        },
      };
    },
    "aws:rds/clusterInstance:ClusterInstance": (a) => {
      const id = a.inputs.identifier;
      return { id, state: { ...a.inputs, endpoint: `${id}.${RDS_HOST}`, port: 5432, arn: rds("db", id), writer: a.inputs.promotionTier === 0, dbiResourceId: `db-${hex(id, 26).toUpperCase()}` } };
    },
    "aws:rds/clusterEndpoint:ClusterEndpoint": (a) => {
      const id = a.inputs.clusterEndpointIdentifier;
      return { id, state: { ...a.inputs, endpoint: `${id}.cluster-custom-${RDS_HOST}`, arn: rds("cluster-endpoint", id) } };
    },
    // An Aurora Limitless DB shard group: its endpoint is `<cluster>.limitless-<hash>.<region>.rds.amazonaws.com`, the router endpoint.
    "aws:rds/shardGroup:ShardGroup": (a) => {
      const id = a.inputs.dbShardGroupIdentifier;
      const cluster = String(a.inputs.dbClusterIdentifier);
      return {
        id,
        state: {
          computeRedundancy: 0,
          publiclyAccessible: false,
          minAcu: 16,
          ...a.inputs,
          endpoint: limitlessEndpointOf(cluster),
          arn: rds("shard-group", id),
          dbShardGroupResourceId: `shardgroup-${hex(id, 32)}`,
        },
      };
    },
    "aws:rds/proxy:Proxy": (a) => ({ id: a.inputs.name, state: { ...a.inputs, endpoint: `${a.inputs.name}.proxy-${RDS_HOST}`, arn: rds("db-proxy", `prx-${hex(a.inputs.name, 17)}`) } }),
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": (a) => ({ id: a.inputs.dbProxyName, state: { ...a.inputs, name: "default" } }),
    "aws:rds/proxyTarget:ProxyTarget": (a) => ({ id: `${a.inputs.dbProxyName},default`, state: { ...a.inputs, endpoint: "", port: 5432 } }),
    "aws:rds/proxyEndpoint:ProxyEndpoint": (a) => ({
      id: `${a.inputs.dbProxyName}/${a.inputs.dbProxyEndpointName}`,
      state: { ...a.inputs, endpoint: `${a.inputs.dbProxyEndpointName}.endpoint.proxy-${RDS_HOST}`, arn: rds("db-proxy-endpoint", `prx-endpoint-${hex(a.name, 17)}`) },
    }),
    "aws:iam/role:Role": (a) => {
      const name = a.inputs.name ?? `${a.name}-${hex(a.name, 7)}`;
      return { id: name, state: { ...a.inputs, name, arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${name}` } };
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (a) => ({ id: `${a.name}-id`, state: a.inputs }),
    "aws:iam/rolePolicy:RolePolicy": (a) => ({ id: `${a.name}-id`, state: a.inputs }),
    "aws:sns/topic:Topic": (a) => ({ id: arn("sns", a.inputs.name), state: { ...a.inputs, arn: arn("sns", a.inputs.name) } }),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (a) => ({ id: a.inputs.name, state: { ...a.inputs, arn: arn("cloudwatch", `alarm:${a.inputs.name}`) } }),
    "aws:route53/record:Record": (a) => ({ id: `${a.inputs.zoneId}_${a.inputs.name}_${a.inputs.type}`, state: { ...a.inputs, fqdn: a.inputs.name } }),
    "aws:secretsmanager/secret:Secret": (a) => ({ id: arn("secretsmanager", `secret:${a.inputs.name}-${hex(a.name, 6)}`), state: { ...a.inputs, arn: arn("secretsmanager", `secret:${a.inputs.name}-${hex(a.name, 6)}`) } }),
    "aws:secretsmanager/secretVersion:SecretVersion": (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, versionId: hex(a.name, 32) } }),
    "aws:backup/vault:Vault": (a) => ({ id: a.inputs.name, state: { ...a.inputs, arn: arn("backup", `backup-vault:${a.inputs.name}`), recoveryPoints: 0 } }),
    "aws:backup/plan:Plan": (a) => ({ id: hex(a.name, 32), state: { ...a.inputs, arn: arn("backup", `backup-plan:${hex(a.name, 32)}`), version: "1" } }),
    "aws:backup/selection:Selection": (a) => ({ id: hex(a.name, 32), state: a.inputs }),
  };
}

/** The invokes the back end makes: the partition, the managed master secret, the subnets' zones. */
export function calls(): Record<string, CallHandler> {
  return {
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws", reverseDnsPrefix: "com.amazonaws" }),
    "aws:secretsmanager/getSecretVersion:getSecretVersion": (a) => ({
      arn: a.inputs.secretId,
      id: a.inputs.secretId,
      secretId: a.inputs.secretId,
      secretString: JSON.stringify({ username: "app", password: MANAGED_PASSWORD }),
      versionId: "v1",
    }),
    "aws:ec2/getSubnet:getSubnet": (a) => {
      const id = String(unwrapSecrets(a.inputs).id);
      const zone = SUBNET_ZONES[id] ?? `${MOCK_REGION}${"abc"[parseInt(hex(id, 2), 16) % 3]}`;
      return { id, availabilityZone: zone, vpcId: "vpc-0abc" };
    },
  };
}
