/**
 * The plan catalogue: the one source of truth for what each plan means on every back end.
 * Components resolve their defaults from it and the policy pack judges resources against it.
 * Pure data, no resources.
 */
import { EnvironmentTier } from "./environments";
import { Major, SUPPORTED_MAJORS } from "./versions";

/** The two kinds of db_resource: one node, or a primary with standbys and auto-failover. */
export type ResourceKind = "pg_single" | "pg_cluster";
/** Whether a commit waits for standbys (`sync`) or not (`async`). */
export type ReplicationMode = "sync" | "async";
/** The named backup schedules (see {@link BACKUP_CRON}). */
export type BackupSchedule = "hourly" | "daily";

/** The cron (5 fields, UTC) each named backup schedule runs on. */
export const BACKUP_CRON: Readonly<Record<BackupSchedule, string>> = { hourly: "0 * * * *", daily: "0 3 * * *" };

/** Memory and worker settings for a server run by the `local` back end. */
export interface LocalCompute {
  sharedBuffers: string;
  effectiveCacheSize: string;
  workMem: string;
  maintenanceWorkMem: string;
}

/** Compute a plan gets, on each back end. */
export interface PlanCompute {
  aws: { instanceClass: string };
  kubernetes: { cpu: string; memory: string };
  local: LocalCompute;
}

/** Storage a plan gets and allows. */
export interface PlanStorage {
  /** Size a new db_resource gets, in GiB. */
  defaultGb: number;
  minGb: number;
  maxGb: number;
  /** Ceiling for storage autoscaling in GiB (AWS `maxAllocatedStorage`); 0 turns it off. */
  autoscaleMaxGb: number;
  type: "gp3" | "io1" | "io2";
  iops: number;
  throughputMbps: number;
}

/** Backups a plan takes by default. */
export interface PlanBackup {
  enabled: boolean;
  schedule: BackupSchedule;
  /** 5-field cron of the scheduled backup, UTC. */
  cron: string;
  retentionDays: number;
  pitr: boolean;
}

/** Standbys a plan gets and allows, and how they replicate. */
export interface PlanHa {
  standbys: number;
  minStandbys: number;
  maxStandbys: number;
  replicationMode: ReplicationMode;
  multiAz: boolean;
}

/** One plan of the catalogue: what a db_resource of that plan is on every back end. */
export interface Plan {
  name: PlanName;
  kind: ResourceKind;
  description: string;
  /** Environment tiers the plan may be used in. */
  tiers: readonly EnvironmentTier[];
  compute: PlanCompute;
  storage: PlanStorage;
  /** PostgreSQL parameters every back end sets, as PostgreSQL spells them. */
  parameters: Readonly<Record<string, string>>;
  backup: PlanBackup;
  ha: PlanHa;
  /** Most read replicas a db_resource of this plan may have. */
  maxReadReplicas: number;
  deletionProtection: boolean;
  /** Weekly maintenance window, UTC, as `ddd:hh:mm-ddd:hh:mm`. */
  maintenanceWindow: string;
  versions: readonly Major[];
}

/** Every plan, in catalogue order. */
export const PLAN_NAMES = ["dev_single", "small_single", "medium_single", "prod_ha"] as const;
/** One of {@link PLAN_NAMES}. */
export type PlanName = (typeof PLAN_NAMES)[number];

const COMMON_PARAMETERS = {
  timezone: "UTC",
  log_timezone: "UTC",
  password_encryption: "scram-sha-256",
  idle_in_transaction_session_timeout: "10min",
} as const;

/** The catalogue itself. */
export const PLANS: Readonly<Record<PlanName, Plan>> = {
  dev_single: {
    name: "dev_single",
    kind: "pg_single",
    description: "One small node for development: no backups, no replicas, no deletion protection.",
    tiers: ["dev", "staging"],
    compute: {
      aws: { instanceClass: "db.t4g.micro" },
      kubernetes: { cpu: "250m", memory: "512Mi" },
      local: { sharedBuffers: "128MB", effectiveCacheSize: "384MB", workMem: "4MB", maintenanceWorkMem: "64MB" },
    },
    storage: { defaultGb: 20, minGb: 20, maxGb: 100, autoscaleMaxGb: 50, type: "gp3", iops: 3000, throughputMbps: 125 },
    parameters: { ...COMMON_PARAMETERS, max_connections: "50" },
    backup: { enabled: false, schedule: "daily", cron: BACKUP_CRON.daily, retentionDays: 1, pitr: false },
    ha: { standbys: 0, minStandbys: 0, maxStandbys: 0, replicationMode: "async", multiAz: false },
    maxReadReplicas: 0,
    deletionProtection: false,
    maintenanceWindow: "sun:04:00-sun:05:00",
    versions: SUPPORTED_MAJORS,
  },
  small_single: {
    name: "small_single",
    kind: "pg_single",
    description: "One node for staging and small production: daily backups with PITR, one optional read replica.",
    tiers: ["dev", "staging", "production"],
    compute: {
      aws: { instanceClass: "db.t4g.small" },
      kubernetes: { cpu: "500m", memory: "1Gi" },
      local: { sharedBuffers: "256MB", effectiveCacheSize: "768MB", workMem: "4MB", maintenanceWorkMem: "64MB" },
    },
    storage: { defaultGb: 50, minGb: 20, maxGb: 500, autoscaleMaxGb: 200, type: "gp3", iops: 3000, throughputMbps: 125 },
    parameters: { ...COMMON_PARAMETERS, max_connections: "100" },
    backup: { enabled: true, schedule: "daily", cron: BACKUP_CRON.daily, retentionDays: 7, pitr: true },
    ha: { standbys: 0, minStandbys: 0, maxStandbys: 0, replicationMode: "async", multiAz: false },
    maxReadReplicas: 1,
    deletionProtection: true,
    maintenanceWindow: "sun:04:00-sun:05:00",
    versions: SUPPORTED_MAJORS,
  },
  medium_single: {
    name: "medium_single",
    kind: "pg_single",
    description: "One larger node for production: daily backups with PITR, up to two read replicas.",
    tiers: ["dev", "staging", "production"],
    compute: {
      aws: { instanceClass: "db.m7g.large" },
      kubernetes: { cpu: "2", memory: "8Gi" },
      local: { sharedBuffers: "1GB", effectiveCacheSize: "3GB", workMem: "8MB", maintenanceWorkMem: "256MB" },
    },
    storage: { defaultGb: 100, minGb: 50, maxGb: 2000, autoscaleMaxGb: 1000, type: "gp3", iops: 3000, throughputMbps: 125 },
    parameters: { ...COMMON_PARAMETERS, max_connections: "200" },
    backup: { enabled: true, schedule: "daily", cron: BACKUP_CRON.daily, retentionDays: 14, pitr: true },
    ha: { standbys: 0, minStandbys: 0, maxStandbys: 0, replicationMode: "async", multiAz: false },
    maxReadReplicas: 2,
    deletionProtection: true,
    maintenanceWindow: "sun:04:00-sun:05:00",
    versions: SUPPORTED_MAJORS,
  },
  prod_ha: {
    name: "prod_ha",
    kind: "pg_cluster",
    description: "Primary and synchronous standbys across zones with auto-failover, PITR and deletion protection.",
    tiers: ["staging", "production"],
    compute: {
      aws: { instanceClass: "db.r7g.large" },
      kubernetes: { cpu: "2", memory: "8Gi" },
      local: { sharedBuffers: "512MB", effectiveCacheSize: "1536MB", workMem: "8MB", maintenanceWorkMem: "128MB" },
    },
    storage: { defaultGb: 200, minGb: 100, maxGb: 4000, autoscaleMaxGb: 2000, type: "gp3", iops: 12000, throughputMbps: 500 },
    parameters: { ...COMMON_PARAMETERS, max_connections: "400" },
    backup: { enabled: true, schedule: "hourly", cron: BACKUP_CRON.hourly, retentionDays: 30, pitr: true },
    ha: { standbys: 2, minStandbys: 2, maxStandbys: 5, replicationMode: "sync", multiAz: true },
    maxReadReplicas: 5,
    deletionProtection: true,
    maintenanceWindow: "sun:04:00-sun:05:00",
    versions: SUPPORTED_MAJORS,
  },
};

/** True for the name of a plan of the catalogue. */
export function isPlanName(v: unknown): v is PlanName {
  return typeof v === "string" && (PLAN_NAMES as readonly string[]).includes(v);
}

/** The plans of one kind, in catalogue order. */
export function plansOfKind(kind: ResourceKind): PlanName[] {
  return PLAN_NAMES.filter((p) => PLANS[p].kind === kind);
}
