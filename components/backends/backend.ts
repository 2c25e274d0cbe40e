/**
 * The back-end seam: every back end renders Specs into its own primitives and returns the same
 * normalized outputs, so a component never mentions a cloud.
 *
 * A rendered db_resource carries an opaque `handle`: what its own back end needs later to act on it
 * (a CNPG Cluster's name and namespace, an RDS instance identifier, a local server's data directory).
 * Components pass it along untouched; only the back end that made it reads it.
 */
import * as pulumi from "@pulumi/pulumi";
import { BackendName } from "../model/defaults";
import {
  BackupPolicySpec,
  BlueGreenUpgradeSpec,
  PgClusterSpec,
  PgSingleSpec,
  ReadReplicaSetSpec,
} from "../model/spec";
import { Connection, Endpoint, Metadata, ResourceStatus, Topology } from "../outputs";

/** What a back end returns for one db_resource (pg_single or pg_cluster). */
export interface RenderedDbResource {
  /** The application's connection through the write endpoint: its own user on its own database. */
  connection: Connection;
  /** The platform's superuser connection (tenants, catalogue, grants), a secret throughout. */
  adminConnection: Connection;
  resourceId: pulumi.Output<string>;
  status: pulumi.Output<ResourceStatus>;
  metadata: pulumi.Output<Metadata>;
  /**
   * Stable endpoints: `write` always reaches the primary, `read` the standbys (a pg_single's read
   * endpoint is its only node). Each is one host:port that survives a failover.
   */
  endpoints: { write: Endpoint; read: Endpoint };
  /** Current primary and members with their roles, read from the back end where it can tell. */
  topology: pulumi.Output<Topology>;
  /** Back-end private facts for the components that act on this db_resource later. */
  handle: unknown;
  /** The resources the db_resource is made of: what acting components depend on. */
  resources: pulumi.Resource[];
}

/** The db_resource a ReadReplicaSet, BackupPolicy or BlueGreenUpgrade acts on, as its back end rendered it. */
export interface RenderedSource {
  spec: PgSingleSpec | PgClusterSpec;
  rendered: RenderedDbResource;
}

/** What a back end returns for a ReadReplicaSet. */
export interface RenderedReplicaSet {
  /** One endpoint balancing over every replica that is within the lag policy. */
  readEndpoint: Endpoint;
  /** One endpoint per replica (`endpointStrategy: per_replica`), else empty. */
  replicaEndpoints: Endpoint[];
  /** The pooler's endpoint(s), when pooling is on. */
  pooler?: { read?: Endpoint; write?: Endpoint };
  /** The application's connection through the read endpoint (or the read pooler). */
  readConnection: Connection;
  status: pulumi.Output<ResourceStatus>;
  topology: pulumi.Output<Topology>;
  resources: pulumi.Resource[];
}

/** One backup, as the back end lists it. */
export interface BackupRecord {
  id: string;
  type: "full" | "differential" | "incremental" | "snapshot";
  startedAt: string;
  stoppedAt?: string;
  sizeBytes?: number;
  location: string;
  lsnStart?: string;
  lsnStop?: string;
  status: "RUNNING" | "DONE" | "FAILED";
  error?: string;
}

/** What a back end returns for a BackupPolicy. */
export interface RenderedBackupPolicy {
  /** Next scheduled backup, ISO 8601 UTC, computed from the cron. */
  nextSchedule: pulumi.Output<string>;
  /** When the last successful backup finished, where the back end can tell. */
  lastSuccessful: pulumi.Output<string | undefined>;
  /** Backups the repository holds, where the back end can list them. */
  backups: pulumi.Output<BackupRecord[]>;
  status: pulumi.Output<ResourceStatus>;
  /** Back-end private facts a restore needs (repository, stanza, object store, snapshot source). */
  handle: unknown;
  resources: pulumi.Resource[];
}

/** The BackupPolicy a restore reads from, as its back end rendered it. */
export interface RenderedBackupSource {
  spec: BackupPolicySpec;
  rendered: RenderedBackupPolicy;
  /** The db_resource the policy backs up. */
  target: RenderedSource;
}

/** What a back end returns for a BlueGreenUpgrade. */
export interface RenderedUpgrade {
  /** The application's stable connection: blue until cutover, green after (blue again on rollback). */
  connection: Connection;
  /** The green side (the new db_resource); undefined for an in-place upgrade. */
  green?: RenderedDbResource;
  /** Which side serves the application now. */
  activeSide: pulumi.Output<"blue" | "green">;
  /** Replication state and timings, as the back end reports them (lag, write pause, rows copied). */
  progress: pulumi.Output<Record<string, unknown>>;
  status: pulumi.Output<ResourceStatus>;
  resources: pulumi.Resource[];
}

/** One implementation per back end (`aws`, `kubernetes`, `local`). */
export interface Backend {
  readonly name: BackendName;
  /** Throws when the back end cannot honour `spec`; called before anything is registered. */
  checkSingle(spec: PgSingleSpec): void;
  /** Renders a pg_single; every child gets `{ parent: scope }`. `restoreFrom` is set when `spec.restore` is. */
  renderSingle(scope: pulumi.ComponentResource, spec: PgSingleSpec, restoreFrom?: RenderedBackupSource): RenderedDbResource;
  /** Throws when the back end cannot honour `spec`; called before anything is registered. */
  checkCluster(spec: PgClusterSpec): void;
  /** Renders a pg_cluster; every child gets `{ parent: scope }`. `restoreFrom` is set when `spec.restore` is. */
  renderCluster(scope: pulumi.ComponentResource, spec: PgClusterSpec, restoreFrom?: RenderedBackupSource): RenderedDbResource;
  /** Throws when the back end cannot honour `spec` on `source`. */
  checkReplicas(spec: ReadReplicaSetSpec, source: RenderedSource): void;
  renderReplicas(scope: pulumi.ComponentResource, spec: ReadReplicaSetSpec, source: RenderedSource): RenderedReplicaSet;
  /** Throws when the back end cannot honour `spec` on `target`. */
  checkBackup(spec: BackupPolicySpec, target: RenderedSource): void;
  renderBackup(scope: pulumi.ComponentResource, spec: BackupPolicySpec, target: RenderedSource): RenderedBackupPolicy;
  /** Throws when the back end cannot honour `spec` on `source`. */
  checkUpgrade(spec: BlueGreenUpgradeSpec, source: RenderedSource): void;
  renderUpgrade(scope: pulumi.ComponentResource, spec: BlueGreenUpgradeSpec, source: RenderedSource): RenderedUpgrade;
}

/** Back ends shipped in this version; the others are reported with a clear error. */
const AVAILABLE: Partial<Record<BackendName, () => Backend>> = {
  local: () => new (require("./local") as typeof import("./local")).LocalBackend(),
  aws: () => new (require("./aws") as typeof import("./aws")).AwsBackend(),
  kubernetes: () => new (require("./kubernetes") as typeof import("./kubernetes")).KubernetesBackend(),
};

/** The back end named `name`, or an error saying which ones this version ships. */
export function backendFor(name: BackendName): Backend {
  const make = AVAILABLE[name];
  if (!make) {
    const have = Object.keys(AVAILABLE).map((n) => `\`${n}\``).join(", ");
    throw new Error(`back end \`${name}\` is not available in this version of pgplatform; available: ${have}. Choose one with the \`backend\` arg or stack config \`pgplatform:backend\``);
  }
  return make();
}
