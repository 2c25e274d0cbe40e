/**
 * The `kubernetes` options with every default filled in (from K8S_DEFAULTS), and the values the
 * back end derives from a spec: the image, the memory parameters, the object store's path.
 */
import { K8S_DEFAULTS, KubernetesOptions } from "../../model/schemas/kubernetes";
import { PgClusterSpec, PgSingleSpec } from "../../model/spec";

/** A db_resource spec the kubernetes back end renders. */
export type DbSpec = PgSingleSpec | PgClusterSpec;

/** The object store, resolved: where the archive goes and how the plugin authenticates. */
export interface ResolvedBackupStore {
  bucket: string;
  prefix: string;
  /** `s3://<bucket>/<prefix>`. */
  destinationPath: string;
  endpointURL?: string;
  credentials?: { secretName: string; accessKeyIdKey: string; secretAccessKeyKey: string; regionKey?: string; sessionTokenKey?: string };
  inheritFromIAMRole: boolean;
}

/** `kubernetes` options with defaults. */
export interface ResolvedK8s {
  namespace?: string;
  storageClass?: string;
  clusterName: string;
  clusterDomain: string;
  image: { imageName: string } | { imageCatalogRef: { apiGroup: string; kind: string; name: string; major: number } };
  operatorNamespace: string;
  monitoringNamespace?: string;
  backupStore?: ResolvedBackupStore;
  failover: { delaySeconds: number; switchoverDelaySeconds: number; primaryUpdateStrategy: "unsupervised" | "supervised"; primaryUpdateMethod: "restart" | "switchover" };
  alerts: { storageUsedPercent: number; connectionsUsedPercent: number; replicationLagSeconds: number };
  scheduledVacuum: boolean;
}

/** The default image of a major: the CNPG community's standard image on Debian trixie (its tag starts with the major). */
export function defaultImage(major: string): string {
  return `${K8S_DEFAULTS.imageRepository}:${major}${K8S_DEFAULTS.imageTagSuffix}`;
}

/** The major an image's tag starts with (`...:17.6-standard-trixie` is 17), or undefined. */
export function imageMajor(image: string): string | undefined {
  if (image.includes("@")) return undefined;
  const m = /:(\d+)(\.\d+)?[^/:]*$/.exec(image);
  return m ? m[1] : undefined;
}

/** The options of `spec` with defaults; `o` and `clusterName` override the spec's own (a green side, a replica cluster). */
export function resolveK8s(spec: DbSpec, o: KubernetesOptions = spec.kubernetes, clusterName?: string): ResolvedK8s {
  const major = spec.version;
  const image: ResolvedK8s["image"] = o.imageCatalog
    ? { imageCatalogRef: { apiGroup: "postgresql.cnpg.io", kind: o.imageCatalog.kind ?? "ClusterImageCatalog", name: o.imageCatalog.name, major: Number(major) } }
    : { imageName: o.imageName ?? defaultImage(major) };
  const name = clusterName ?? o.clusterName ?? spec.name;
  const standbys = spec.kind === "pg_cluster" ? spec.standbys : 0;
  return {
    namespace: o.namespace,
    storageClass: o.storageClass,
    clusterName: name,
    clusterDomain: o.clusterDomain ?? K8S_DEFAULTS.clusterDomain,
    image,
    operatorNamespace: o.operatorNamespace ?? K8S_DEFAULTS.operatorNamespace,
    monitoringNamespace: o.monitoringNamespace,
    backupStore: o.backupStore ? resolveStore(o.backupStore, o.namespace, name) : undefined,
    failover: {
      delaySeconds: o.failover?.delaySeconds ?? K8S_DEFAULTS.failoverDelaySeconds,
      switchoverDelaySeconds: o.failover?.switchoverDelaySeconds ?? K8S_DEFAULTS.switchoverDelaySeconds,
      primaryUpdateStrategy: o.failover?.primaryUpdateStrategy ?? K8S_DEFAULTS.primaryUpdateStrategy,
      primaryUpdateMethod: o.failover?.primaryUpdateMethod ?? (standbys > 0 ? "switchover" : "restart"),
    },
    alerts: {
      storageUsedPercent: o.alerts?.storageUsedPercent ?? K8S_DEFAULTS.storageUsedPercent,
      connectionsUsedPercent: o.alerts?.connectionsUsedPercent ?? K8S_DEFAULTS.connectionsUsedPercent,
      replicationLagSeconds: o.alerts?.replicationLagSeconds ?? K8S_DEFAULTS.replicationLagSeconds,
    },
    scheduledVacuum: o.scheduledVacuum ?? K8S_DEFAULTS.scheduledVacuum,
  };
}

function resolveStore(s: NonNullable<KubernetesOptions["backupStore"]>, namespace: string | undefined, cluster: string): ResolvedBackupStore {
  const prefix = s.prefix ?? (namespace ? `${namespace}/${cluster}` : cluster);
  return {
    bucket: s.bucket,
    prefix,
    destinationPath: `s3://${s.bucket}/${prefix}`,
    endpointURL: s.endpointURL,
    credentials: s.credentials
      ? {
          secretName: s.credentials.secretName,
          accessKeyIdKey: s.credentials.accessKeyIdKey ?? K8S_DEFAULTS.accessKeyIdKey,
          secretAccessKeyKey: s.credentials.secretAccessKeyKey ?? K8S_DEFAULTS.secretAccessKeyKey,
          ...(s.credentials.regionKey ? { regionKey: s.credentials.regionKey } : {}),
          ...(s.credentials.sessionTokenKey ? { sessionTokenKey: s.credentials.sessionTokenKey } : {}),
        }
      : undefined,
    inheritFromIAMRole: s.inheritFromIAMRole === true,
  };
}

const UNIT_MI: Readonly<Record<string, number>> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, k: 1e3 / 2 ** 20, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20, T: 1e12 / 2 ** 20 };

/** MiB in a Kubernetes memory quantity (`512Mi`, `8Gi`, `1G`), or undefined when it is not one. */
export function quantityMi(q: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q.trim());
  if (!m) return undefined;
  return m[2] ? Number(m[1]) * UNIT_MI[m[2]] : Number(m[1]) / 2 ** 20;
}

/**
 * Memory parameters from the pod's memory: `shared_buffers` a quarter of it and
 * `effective_cache_size` three quarters (the usual sizing), `work_mem` and `maintenance_work_mem`
 * from the plan.
 */
export function memoryParameters(spec: DbSpec): Record<string, string> {
  const mi = quantityMi(spec.compute.kubernetes.memory) ?? 512;
  return {
    shared_buffers: `${Math.max(32, Math.floor(mi / 4))}MB`,
    effective_cache_size: `${Math.max(96, Math.floor((mi * 3) / 4))}MB`,
    work_mem: spec.compute.local.workMem,
    maintenance_work_mem: spec.compute.local.maintenanceWorkMem,
  };
}

/**
 * Parameters CloudNativePG sets itself and refuses in `postgresql.parameters` (its "fixed"
 * configuration), as far as a user could try them through `parameters`.
 */
export const CNPG_FIXED_PARAMETERS = [
  "allow_system_table_mods",
  "archive_cleanup_command",
  "bonjour",
  "bonjour_name",
  "cluster_name",
  "full_page_writes",
  "hot_standby",
  "log_destination",
  "log_directory",
  "log_file_mode",
  "log_filename",
  "log_rotation_age",
  "log_rotation_size",
  "log_truncate_on_rotation",
  "logging_collector",
  "promote_trigger_file",
  "recovery_end_command",
  "recovery_min_apply_delay",
  "recovery_target",
  "recovery_target_action",
  "recovery_target_inclusive",
  "recovery_target_lsn",
  "recovery_target_name",
  "recovery_target_time",
  "recovery_target_timeline",
  "recovery_target_xid",
  "restart_after_crash",
  "ssl",
  "ssl_ca_file",
  "ssl_cert_file",
  "ssl_crl_file",
  "ssl_key_file",
  "ssl_passphrase_command",
  "stats_temp_directory",
  "synchronous_standby_names",
  "syslog_facility",
  "syslog_ident",
  "syslog_sequence_numbers",
  "syslog_split_messages",
  "wal_level",
  "wal_log_hints",
] as const;
