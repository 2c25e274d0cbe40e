/**
 * Defaults that do not come from a plan. Every schema default refers to this constant or to the
 * plan catalogue; nothing else in the code base invents a default.
 */
/** The back ends a db_resource can run on. */
export const BACKENDS = ["aws", "kubernetes", "local"] as const;
/** One of {@link BACKENDS}. */
export type BackendName = (typeof BACKENDS)[number];

/** The defaults every schema refers to, besides the plan catalogue. */
export const DEFAULTS = {
  /** Back end when neither the args nor stack config `pgplatform:backend` name one. */
  backend: "local" as BackendName,
  /** The application database every db_resource is created with. */
  databaseName: "app",
  /** The application's login role, owner of the application database. */
  username: "app",
  /** The platform's superuser (bootstrap user on `local`, master user on AWS). */
  superuser: "postgres",
  /** Who may connect when the allowlist names nobody: this machine only. */
  allowedCidrs: ["127.0.0.1/32"] as readonly string[],
  /** Length of generated passwords (letters and digits only, so URIs need no escaping). */
  passwordLength: 32,
  /** Days a soft-deleted db_resource keeps its data and backups before the hard delete. */
  softDeleteRetentionDays: 7,
  /** Statements slower than this are logged when monitoring is on. */
  slowQueryMs: 1000,
  /** Read replicas a pg_single gets when `readReplicas` is not given. */
  readReplicas: 0,
  /** Region reported in metadata by the local back end. */
  localRegion: "local",

  // PgCluster
  /** Standbys that must confirm each commit when `replicationMode` is `sync` (0 in `async` mode). */
  syncStandbys: 1,
  /** AWS shape of a pg_cluster: Aurora PostgreSQL (`multi_az_cluster` is the RDS Multi-AZ DB cluster). */
  awsTopology: "aurora" as "aurora" | "multi_az_cluster",

  // ReadReplicaSet
  /** Replication lag, in seconds, past which a read replica is reported unhealthy, when no lag policy is given. */
  maxReplicaLagSeconds: 30,
  /** One read endpoint balancing over every replica (`per_replica` gives each its own). */
  endpointStrategy: "single" as "single" | "per_replica",
  /**
   * Connection pooling in front of the replicas. `enabled` applies when `pooling` is given (without
   * it there is no pooler); the sizes are PgBouncer's own defaults (`defaultPoolSize` is lowered to
   * `maxClientConnections` when only that is given and it is smaller), and `session` mode keeps
   * every session feature (prepared statements, `SET`, advisory locks) working.
   */
  pooling: { enabled: true, mode: "session" as "session" | "transaction", maxClientConnections: 100, defaultPoolSize: 20 },

  // BackupPolicy
  /** Full backups once a week when backups run more than once a day (`hourly`), else once a day. */
  fullBackupEvery: { subDaily: "week", daily: "day" } as { subDaily: "day" | "week"; daily: "day" | "week" },
  /** Backups between two full backups hold the changes since the previous backup of any type. */
  incrementalType: "incremental" as "incremental" | "differential",

  // TenantDatabase
  /** Name of a tenant's database or schema (and of its role); placeholders: `{tenant_id}`, `{project_id}`, `{environment_id}`. */
  tenantNaming: "tenant_{tenant_id}",
  /** Usage, in percent of a quota, at which a tenant is warned. */
  quotaWarnAtPercent: 80,
  /** What happens when a tenant reaches a quota: `warn` only (`lock` refuses new connections). */
  quotaOnLimit: "warn" as "warn" | "lock",
  /** What deleting a tenant does: lock it out in production (data kept), drop it elsewhere. */
  tenantDeletionPolicy: { production: "lock", other: "drop" } as { production: "drop" | "lock" | "archive"; other: "drop" | "lock" | "archive" },

  // BlueGreenUpgrade
  /** A new db_resource fed by logical replication, then a cut-over (`in_place` upgrades the db_resource itself). */
  upgradeStrategy: "blue_green" as "blue_green" | "in_place",
  /** The first phase: build the green side and start replicating; nothing is switched yet. */
  upgradePhase: "prepare" as "prepare" | "cutover" | "finalize" | "rollback",
  /** Tables without a primary key stop the upgrade (logical replication cannot apply their UPDATE/DELETE). */
  tablesWithoutPrimaryKey: "refuse" as "replica_identity_full" | "refuse",
  /** Longest pause of writes at cut-over, in seconds, before the cut-over is abandoned. */
  maxWritePauseSeconds: 30,
} as const;

/** Limits that are not plan-specific, each with where it comes from. */
export const LIMITS = {
  /** Longest backup retention on AWS: RDS `backupRetentionPeriod` is 0 to 35 days. */
  awsBackupRetentionDays: 35,
  /** Longest backup retention anywhere, in days (10 years). */
  backupRetentionDays: 3650,
  /** Longest write pause a cut-over may ask for, in seconds. */
  maxWritePauseSeconds: 300,
} as const;

/** Label keys every child resource carries, on every back end (Kubernetes labels, AWS tags). */
export const LABEL_KEYS = {
  project: "pgplatform.io/project",
  environment: "pgplatform.io/environment",
  environmentTier: "pgplatform.io/environment-tier",
  plan: "pgplatform.io/plan",
  resourceId: "pgplatform.io/resource-id",
  kind: "pgplatform.io/kind",
  managedBy: "app.kubernetes.io/managed-by",
} as const;

/** Parameters the platform sets itself; users may not override them through `parameters`. */
export const MANAGED_PARAMETERS = [
  "listen_addresses",
  "port",
  "unix_socket_directories",
  "data_directory",
  "config_file",
  "hba_file",
  "ident_file",
  "external_pid_file",
  "password_encryption",
  "archive_mode",
  "archive_command",
  "restore_command",
  "primary_conninfo",
  "primary_slot_name",
  "shared_buffers",
  "effective_cache_size",
  "work_mem",
  "maintenance_work_mem",
] as const;
