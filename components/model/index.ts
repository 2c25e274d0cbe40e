/**
 * The pgplatform domain model: plans, versions, environments, identifiers, network helpers,
 * defaults, the args schemas and `parse*Args()` of every component, the resolved Specs, and
 * `validateChange()`. Pure data and functions: no Pulumi resources.
 */
export * from "./versions";
export * from "./environments";
export * from "./plans";
export * from "./errors";
export * from "./identifiers";
export * from "./network";
export * from "./defaults";
export * from "./ids";
export * from "./cron";
export * from "./spec";
export * from "./change";
export { problemsFromZod } from "./zodIssues";
export { parseWith, subjectOf } from "./schemas/parse";
export { commonShape, defaultVersionOf, loopbackOnly, majorProblem } from "./schemas/common";
export type { CommonFacts } from "./schemas/common";
export { parsePgSingleArgs, pgSingleSchema } from "./schemas/pgSingle";
export type { ParseContext } from "./schemas/pgSingle";
export { AWS_TOPOLOGIES, MULTI_AZ_CLUSTER_STANDBYS, parsePgClusterArgs, pgClusterSchema } from "./schemas/pgCluster";
export { parseReadReplicaSetArgs, readReplicaSetSchema } from "./schemas/readReplicaSet";
export type { ReadReplicaSetContext } from "./schemas/readReplicaSet";
export { backupPolicySchema, parseBackupPolicyArgs } from "./schemas/backupPolicy";
export type { BackupPolicyContext } from "./schemas/backupPolicy";
export { NAMING_PLACEHOLDERS, applyNaming, parseTenantDatabaseArgs, tenantDatabaseSchema } from "./schemas/tenantDatabase";
export type { TenantDatabaseContext } from "./schemas/tenantDatabase";
export { CONFIRMED_PHASES, blueGreenUpgradeSchema, parseBlueGreenUpgradeArgs } from "./schemas/blueGreenUpgrade";
export type { BlueGreenUpgradeContext } from "./schemas/blueGreenUpgrade";
export { checkRestore, resolveRestore, restoreShape } from "./schemas/restore";
export type { RestoreSourceRef } from "./schemas/restore";
export type { KubernetesOptions, KubernetesArgs } from "./schemas/kubernetes";
export type { AwsOptions, AwsArgs } from "./schemas/aws";
export { COMPUTE_REDUNDANCY, SHARDED_DATABASE, SHARDING_MAJORS, SHARD_GROUP_ACU, shardingElsewhere } from "./schemas/sharding";
export type { ShardingArgs, ShardingSpec } from "./schemas/sharding";
