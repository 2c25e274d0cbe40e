/**
 * The subjects resource rules judge. {@link subjectOf} picks the ONE normalizer for a resource's
 * type and returns a {@link DbSubject}, or undefined for a resource no rule here judges:
 *
 * | type | normalizer |
 * |---|---|
 * | `pgplatform:index:PgSingle`, `pgplatform:index:PgCluster` | subjects/component.ts (args + plan defaults) |
 * | dynamic resource with `kind: "pgplatform:local:server"` | subjects/local.ts |
 * | `aws:rds/instance:Instance`, `aws:rds/cluster:Cluster`, `aws:rds/clusterInstance:ClusterInstance`, parameter groups | subjects/aws.ts |
 * | `aws:ec2/securityGroup:SecurityGroup`, `aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule`, `aws:ec2/securityGroupRule:SecurityGroupRule` | subjects/awsNetwork.ts |
 * | `kubernetes:postgresql.cnpg.io/v1:Cluster` | subjects/cnpg.ts |
 *
 * Side-effect free. Facts are read lazily and nothing catches the SDK's unknown-value error.
 */
import { componentSubject } from "./subjects/component";
import { localServerSubject } from "./subjects/local";
import { rdsClusterInstanceSubject, rdsClusterSubject, rdsInstanceSubject, rdsParameterGroupSubject } from "./subjects/aws";
import { awsNetworkSubject } from "./subjects/awsNetwork";
import { cnpgClusterSubject } from "./subjects/cnpg";
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

/** Every normalizer; each returns undefined for types that are not its own. */
const NORMALIZERS: readonly Normalizer[] = [
  componentSubject,
  localServerSubject,
  rdsInstanceSubject,
  rdsClusterSubject,
  rdsClusterInstanceSubject,
  rdsParameterGroupSubject,
  awsNetworkSubject,
  cnpgClusterSubject,
];

/** The subject of a resource, or undefined when no normalizer reads its type. */
export function subjectOf(resource: ResourceLike): DbSubject | undefined {
  for (const normalize of NORMALIZERS) {
    const parts = normalize(resource.type, resource.name, resource.props, resource.opts?.protect);
    if (parts) return makeSubject(parts.base, parts.readers);
  }
  return undefined;
}
