/**
 * RDS Proxy in front of an Aurora cluster, for a ReadReplicaSet with pooling: the proxy (its own
 * security group: the source's allowlist in, PostgreSQL to the database out), the secret it logs
 * in with and the role that reads it, its default target group sized from `defaultPoolSize`, the
 * cluster as target, and a READ_ONLY endpoint over the readers.
 *
 * Pooling modes, mapped honestly: RDS Proxy multiplexes transactions and pins a client to one
 * database connection when it changes session state. `transaction` excludes `SET` from pinning
 * (`EXCLUDE_VARIABLE_SETS`: a `SET` then leaks across clients, as in PgBouncer's transaction mode);
 * `session` keeps every session feature working by pinning.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ReadReplicaSetSpec } from "../../model/spec";
import { RenderedSource } from "../backend";
import { AwsHandle } from "./handle";
import { assumeRolePolicy } from "./monitoring";
import { AWS_CHILD, IDENTIFIER_SUFFIX, PG_PORT, tagsOf } from "./names";
import { reachableCidrs } from "./network";

/** What the proxy renders. */
export interface RenderedProxy {
  proxy: aws.rds.Proxy;
  readEndpoint: aws.rds.ProxyEndpoint;
  resources: pulumi.Resource[];
}

/** The share of `max_connections` the proxy may open: `defaultPoolSize` of it, rounded up, at least 1. */
export function maxConnectionsPercentOf(defaultPoolSize: number, maxConnections: number): number {
  return Math.min(100, Math.max(1, Math.ceil((defaultPoolSize * 100) / maxConnections)));
}

/** Renders the proxy of a ReadReplicaSet `spec` over the Aurora cluster of `source`. */
export function renderProxy(scope: pulumi.ComponentResource, spec: ReadReplicaSetSpec, source: RenderedSource, h: AwsHandle): RenderedProxy {
  const name = spec.name;
  const tags = tagsOf(source.spec);
  const proxyName = `${h.baseIdentifier}${IDENTIFIER_SUFFIX.set(name)}`;
  const sg = new aws.ec2.SecurityGroup(
    `${name}-${AWS_CHILD.proxy}-${AWS_CHILD.securityGroup}`,
    { name: `${proxyName}-proxy`, description: `pgplatform ${source.spec.resourceId}: RDS Proxy ${proxyName}`, vpcId: h.settings.vpcId, tags },
    { parent: scope },
  );
  const rule = { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: PG_PORT, toPort: PG_PORT, tags };
  const rules: pulumi.Resource[] = [];
  reachableCidrs(source.spec.network.allowedCidrs).forEach((cidr, i) => {
    const family = cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr };
    rules.push(new aws.vpc.SecurityGroupIngressRule(`${name}-${AWS_CHILD.proxy}-${AWS_CHILD.ingressCidr}-${i + 1}`, { ...rule, ...family, description: `PostgreSQL from ${cidr}` }, { parent: scope }));
  });
  source.spec.network.allowedSecurityGroupIds.forEach((id, i) => {
    rules.push(new aws.vpc.SecurityGroupIngressRule(`${name}-${AWS_CHILD.proxy}-${AWS_CHILD.ingressSecurityGroup}-${i + 1}`, { ...rule, referencedSecurityGroupId: id, description: `PostgreSQL from ${id}` }, { parent: scope }));
  });
  rules.push(
    new aws.vpc.SecurityGroupEgressRule(`${name}-${AWS_CHILD.proxy}-egress`, { ...rule, referencedSecurityGroupId: h.securityGroup.id, description: "PostgreSQL to the database" }, { parent: scope }),
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-${AWS_CHILD.proxy}-db-ingress`,
      { securityGroupId: h.securityGroup.id, referencedSecurityGroupId: sg.id, ipProtocol: "tcp", fromPort: PG_PORT, toPort: PG_PORT, description: `PostgreSQL from RDS Proxy ${proxyName}`, tags },
      { parent: scope },
    ),
  );

  let secretArn: pulumi.Input<string>;
  const secrets: pulumi.Resource[] = [];
  if (h.masterSecretArn) {
    secretArn = h.masterSecretArn;
  } else {
    const secret = new aws.secretsmanager.Secret(
      `${name}-${AWS_CHILD.proxySecret}`,
      { name: `${proxyName}-proxy`, description: `Master credentials RDS Proxy ${proxyName} logs in with`, ...(h.settings.kmsKeyId ? { kmsKeyId: h.settings.kmsKeyId } : {}), tags },
      { parent: scope },
    );
    const version = new aws.secretsmanager.SecretVersion(
      `${name}-${AWS_CHILD.proxySecretVersion}`,
      { secretId: secret.id, secretString: pulumi.secret(pulumi.all([h.masterPassword]).apply(([password]) => JSON.stringify({ username: h.masterUsername, password }))) },
      { parent: scope },
    );
    secretArn = secret.arn;
    secrets.push(secret, version);
  }
  const role = new aws.iam.Role(`${name}-${AWS_CHILD.proxyRole}`, { assumeRolePolicy: assumeRolePolicy("rds.amazonaws.com"), description: `RDS Proxy ${proxyName} reads its secret`, tags }, { parent: scope });
  const policy = new aws.iam.RolePolicy(
    `${name}-${AWS_CHILD.proxyPolicy}`,
    {
      role: role.id,
      policy: pulumi.output(secretArn).apply((arn) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: arn },
            ...(h.settings.kmsKeyId ? [{ Effect: "Allow", Action: ["kms:Decrypt"], Resource: h.settings.kmsKeyId }] : []),
          ],
        }),
      ),
    },
    { parent: scope },
  );
  const proxy = new aws.rds.Proxy(
    `${name}-${AWS_CHILD.proxy}`,
    {
      name: proxyName,
      engineFamily: "POSTGRESQL",
      auths: [{ authScheme: "SECRETS", secretArn, iamAuth: "DISABLED", clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256", description: "the master user" }],
      roleArn: role.arn,
      vpcSubnetIds: h.settings.subnetIds,
      vpcSecurityGroupIds: [sg.id],
      requireTls: true,
      idleClientTimeout: 1800,
      tags,
    },
    { parent: scope, dependsOn: [policy] },
  );
  const maxConnections = Number(source.spec.parameters.max_connections ?? "100");
  const percent = maxConnectionsPercentOf(spec.pooling.defaultPoolSize, maxConnections);
  const targetGroup = new aws.rds.ProxyDefaultTargetGroup(
    `${name}-${AWS_CHILD.proxyTargetGroup}`,
    {
      dbProxyName: proxy.name,
      connectionPoolConfig: {
        maxConnectionsPercent: percent,
        maxIdleConnectionsPercent: Math.max(1, Math.floor(percent / 2)),
        connectionBorrowTimeout: 120,
        sessionPinningFilters: spec.pooling.mode === "transaction" ? ["EXCLUDE_VARIABLE_SETS"] : [],
      },
    },
    { parent: scope },
  );
  const target = new aws.rds.ProxyTarget(
    `${name}-${AWS_CHILD.proxyTarget}`,
    { dbProxyName: proxy.name, targetGroupName: targetGroup.name, dbClusterIdentifier: h.identifier },
    { parent: scope },
  );
  const readEndpoint = new aws.rds.ProxyEndpoint(
    `${name}-${AWS_CHILD.proxyReadEndpoint}`,
    { dbProxyName: proxy.name, dbProxyEndpointName: `${proxyName}-ro`, vpcSubnetIds: h.settings.subnetIds, vpcSecurityGroupIds: [sg.id], targetRole: "READ_ONLY", tags },
    { parent: scope, dependsOn: [target] },
  );
  return { proxy, readEndpoint, resources: [sg, ...rules, ...secrets, role, policy, proxy, targetGroup, target, readEndpoint] };
}
