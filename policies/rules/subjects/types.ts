/**
 * The common view every resource rule judges: a {@link DbSubject}. One normalizer per resource
 * type (component args, the local server, RDS, security groups, the CNPG Cluster) turns a
 * resource into it, so a rule is written once and judges intent (`pgplatform:index:*`) and result
 * (the primitives) alike.
 *
 * Facts are read lazily: a fact is read from the resource's props when a rule asks for it. During
 * preview the policy SDK hands the props through a proxy that throws on an unknown value; that
 * error must reach the SDK (which then skips the rule), so nothing here catches it. Because
 * reading is lazy, an unknown value only skips the rules that need it.
 */
import { BackendName } from "../../../components/model/defaults";
import { EnvironmentTier } from "../../../components/model/environments";
import { PlanName, ResourceKind } from "../../../components/model/plans";

/** One allowlisted address range and where it sits in the resource. */
export interface AllowlistEntry {
  /** The field as the resource spells it: `network.allowedCidrs[0]`, `ingress[1].cidrBlocks[0]`. */
  field: string;
  /** What is written there (a CIDR, or a whole `pg_hba` line). */
  text: string;
  /** The range as a CIDR (`0.0.0.0/0`), or undefined when it is not one. */
  cidr?: string;
  /** Ports it opens; undefined = the database's own port only. */
  ports?: { from: number; to: number };
}

/** The facts a subject may show, by name. Every one is optional: a resource shows what it has. */
export interface Facts {
  kind: ResourceKind;
  backend: BackendName;
  plan: PlanName;
  projectId: string;
  environmentId: string;
  /** The environment's tier; its reading's `got` says how it was decided (for messages). */
  tier: EnvironmentTier;
  /** PostgreSQL major as a string (`"16"`), or the text as written when it is no major. */
  version: string;
  storageGb: number;
  /** Ceiling of storage autoscaling in GiB; 0 = off. */
  autoscaleMaxGb: number;
  instanceClass: string;
  /** CPU and memory a Kubernetes pod requests (or a component asks for on Kubernetes). */
  cpu: string;
  memory: string;
  cpuLimit: string;
  memoryLimit: string;
  /** Failover candidates besides the primary. */
  standbys: number;
  /** Standbys that confirm each commit (0 = asynchronous replication). */
  syncStandbys: number;
  multiAz: boolean;
  pitr: boolean;
  backupEnabled: boolean;
  /** `hourly` or `daily` (the named schedules), or the text as written. */
  backupSchedule: string;
  retentionDays: number;
  deletionProtection: boolean;
  publicAccess: boolean;
  allowedCidrs: AllowlistEntry[];
  storageEncrypted: boolean;
  kmsKeyId: string;
  /** AWS parameter groups: `rds.force_ssl` is 1. */
  forceSsl: boolean;
  /** AWS parameter groups: `ssl_min_protocol_version` as written (`TLSv1.2`). */
  sslMinProtocolVersion: string;
  /** CNPG: name of the enabled plugin that archives WAL (`isWALArchiver: true`). */
  walArchiver: string;
  /** CNPG: the deprecated in-tree `spec.backup.barmanObjectStore` is set. */
  legacyBackup: boolean;
}

/** Names of {@link Facts}. */
export type FactName = keyof Facts;

/** Every fact name, for code that walks them. */
export const FACT_NAMES: readonly FactName[] = [
  "kind", "backend", "plan", "projectId", "environmentId", "tier", "version", "storageGb", "autoscaleMaxGb",
  "instanceClass", "cpu", "memory", "cpuLimit", "memoryLimit", "standbys", "syncStandbys", "multiAz", "pitr", "backupEnabled",
  "backupSchedule", "retentionDays", "deletionProtection", "publicAccess", "allowedCidrs", "storageEncrypted",
  "kmsKeyId", "forceSsl", "sslMinProtocolVersion", "walArchiver", "legacyBackup",
];

/** A comparison a rule asks for, as messages print it. */
export type Op = "=" | ">=" | "<=" | "set";

/** One fact as read from one resource: its value, the field it came from, and what was written there. */
export interface Reading<T> {
  /** The value, with the defaults that apply filled in; undefined when nothing says. */
  value: T | undefined;
  /** The field as this resource spells it (`backup.retentionDays`, `backupRetentionPeriod`). */
  field: string;
  /** What the resource shows, for `; got ...`: `3`, `nothing (the default, 0)`. */
  got: string;
  /** True when nothing was written and `value` is a default (the plan's, the provider's). */
  defaulted?: boolean;
  /** How to ask for a value in this resource's terms, when `` `field` >= n `` would mislead. */
  need?: (op: Op, want: unknown) => string;
}

/** How a subject relates to a database: the database itself, a read replica, a cluster member, or a companion. */
export type SubjectRole = "database" | "replica" | "member" | "parameters" | "network";

/** The fixed part of a subject: what it is and how messages name it. */
export interface SubjectBase {
  /** `component` for `pgplatform:index:*` args, `primitive` for what back ends (or people) create. */
  origin: "component" | "primitive";
  /** The Pulumi type token. */
  type: string;
  /** The Pulumi resource name. */
  name: string;
  /** How messages name it: `PgCluster "orders"`, `rds.Instance "orders-db"`. */
  label: string;
  role: SubjectRole;
}

/** Reads one fact of a subject (the subject is passed so a default can depend on other facts). */
export type FactReader<K extends FactName> = (s: DbSubject) => Reading<Facts[K]>;
/** The facts a normalizer can read for one resource. */
export type FactReaders = { [K in FactName]?: FactReader<K> };

/**
 * The view rules judge: the fixed base, every fact as a lazy optional property (`s.standbys`), and
 * `read()` for the field and the value as written, which messages need.
 */
export type DbSubject = SubjectBase &
  Readonly<Partial<Facts>> & {
    /** The reading of a fact, or undefined when this kind of resource does not show it. */
    read<K extends FactName>(fact: K): Reading<Facts[K]> | undefined;
    /** How to ask for a value of a fact in this resource's terms: `` `standbys` >= 2 ``. */
    need<K extends FactName>(fact: K, op: Op, want: unknown): string;
  };
