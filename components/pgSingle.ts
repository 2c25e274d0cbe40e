/**
 * PgSingle: one PostgreSQL node, no auto-failover (a `pg_single`). Dev, staging, small production.
 */
import * as pulumi from "@pulumi/pulumi";
import { RenderedDbResource, backendFor } from "./backends/backend";
import { BackendName } from "./model/defaults";
import { EnvironmentTier } from "./model/environments";
import { PlanName } from "./model/plans";
import { parsePgSingleArgs } from "./model/schemas/pgSingle";
import { PgSingleSpec } from "./model/spec";
import { restoreRefOf } from "./dbResource";
import { planDbResource, renderDbResource } from "./renderDbResource";
import { Connection, Endpoint, Metadata, ResourceStatus, Topology } from "./outputs";

/** Arguments of a {@link PgSingle}. Everything but the ids and the plan has a default from the plan catalogue. */
export interface PgSingleArgs {
  /** Project that owns the database; a label on every child. 1-40 of `a-z`, `0-9`, `-`. */
  projectId: string;
  /** Environment it belongs to (`dev`, `staging`, `prod`, ...); a label on every child. */
  environmentId: string;
  /**
   * Tier of the environment, which decides the safe defaults and what plans may run there.
   * @default - derived from `environmentId`: `dev*`, `test`, `sandbox`, `ci` are dev; `staging`, `qa`, `uat` are staging; anything else is production
   */
  environmentTier?: EnvironmentTier;
  /** A pg_single plan: `dev_single`, `small_single` or `medium_single`. */
  plan: PlanName | string;
  /**
   * PostgreSQL major version.
   * @default "17", if the plan offers it
   */
  version?: string | number;
  /**
   * Back end that runs the database.
   * @default - stack config `pgplatform:backend`, else `local`
   */
  backend?: BackendName;
  /**
   * Name of the application database.
   * @default "app"
   */
  databaseName?: string;
  /**
   * The application's login role, owner of the application database.
   * @default "app"
   */
  username?: string;
  /**
   * Read replicas of this node (at most the plan's maximum).
   * @default 0
   */
  readReplicas?: number;
  /**
   * Compute per back end, overriding the plan's.
   * @default - the plan's compute
   */
  compute?: {
    aws?: { instanceClass?: string };
    kubernetes?: { cpu?: string; memory?: string };
    local?: { sharedBuffers?: string; effectiveCacheSize?: string; workMem?: string; maintenanceWorkMem?: string };
  };
  /**
   * Storage in GiB, within the plan's bounds; it only grows.
   * @default - the plan's default size and autoscaling ceiling
   */
  storage?: { sizeGb?: number; autoscaleMaxGb?: number };
  /**
   * Who may connect. Never the whole internet outside dev.
   * @default - `127.0.0.1/32` only, no public access
   */
  network?: {
    allowedCidrs?: string[];
    allowedSecurityGroupIds?: string[];
    allowedNamespaces?: string[];
    allowedPodLabels?: Record<string, string>;
    publicAccess?: boolean;
  };
  /**
   * Backup policy.
   * @default - the plan's: off on `dev_single`, daily with PITR on the others
   */
  backup?: { enabled?: boolean; schedule?: "hourly" | "daily"; retentionDays?: number; pitr?: boolean };
  /**
   * Monitoring: slow statements are logged above `slowQueryMs`.
   * @default - enabled, 1000 ms
   */
  monitoring?: { enabled?: boolean; slowQueryMs?: number };
  /**
   * Lifecycle: state, deletion protection and policy, maintenance window (UTC, `ddd:hh:mm-ddd:hh:mm`).
   * @default - active; deletion protection per plan and always in production; soft delete in production; the plan's window
   */
  lifecycle?: {
    state?: "active" | "paused";
    deletionProtection?: boolean;
    deletionPolicy?: "hard" | "soft";
    softDeleteRetentionDays?: number;
    maintenanceWindow?: string;
    /**
     * Restart at once for a parameter change that needs it, instead of waiting for `maintenanceWindow` (an urgent change).
     * Read by the local back end; on aws use `aws.applyImmediately`.
     * @default false
     */
    applyImmediately?: boolean;
  };
  /**
   * PostgreSQL parameters on top of the plan's (names as PostgreSQL spells them).
   * @default - the plan's parameters
   */
  parameters?: Record<string, string | number | boolean>;
  /**
   * Limits on this db_resource, measured at every `pulumi up`/`refresh`
   * (schedule `pulumi up --refresh` for regular checks): a catalogue event from `warnAtPercent` (default 80) of a limit; past `maxStorageGb` or
   * `maxConnections`, `onLimit: "read_only"` makes the application database read-only (storage) or caps its
   * connections, until usage falls back; `maxQps` (commits + rollbacks per second) only alerts.
   * @default - no quota
   */
  quotas?: { maxStorageGb?: number; maxConnections?: number; maxQps?: number; warnAtPercent?: number; onLimit?: "warn" | "read_only" };
  /**
   * Scheduled maintenance at the start of `lifecycle.maintenanceWindow`: `vacuumAnalyze` runs
   * `VACUUM (ANALYZE)` on the application database (pg_cron on the local back end, PostgreSQL 15 only).
   * @default - none
   */
  maintenance?: { vacuumAnalyze?: boolean };
  /**
   * Tags added to every child that takes tags.
   * @default - none
   */
  tags?: Record<string, string>;
  /**
   * Options of the `local` back end only.
   * @default - data under stack config `pgplatform:localDataRoot` (else /var/lib/pgplatform as root, ~/.local/share/pgplatform otherwise), a free port chosen at create
   */
  local?: { dataRoot?: string; port?: number };
  /**
   * Options of the `kubernetes` back end only (CloudNativePG).
   * @default - the provider's namespace, the cluster's default StorageClass
   */
  kubernetes?: import("./model/schemas/kubernetes").KubernetesArgs;
  /**
   * Options of the `aws` back end only (RDS).
   * @default - see each option
   */
  aws?: import("./model/schemas/aws").AwsArgs;
  /**
   * Make this db_resource from backups: a new clone of another's (`from`, `mode: "clone"`, the
   * default), or this db_resource's own data replaced from its own backups (`mode: "in_place"`, no
   * `from`; it needs `confirm: true` and takes a safety backup first). At most one of `backupId`, `targetTime` (ISO 8601 with a zone),
   * `targetLsn`; none means the latest point.
   * @default - no restore: a new, empty database
   */
  restore?: RestoreArgs;
}

/** `restore` on PgSingle and PgCluster. */
export interface RestoreArgs {
  /**
   * The BackupPolicy whose backups to restore into this new db_resource (a clone).
   * @default - none: with `mode: "in_place"`, this db_resource's own backups
   */
  from?: unknown;
  /**
   * `clone`: a new db_resource from `from`'s backups; `in_place`: this one's data replaced.
   * @default "clone"
   */
  mode?: "clone" | "in_place";
  /**
   * Restore this backup (a pgBackRest label, a CNPG backup id, an RDS snapshot id).
   * @default - the latest point
   */
  backupId?: string;
  /**
   * Recover up to this time, ISO 8601 with a zone (needs PITR).
   * @default - the latest point
   */
  targetTime?: string;
  /**
   * Recover up to this LSN, `16/B374D848` (needs PITR; not on `aws`).
   * @default - the latest point
   */
  targetLsn?: string;
  /**
   * The explicit yes an in-place restore needs.
   * @default false
   */
  confirm?: boolean;
}

/**
 * Plain facts about a db_resource, registered as a component output so stack policies (quotas) can
 * aggregate them at preview, when most other outputs are still unknown.
 */
export function factsOf(spec: PgSingleSpec | import("./model/spec").PgClusterSpec) {
  return {
    kind: spec.kind,
    resourceId: spec.resourceId,
    projectId: spec.projectId,
    environmentId: spec.environmentId,
    environmentTier: spec.environmentTier,
    plan: spec.plan,
    version: spec.version,
    backend: spec.backend,
    storageGb: spec.storage.sizeGb,
  };
}

/** The type token of {@link PgSingle}. */
export const PG_SINGLE_TYPE = "pgplatform:index:PgSingle";

/**
 * One PostgreSQL node with its application database and user, on the chosen back end.
 *
 * ```ts
 * const db = new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single" });
 * export const uri = db.connection.uri; // a secret
 * ```
 */
export class PgSingle extends pulumi.ComponentResource {
  /** The resolved spec: args with every default filled in from the plan catalogue. */
  readonly spec: PgSingleSpec;
  /** The application's connection; `password` and `uri` are secrets. */
  readonly connection: Connection;
  /** The platform's superuser connection, for tenants and the catalogue; secret. */
  readonly adminConnection: Connection;
  readonly resourceId: pulumi.Output<string>;
  readonly status: pulumi.Output<ResourceStatus>;
  readonly metadata: pulumi.Output<Metadata>;
  /** Write and read endpoints (the same node for a pg_single). */
  readonly endpoints: { write: Endpoint; read: Endpoint };
  /** The node and its role, with routing hints for the application. */
  readonly topology: pulumi.Output<Topology>;
  /** @internal What the back end rendered, for the components that act on this db_resource. */
  readonly rendered: RenderedDbResource;

  constructor(name: string, args: PgSingleArgs, opts?: pulumi.ComponentResourceOptions) {
    const restoreFrom = args?.restore?.from;
    const spec = parsePgSingleArgs(name, args, { stackBackend: new pulumi.Config("pgplatform").get("backend"), restoreFrom: restoreRefOf(restoreFrom) });
    const backend = backendFor(spec.backend);
    backend.checkSingle(spec);
    const plan = planDbResource(name, spec, opts);
    super(PG_SINGLE_TYPE, name, args, plan.opts);
    this.spec = spec;
    const rendered = renderDbResource(this, name, spec, plan, restoreFrom, (from) => backend.renderSingle(this, spec, from));
    this.rendered = rendered;
    this.endpoints = rendered.endpoints;
    this.topology = rendered.topology;
    this.connection = rendered.connection;
    this.adminConnection = rendered.adminConnection;
    this.resourceId = rendered.resourceId;
    this.status = rendered.status;
    this.metadata = rendered.metadata;
    this.registerOutputs({
      connection: this.connection,
      resourceId: this.resourceId,
      status: this.status,
      metadata: this.metadata,
      endpoints: this.endpoints,
      topology: this.topology,
      facts: factsOf(spec),
    });
  }
}
