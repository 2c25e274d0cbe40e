/**
 * pgplatform: PostgreSQL as an abstract DBaaS resource, one typed API over AWS, Kubernetes and a
 * zero-cloud local back end.
 */
export { PgSingle, PgSingleArgs, PG_SINGLE_TYPE, RestoreArgs } from "./pgSingle";
export { PgCluster, PgClusterArgs, PG_CLUSTER_TYPE } from "./pgCluster";
export { ReadReplicaSet, ReadReplicaSetArgs, READ_REPLICA_SET_TYPE } from "./readReplicaSet";
export { BackupPolicy, BackupPolicyArgs, BACKUP_POLICY_TYPE } from "./backupPolicy";
export { BlueGreenUpgrade, BlueGreenUpgradeArgs, BLUE_GREEN_UPGRADE_TYPE } from "./blueGreenUpgrade";
export { TenantDatabase, TenantDatabaseArgs, TenantTarget, TENANT_DATABASE_TYPE } from "./tenantDatabase";
export { Connection, Endpoint, Metadata, ResourceStatus, Topology, TopologyMember } from "./outputs";
export { Backend, BackupRecord, RenderedDbResource, backendFor } from "./backends/backend";
export * as model from "./model";
export * as catalog from "./catalog";
export * as monitoring from "./monitoring/collectors";
