/**
 * Resolved Specs: what `parse*Args()` returns once args are valid and every default is filled in
 * from the plan catalogue. Back ends render Specs; they never see raw args.
 */
import { BackendName } from "./defaults";
import { EnvironmentTier } from "./environments";
import { BackupSchedule, PlanCompute, PlanName, PlanStorage, ReplicationMode, ResourceKind } from "./plans";
import { Major } from "./versions";
import type { AwsOptions } from "./schemas/aws";
import type { KubernetesOptions } from "./schemas/kubernetes";
import type { ShardingSpec } from "./schemas/sharding";

/** Whether a db_resource runs (`paused` stops it where the back end can, keeping its data). */
export type LifecycleState = "active" | "paused";
/** What deleting a db_resource does: `hard` removes it now, `soft` keeps data and backups for a while. */
export type DeletionPolicy = "hard" | "soft";

/** The attributes every db_resource has, resolved. */
export interface DbResourceSpec {
  kind: ResourceKind;
  /** The Pulumi resource name the component was given. */
  name: string;
  /** Deterministic id: `<project>-<environment>-<name>-<hash>`. */
  resourceId: string;
  projectId: string;
  environmentId: string;
  environmentTier: EnvironmentTier;
  plan: PlanName;
  version: Major;
  backend: BackendName;
  compute: PlanCompute;
  storage: PlanStorage & { sizeGb: number };
  /** PostgreSQL parameters, as PostgreSQL spells them, values as strings. */
  parameters: Record<string, string>;
  network: {
    allowedCidrs: string[];
    allowedSecurityGroupIds: string[];
    allowedNamespaces: string[];
    allowedPodLabels: Record<string, string>;
    publicAccess: boolean;
  };
  backup: { enabled: boolean; schedule: BackupSchedule; cron: string; retentionDays: number; pitr: boolean };
  monitoring: { enabled: boolean; slowQueryMs: number };
  lifecycle: {
    state: LifecycleState;
    deletionProtection: boolean;
    deletionPolicy: DeletionPolicy;
    softDeleteRetentionDays: number;
    maintenanceWindow: string;
    /** A parameter change that needs a restart restarts at once instead of waiting for `maintenanceWindow` (local back end); absent = false. */
    applyImmediately?: boolean;
  };
  /**
   * Limits on the db_resource, measured at every `pulumi up`/`refresh`:
   * alerts as catalogue events from `warnAtPercent`; past `maxStorageGb` or `maxConnections`,
   * `onLimit: "read_only"` blocks writes (or new connections); `maxQps` only alerts. Absent = no quota.
   */
  quotas?: { maxStorageGb?: number; maxConnections?: number; maxQps?: number; warnAtPercent: number; onLimit: "warn" | "read_only" };
  /** Scheduled maintenance in `lifecycle.maintenanceWindow`; absent = none. */
  maintenance?: { vacuumAnalyze: boolean };
  /** User tags, added to every child that takes tags. */
  tags: Record<string, string>;
  /** The labels every child carries: project, environment, plan, resource id, kind. */
  labels: Record<string, string>;
}

/** Options only the `local` back end reads. */
export interface LocalOptions {
  /** Directory under which each server gets its own folder; undefined = the back end's default. */
  dataRoot?: string;
  /** TCP port; undefined = a free port chosen at create and kept afterwards. */
  port?: number;
}

/** How a db_resource is made from a BackupPolicy's backups (`restore` on PgSingle and PgCluster). */
export interface RestoreSpec {
  /** `clone`: a new db_resource from another's backups; `in_place`: this one's data replaced by its own backups (safety backup first). */
  mode: "clone" | "in_place";
  /** The db_resource the backups belong to, and the policy that took them; absent for an in-place restore from the db_resource's own backups. */
  from?: DbResourceLink & { version: Major; policyName: string; pitr: boolean };
  /** Where recovery stops: the end of the latest backup and WAL, a chosen backup, a time (ISO 8601 UTC) or an LSN. */
  target: { type: "latest" } | { type: "backup"; backupId: string } | { type: "time"; time: string } | { type: "lsn"; lsn: string };
  /** The explicit yes an in-place restore needs. */
  confirm: boolean;
}

/** Options every db_resource takes per back end; each back end reads only its own. */
export interface BackendOptions {
  local: LocalOptions;
  kubernetes: KubernetesOptions;
  aws: AwsOptions;
  /** Set when the db_resource is restored from backups. */
  restore?: RestoreSpec;
}

/** A resolved pg_single: one node, optional read replicas. */
export interface PgSingleSpec extends DbResourceSpec, BackendOptions {
  kind: "pg_single";
  databaseName: string;
  username: string;
  readReplicas: number;
}

/** A resolved pg_cluster: 1 primary + `standbys` with auto-failover, optional read replicas. */
export interface PgClusterSpec extends DbResourceSpec, BackendOptions {
  kind: "pg_cluster";
  databaseName: string;
  username: string;
  /** Standbys besides the primary, each a failover candidate. */
  standbys: number;
  replicationMode: ReplicationMode;
  /** Standbys that must confirm a commit: 1..`standbys` in sync mode, 0 in async mode. */
  syncStandbys: number;
  /** Whether the primary and standbys are spread over availability zones. */
  multiAz: boolean;
  /** AWS topology for the cluster (read by the `aws` back end only). */
  awsTopology: "aurora" | "multi_az_cluster";
  /** Read replicas besides the standbys (not failover candidates). */
  readReplicas: number;
  /** Sharding (Aurora Limitless Database, read by the `aws` back end); absent = one primary holds every row. */
  sharding?: ShardingSpec;
}

/**
 * What a component that acts on a db_resource (ReadReplicaSet, BackupPolicy, TenantDatabase) is
 * told about it. A resolved {@link PgSingleSpec} or {@link PgClusterSpec} fits as it is.
 */
export interface DbResourceRef {
  kind: ResourceKind;
  plan: PlanName;
  backend: BackendName;
  resourceId: string;
  /** The db_resource's tier; when unknown, rules treat it as production, the strictest. */
  environmentTier?: EnvironmentTier;
  /** Its application database, when known (a tenant may not take its name). */
  databaseName?: string;
  /** Its application role, when known (a tenant may not take its name). */
  username?: string;
}

/** A {@link DbResourceRef} that also says which major the db_resource runs (BlueGreenUpgrade's source). */
export interface VersionedDbResourceRef extends DbResourceRef {
  version: Major;
}

/** The part of a db_resource a Spec keeps: what identifies it and where it runs. */
export interface DbResourceLink {
  kind: ResourceKind;
  plan: PlanName;
  backend: BackendName;
  resourceId: string;
}

/** A resolved ReadReplicaSet: read-only copies of a db_resource, their endpoints, lag policy and pooler. */
export interface ReadReplicaSetSpec {
  kind: "read_replica_set";
  name: string;
  source: DbResourceLink;
  /** The source's back end, where the replicas run. */
  backend: BackendName;
  replicas: number;
  /** A replica lagging past either limit is reported unhealthy; at least one limit is always set. */
  lagPolicy: { maxSeconds?: number; maxBytes?: number };
  endpointStrategy: "single" | "per_replica";
  pooling: { enabled: boolean; mode: "transaction" | "session"; maxClientConnections: number; defaultPoolSize: number };
}

/** A resolved BackupPolicy: when a db_resource is backed up, for how long, and where to. */
export interface BackupPolicySpec {
  kind: "backup_policy";
  name: string;
  target: DbResourceLink;
  backend: BackendName;
  /** As given: `hourly`, `daily` or a 5-field cron. */
  schedule: string;
  /** 5-field cron (UTC) the backups run on. */
  cron: string;
  retentionDays: number;
  pitr: boolean;
  fullBackupEvery: "day" | "week";
  incrementalType: "incremental" | "differential";
  /** Where backups go; empty = the back end's default. */
  location: { path?: string; bucket?: string; prefix?: string };
  /** A token: a new value takes a backup now (on `pulumi up`); absent = none asked. */
  backupNow?: string;
  /** Restore the target's own data in place from these backups (safety backup first); absent = none. */
  restoreInPlace?: { target: RestoreSpec["target"]; confirm: true };
}

/** The parts of a {@link TenantDatabaseSpec} that do not depend on the mode. */
interface TenantDatabaseSpecBase {
  kind: "tenant_database";
  name: string;
  /** Deterministic id of the tenant mapping: `<project>-<environment>-<name>-<hash>`. */
  resourceId: string;
  tenantId: string;
  projectId: string;
  environmentId: string;
  /** The stricter of the tenant's tier and the target's. */
  environmentTier: EnvironmentTier;
  target: DbResourceLink;
  backend: BackendName;
  /** The naming template, as given or defaulted. */
  naming: string;
  /** The tenant's login role; the same name as its database or schema. */
  roleName: string;
  quotas: { maxConnections?: number; maxStorageGb?: number; warnAtPercent: number; onLimit: "warn" | "lock" };
  deletion: { policy: "drop" | "lock" | "archive"; backupBeforeDelete: boolean; archiveLocation?: string };
}

/** A resolved TenantDatabase: a tenant's own database, or its own schema in the target's database. */
export type TenantDatabaseSpec =
  | (TenantDatabaseSpecBase & { mode: "database_per_tenant"; databaseName: string })
  | (TenantDatabaseSpecBase & { mode: "schema_per_tenant"; schemaName: string });

/** A resolved BlueGreenUpgrade: a major upgrade or a pg_single to pg_cluster migration, and its phase. */
export interface BlueGreenUpgradeSpec {
  kind: "blue_green_upgrade";
  name: string;
  source: DbResourceLink & { version: Major };
  backend: BackendName;
  targetVersion: Major;
  targetPlan: PlanName;
  /** The kind of `targetPlan`: differs from the source's kind for a pg_single to pg_cluster migration. */
  targetKind: ResourceKind;
  strategy: "blue_green" | "in_place";
  phase: "prepare" | "cutover" | "finalize" | "rollback";
  tablesWithoutPrimaryKey: "replica_identity_full" | "refuse";
  maxWritePauseSeconds: number;
  confirm: boolean;
}
