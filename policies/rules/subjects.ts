/**
 * The subjects resource rules judge. {@link subjectOf} picks the ONE normalizer for a resource's
 * type and returns a {@link DbSubject}, or undefined for a resource no rule here judges:
 *
 * | type | normalizer |
 * |---|---|
 * | `pgplatform:index:PgSingle`, `pgplatform:index:PgCluster` | subjects/component.ts (args + plan defaults) |
 * | dynamic resource with `kind: "pgplatform:local:server"` or `"pgplatform:local:cluster"` | subjects/local.ts |
 * | `aws:rds/instance:Instance`, `aws:rds/cluster:Cluster`, `aws:rds/clusterInstance:ClusterInstance`, parameter groups | subjects/aws.ts |
 * | `aws:ec2/securityGroup:SecurityGroup`, `aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule`, `aws:ec2/securityGroupRule:SecurityGroupRule` | subjects/awsNetwork.ts |
 * | `kubernetes:postgresql.cnpg.io/v1:Cluster` | subjects/cnpg.ts |
 *
 * Side-effect free. Facts are read lazily and nothing catches the SDK's unknown-value error.
 */
import { COMPONENT_KINDS, componentSubject } from "./subjects/component";
import { DYNAMIC_TYPE_PREFIX, localSubject } from "./subjects/local";
import { AWS_RDS_TYPES, rdsClusterInstanceSubject, rdsClusterSubject, rdsInstanceSubject, rdsParameterGroupSubject } from "./subjects/aws";
import { AWS_NETWORK_TYPES, awsNetworkSubject } from "./subjects/awsNetwork";
import { CNPG_CLUSTER_TYPE, cnpgClusterSubject } from "./subjects/cnpg";
import { makeSubject } from "./subjects/readings";
import { DbSubject, FactReaders, SubjectBase } from "./subjects/types";

export * from "./subjects/types";
export { COMPONENT_KINDS } from "./subjects/component";
export { DYNAMIC_TYPE_PREFIX } from "./subjects/local";
export { AWS_RDS_TYPES } from "./subjects/aws";
export { AWS_NETWORK_TYPES } from "./subjects/awsNetwork";
export { CNPG_CLUSTER_TYPE, ZONE_KEY } from "./subjects/cnpg";
export { parseQuantity, quantityGib, sameQuantity } from "./subjects/quantity";

/** What a normalizer needs of a resource: the shape of `ResourceValidationArgs` (and of a stack policy's resource). */
export interface ResourceLike {
  type: string;
  name: string;
  props: Record<string, any>;
  opts?: { protect?: boolean };
}

type Normalizer = (type: string, name: string, props: Record<string, any>, protect: boolean | undefined) => { base: SubjectBase; readers: FactReaders } | undefined;

/**
 * The one normalizer of each type token it reads (dynamic resources, whatever their token, go to
 * the local server's). Each normalizer checks its type before it reads a prop, so picking it by type
 * reads exactly what trying them all in turn did.
 */
const BY_TYPE: ReadonlyMap<string, Normalizer> = new Map<string, Normalizer>([
  ...Object.keys(COMPONENT_KINDS).map((t) => [t, componentSubject] as const),
  [AWS_RDS_TYPES.instance, rdsInstanceSubject],
  [AWS_RDS_TYPES.cluster, rdsClusterSubject],
  [AWS_RDS_TYPES.clusterInstance, rdsClusterInstanceSubject],
  [AWS_RDS_TYPES.parameterGroup, rdsParameterGroupSubject],
  [AWS_RDS_TYPES.clusterParameterGroup, rdsParameterGroupSubject],
  ...Object.values(AWS_NETWORK_TYPES).map((t) => [t, awsNetworkSubject] as const),
  [CNPG_CLUSTER_TYPE, cnpgClusterSubject],
]);

/** The normalizer of a type, or undefined when no normalizer reads it. */
function normalizerOf(type: string): Normalizer | undefined {
  return BY_TYPE.get(type) ?? (type.startsWith(DYNAMIC_TYPE_PREFIX) ? localSubject : undefined);
}

/** The subject of a resource, or undefined when no normalizer reads its type. */
export function subjectOf(resource: ResourceLike): DbSubject | undefined {
  const normalize = normalizerOf(resource.type);
  const parts = normalize?.(resource.type, resource.name, resource.props, resource.opts?.protect);
  return parts ? makeSubject(parts.base, parts.readers) : undefined;
}
