/**
 * Options of the `kubernetes` back end (CloudNativePG) on PgSingle and PgCluster: their zod shape,
 * checks and resolution. Owned by the Kubernetes back end; other back ends never read them.
 *
 * The resolved Spec keeps the options as the user gave them (so a spec on another back end stays
 * `kubernetes: {}`); the back end fills the defaults with {@link kubernetesDefaultsOf}, which reads
 * {@link K8S_DEFAULTS} and nothing else.
 */
import { z } from "zod";
import { parseCron } from "../cron";
import { Problems, show } from "../errors";

/** Where the Barman Cloud plugin archives WAL and base backups: an S3 (or S3-compatible) bucket. */
export interface KubernetesBackupStore {
  /** S3 bucket name (3-63 of `a-z`, `0-9`, `.`, `-`). */
  bucket: string;
  /**
   * Key prefix inside the bucket.
   * @default - the namespace, then the cluster name: `<namespace>/<cluster>` (`<cluster>` alone without a namespace)
   */
  prefix?: string;
  /**
   * Endpoint of an S3-compatible store (MinIO, Ceph RGW, ...).
   * @default - AWS S3
   */
  endpointURL?: string;
  /**
   * A Secret in the Cluster's namespace holding the S3 keys. Give this or `inheritFromIAMRole`.
   * @default - none: `inheritFromIAMRole` must be true
   */
  credentials?: {
    /** Name of the Secret. */
    secretName: string;
    /** @default "ACCESS_KEY_ID" */
    accessKeyIdKey?: string;
    /** @default "ACCESS_SECRET_KEY" */
    secretAccessKeyKey?: string;
    /** @default - no region key: the store's default region */
    regionKey?: string;
    /** @default - no session token */
    sessionTokenKey?: string;
  };
  /**
   * Authenticate with the pod's IAM role (IRSA / EKS Pod Identity) instead of keys.
   * @default false
   */
  inheritFromIAMRole?: boolean;
}

/** `kubernetes` options as given (see each field for its default). */
export interface KubernetesOptions {
  /**
   * Namespace the CNPG objects go to.
   * @default - the Kubernetes provider's namespace (`default` unless the provider says otherwise)
   */
  namespace?: string;
  /**
   * StorageClass of the volumes; required in production (the default class is a guess: name one with
   * `allowVolumeExpansion: true`, `volumeBindingMode: WaitForFirstConsumer` and the plan's IOPS).
   * @default - the cluster's default StorageClass (dev and staging only)
   */
  storageClass?: string;
  /**
   * Name of the CNPG `Cluster` (a DNS-1035 label of at most 50 characters); its Services are `<name>-rw` and `<name>-ro`.
   * @default - the component's name
   */
  clusterName?: string;
  /**
   * DNS domain of the Kubernetes cluster, for the endpoints' host names (`<service>.<namespace>.svc.<domain>`).
   * @default "cluster.local"
   */
  clusterDomain?: string;
  /**
   * PostgreSQL image; its tag must start with the db_resource's major (`17`, `17.6-...`). Not with `imageCatalog`.
   * @default - `ghcr.io/cloudnative-pg/postgresql:<major>-standard-trixie`
   */
  imageName?: string;
  /**
   * An ImageCatalog or ClusterImageCatalog to take the image of the major from (pinned images, one place to roll them). Not with `imageName`.
   * @default - no catalogue: `imageName`
   */
  imageCatalog?: { kind?: "ImageCatalog" | "ClusterImageCatalog"; name: string };
  /**
   * Namespace the CNPG operator runs in (admitted to the instances' status port 8000 by the NetworkPolicy).
   * @default "cnpg-system"
   */
  operatorNamespace?: string;
  /**
   * Namespace Prometheus runs in (admitted to the metrics port 9187 by the NetworkPolicy).
   * @default - none: the PodMonitor is made, and the scraper's namespace is not admitted to port 9187
   */
  monitoringNamespace?: string;
  /**
   * Where the Barman Cloud plugin archives WAL and backups; required when backups are on.
   * @default - none (then `backup.enabled: false` is required)
   */
  backupStore?: KubernetesBackupStore;
  /**
   * Failover and rolling-update behaviour.
   * @default - fail over at once (`delaySeconds` 0), 3600 s for a clean switchover, rolling updates `unsupervised`, the primary by `switchover` (`restart` with a single instance)
   */
  failover?: {
    /** @default 0 */
    delaySeconds?: number;
    /** @default 3600 */
    switchoverDelaySeconds?: number;
    /** @default "unsupervised" */
    primaryUpdateStrategy?: "unsupervised" | "supervised";
    /** @default - "switchover" with standbys, "restart" with a single instance */
    primaryUpdateMethod?: "restart" | "switchover";
  };
  /**
   * Alert thresholds of the PrometheusRule.
   * @default - storage 80 %, connections 80 % of `max_connections`, replication lag 30 s
   */
  alerts?: { storageUsedPercent?: number; connectionsUsedPercent?: number; replicationLagSeconds?: number };
  /**
   * When the db_resource's own ScheduledBackup runs, as a CloudNativePG cron: 6 fields, seconds first
   * (`0 0 3 * * *` is 03:00 UTC daily). Only with backups on.
   * @default - the plan's schedule (`backup.schedule`), converted to 6 fields
   */
  backupSchedule?: string;
  /**
   * A CronJob that runs `vacuumdb --all --analyze-in-stages` at the start of the maintenance window.
   * @default true
   */
  scheduledVacuum?: boolean;
}

/** The defaults of the `kubernetes` options; the back end reads them from here only. */
export const K8S_DEFAULTS = {
  clusterDomain: "cluster.local",
  imageRepository: "ghcr.io/cloudnative-pg/postgresql",
  imageTagSuffix: "-standard-trixie",
  operatorNamespace: "cnpg-system",
  accessKeyIdKey: "ACCESS_KEY_ID",
  secretAccessKeyKey: "ACCESS_SECRET_KEY",
  failoverDelaySeconds: 0,
  switchoverDelaySeconds: 3600,
  primaryUpdateStrategy: "unsupervised" as "unsupervised" | "supervised",
  storageUsedPercent: 80,
  connectionsUsedPercent: 80,
  replicationLagSeconds: 30,
  scheduledVacuum: true,
  /**
   * The longest CNPG Cluster name: what is named after it (`<name>-replica-ro`, `<name>-green`,
   * `<name>-pooler-rw`, the CronJobs' `<name>-vacuum`) must stay within Kubernetes' limits (63 for a
   * Service, 52 for a CronJob).
   */
  maxClusterNameLength: 40,
} as const;

/** A Kubernetes object name (DNS-1123 subdomain, at most 253). */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A DNS-1123 label (namespaces). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1035 label (CNPG Cluster names: their Services need it). */
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The problem with `value` as a CNPG Cluster name at `field`, or undefined. */
export function clusterNameProblem(field: string, value: string): string | undefined {
  if (value.length > K8S_DEFAULTS.maxClusterNameLength || !DNS_1035.test(value)) {
    return `\`${field}\` must be a DNS-1035 label of at most ${K8S_DEFAULTS.maxClusterNameLength} characters (lower-case letters, digits and \`-\`, starting with a letter), since the CNPG Cluster and its Services \`<name>-rw\`/\`<name>-ro\` are named after it; got ${show(value)}`;
  }
  return undefined;
}

/** zod shape of `kubernetes` options. */
export function kubernetesShape() {
  const int = () => z.number().int();
  const percent = () => int().min(1).max(99);
  return z
    .object({
      namespace: z.string(),
      storageClass: z.string(),
      clusterName: z.string(),
      clusterDomain: z.string(),
      imageName: z.string(),
      imageCatalog: z.object({ kind: z.enum(["ImageCatalog", "ClusterImageCatalog"]).optional(), name: z.string() }).strict(),
      operatorNamespace: z.string(),
      monitoringNamespace: z.string(),
      backupStore: z
        .object({
          bucket: z.string(),
          prefix: z.string().optional(),
          endpointURL: z.string().optional(),
          credentials: z
            .object({
              secretName: z.string(),
              accessKeyIdKey: z.string().optional(),
              secretAccessKeyKey: z.string().optional(),
              regionKey: z.string().optional(),
              sessionTokenKey: z.string().optional(),
            })
            .strict()
            .optional(),
          inheritFromIAMRole: z.boolean().optional(),
        })
        .strict(),
      failover: z
        .object({
          delaySeconds: int().min(0),
          switchoverDelaySeconds: int().min(1),
          primaryUpdateStrategy: z.enum(["unsupervised", "supervised"]),
          primaryUpdateMethod: z.enum(["restart", "switchover"]),
        })
        .partial()
        .strict(),
      alerts: z.object({ storageUsedPercent: percent(), connectionsUsedPercent: percent(), replicationLagSeconds: int().min(1) }).partial().strict(),
      backupSchedule: z.string(),
      scheduledVacuum: z.boolean(),
    })
    .partial()
    .strict()
    .optional();
}

/** Checks `kubernetes` options: only for the kubernetes back end; names that Kubernetes accepts; a usable backup store. */
export function checkKubernetes(input: any, backend: string | undefined, p: Problems): void {
  const k = input.kubernetes;
  if (!k || typeof k !== "object") return;
  if (backend !== undefined && backend !== "kubernetes" && Object.keys(k).length > 0) {
    p.add("kubernetes", `\`kubernetes\` options apply to the \`kubernetes\` back end only, and this db_resource uses \`${backend}\`; got ${show(k)}`);
    return;
  }
  const str = (v: unknown): v is string => typeof v === "string";
  for (const field of ["namespace", "operatorNamespace", "monitoringNamespace"] as const) {
    if (str(k[field]) && (k[field].length > 63 || !DNS_LABEL.test(k[field]))) {
      p.add(`kubernetes.${field}`, `\`kubernetes.${field}\` must be a namespace name (DNS-1123 label: lower-case letters, digits and \`-\`, at most 63); got ${show(k[field])}`);
    }
  }
  if (str(k.storageClass) && (k.storageClass.length > 253 || !DNS_SUBDOMAIN.test(k.storageClass))) {
    p.add("kubernetes.storageClass", `\`kubernetes.storageClass\` must be a StorageClass name (lower-case letters, digits, \`-\` and \`.\`); got ${show(k.storageClass)}`);
  }
  if (str(k.clusterName)) {
    const problem = clusterNameProblem("kubernetes.clusterName", k.clusterName);
    if (problem) p.add("kubernetes.clusterName", problem);
  }
  if (str(k.clusterDomain) && !DNS_SUBDOMAIN.test(k.clusterDomain)) {
    p.add("kubernetes.clusterDomain", `\`kubernetes.clusterDomain\` must be a DNS domain such as \`cluster.local\`; got ${show(k.clusterDomain)}`);
  }
  if (str(k.imageName) && k.imageCatalog && typeof k.imageCatalog === "object") {
    p.add("kubernetes.imageCatalog", `\`kubernetes.imageCatalog\` and \`kubernetes.imageName\` exclude each other (CNPG takes one image source); got both`);
  }
  if (k.imageCatalog && str(k.imageCatalog.name) && !DNS_SUBDOMAIN.test(k.imageCatalog.name)) {
    p.add("kubernetes.imageCatalog.name", `\`kubernetes.imageCatalog.name\` must be a Kubernetes object name; got ${show(k.imageCatalog.name)}`);
  }
  checkBackupStore(k.backupStore, p);
  if (str(k.backupSchedule)) {
    const problem = cnpgCronProblem("kubernetes.backupSchedule", k.backupSchedule);
    if (problem) p.add("kubernetes.backupSchedule", problem);
  }
}

/**
 * The problem of a CloudNativePG cron given directly at `field` (6 fields, seconds first), or
 * undefined. A 5-field value is refused with the 6-field form to write instead.
 */
export function cnpgCronProblem(field: string, text: string): string | undefined {
  const parts = text.trim().split(/\s+/).filter((x) => x !== "");
  const want = `\`${field}\` is a CloudNativePG cron with 6 fields, seconds first (such as \`0 0 3 * * *\`)`;
  if (parts.length === 5) return `${want}; got 5 fields ${show(text)} (write \`0 ${parts.join(" ")}\`)`;
  if (parts.length !== 6) return `${want}; got ${parts.length} field${parts.length === 1 ? "" : "s"} ${show(text)}`;
  const [seconds, ...rest] = parts;
  const faults: string[] = [];
  if (!/^\d+$/.test(seconds) || Number(seconds) > 59) faults.push(`its seconds field ${show(seconds)} must be one number from 0 to 59`);
  const five = parseCron(rest.join(" "));
  if (!five.ok) faults.push(...five.faults);
  return faults.length > 0 ? `\`${field}\` is not a valid CloudNativePG cron: ${faults.join("; ")}; got ${show(text)}` : undefined;
}

function checkBackupStore(store: any, p: Problems): void {
  if (!store || typeof store !== "object") return;
  const at = "kubernetes.backupStore";
  if (typeof store.bucket === "string" && !BUCKET.test(store.bucket)) {
    p.add(`${at}.bucket`, `\`${at}.bucket\` must be a bucket name: 3 to 63 lower-case letters, digits, \`.\` or \`-\`, starting and ending with a letter or digit; got ${show(store.bucket)}`);
  }
  if (typeof store.prefix === "string" && (store.prefix.startsWith("/") || store.prefix.endsWith("/") || store.prefix === "")) {
    p.add(`${at}.prefix`, `\`${at}.prefix\` must be a key prefix without a leading or trailing \`/\`; got ${show(store.prefix)}`);
  }
  if (typeof store.endpointURL === "string" && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(store.endpointURL)) {
    p.add(`${at}.endpointURL`, `\`${at}.endpointURL\` must be an http(s) URL such as \`https://minio.storage.svc:9000\`; got ${show(store.endpointURL)}`);
  }
  const keys = store.credentials !== undefined;
  const iam = store.inheritFromIAMRole === true;
  if (keys === iam) {
    p.add(
      `${at}.credentials`,
      `\`${at}\` needs exactly one of \`credentials\` (a Secret with the S3 keys) and \`inheritFromIAMRole: true\`; got ${keys ? "both" : "neither"}`,
    );
  }
  if (store.credentials && typeof store.credentials.secretName === "string" && !DNS_SUBDOMAIN.test(store.credentials.secretName)) {
    p.add(`${at}.credentials.secretName`, `\`${at}.credentials.secretName\` must be a Secret name; got ${show(store.credentials.secretName)}`);
  }
}

/** Resolves `kubernetes` options: kept as given (the back end fills the defaults). */
export function resolveKubernetes(input: any): KubernetesOptions {
  return { ...input.kubernetes };
}

/** `kubernetes` args as the user writes them (see {@link KubernetesOptions}). */
export type KubernetesArgs = KubernetesOptions;
