/**
 * The network of a db_resource: a DB subnet group over the user's private subnets and a security
 * group that admits PostgreSQL (5432/tcp) only from the allowlist: the app's security groups
 * (`network.allowedSecurityGroupIds`) and CIDRs (`network.allowedCidrs`, loopback left out since
 * nothing on 127.0.0.0/8 can reach RDS). No egress rule: the database starts no connection.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { parseCidr, isLoopback } from "../../model/network";
import { DbResourceSpec } from "../../model/spec";
import { AWS_CHILD, PG_PORT, tagsOf } from "./names";
import { AwsSettings } from "./settings";

/** What the network of a db_resource is made of. */
export interface AwsNetwork {
  subnetGroup: aws.rds.SubnetGroup;
  securityGroup: aws.ec2.SecurityGroup;
  rules: pulumi.CustomResource[];
}

/** The allowlisted CIDRs RDS can honour: loopback dropped. */
export function reachableCidrs(cidrs: readonly string[]): string[] {
  return cidrs.filter((c) => {
    const cidr = parseCidr(c);
    return cidr !== undefined && !isLoopback(cidr);
  });
}

/** Renders the subnet group, the security group and its ingress rules for `spec`. */
export function renderNetwork(scope: pulumi.ComponentResource, name: string, spec: DbResourceSpec, settings: AwsSettings): AwsNetwork {
  const tags = tagsOf(spec);
  const subnetGroup = new aws.rds.SubnetGroup(
    `${name}-${AWS_CHILD.subnetGroup}`,
    { name: settings.identifier, description: `pgplatform ${spec.resourceId}`, subnetIds: settings.subnetIds, tags },
    { parent: scope },
  );
  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-${AWS_CHILD.securityGroup}`,
    { name: `${settings.identifier}-postgres`, description: `pgplatform ${spec.resourceId}: PostgreSQL from the allowlist only`, vpcId: settings.vpcId, tags },
    { parent: scope },
  );
  const rules: pulumi.CustomResource[] = [];
  const base = { securityGroupId: securityGroup.id, ipProtocol: "tcp", fromPort: PG_PORT, toPort: PG_PORT, tags };
  reachableCidrs(spec.network.allowedCidrs).forEach((cidr, i) => {
    const family = cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr };
    rules.push(
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-${AWS_CHILD.ingressCidr}-${i + 1}`,
        { ...base, ...family, description: `PostgreSQL from ${cidr} (network.allowedCidrs[${spec.network.allowedCidrs.indexOf(cidr)}])` },
        { parent: scope },
      ),
    );
  });
  spec.network.allowedSecurityGroupIds.forEach((sg, i) => {
    rules.push(
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-${AWS_CHILD.ingressSecurityGroup}-${i + 1}`,
        { ...base, referencedSecurityGroupId: sg, description: `PostgreSQL from ${sg} (network.allowedSecurityGroupIds[${i}])` },
        { parent: scope },
      ),
    );
  });
  return { subnetGroup, securityGroup, rules };
}

/**
 * Lets members of the security group reach each other on 5432 (RDS Proxy to the database, green
 * to blue for logical replication): one ingress and one egress rule referencing the group itself.
 */
export function renderSelfReach(scope: pulumi.ComponentResource, name: string, spec: DbResourceSpec, securityGroup: aws.ec2.SecurityGroup): pulumi.CustomResource[] {
  const tags = tagsOf(spec);
  const base = { securityGroupId: securityGroup.id, referencedSecurityGroupId: securityGroup.id, ipProtocol: "tcp", fromPort: PG_PORT, toPort: PG_PORT, tags };
  return [
    new aws.vpc.SecurityGroupIngressRule(`${name}-${AWS_CHILD.ingressSelf}`, { ...base, description: "PostgreSQL between members of this group (RDS Proxy, replication)" }, { parent: scope }),
    new aws.vpc.SecurityGroupEgressRule(`${name}-${AWS_CHILD.egressSelf}`, { ...base, description: "PostgreSQL to members of this group (RDS Proxy, replication)" }, { parent: scope }),
  ];
}

/** Warns when the allowlist admits nobody RDS can hear from (the default `127.0.0.1/32` means nothing in a VPC). */
export function warnUnreachable(scope: pulumi.Resource, spec: DbResourceSpec): void {
  if (reachableCidrs(spec.network.allowedCidrs).length > 0 || spec.network.allowedSecurityGroupIds.length > 0) return;
  pulumi.log.warn(
    `\`network\` admits nobody that can reach RDS (\`allowedCidrs\` ${JSON.stringify(spec.network.allowedCidrs)} is loopback only): give the app's security groups in \`network.allowedSecurityGroupIds\` or its CIDRs in \`network.allowedCidrs\``,
    scope,
  );
}
