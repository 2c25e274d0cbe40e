/**
 * Names of everything the kubernetes back end makes: the Pulumi child suffixes (`${name}-<suffix>`),
 * the Kubernetes object names (derived from the CNPG Cluster's name), labels and host names.
 */
import * as pulumi from "@pulumi/pulumi";

/** Suffixes of the Pulumi children, `${componentName}-<suffix>`. */
export const K8S_CHILD = {
  appPassword: "app-password",
  superuserPassword: "superuser-password",
  appSecret: "app-secret",
  superuserSecret: "superuser-secret",
  cluster: "cluster",
  networkPolicy: "network-policy",
  objectStore: "object-store",
  scheduledBackup: "scheduled-backup",
  safetyBackup: "safety-backup",
  podMonitor: "pod-monitor",
  alerts: "alerts",
  vacuum: "vacuum",
  replica: "replica",
  replicaAccess: "replica-access",
  replicaNetworkPolicy: "replica-network-policy",
  poolerRw: "pooler-rw",
  poolerRo: "pooler-ro",
  instanceService: "instance",
  marker: "marker",
  reaper: "reaper",
  reaperAccount: "reaper-account",
  reaperRole: "reaper-role",
  reaperBinding: "reaper-binding",
  green: "green",
  greenSecretAccess: "green-access",
  publication: "publication",
  subscription: "subscription",
  stableService: "stable",
} as const;

/** The name of the Barman Cloud plugin, as CNPG-I knows it. */
export const BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io";
/** CNPG's API group and version. */
export const CNPG_API = "postgresql.cnpg.io/v1";
/** The Barman Cloud plugin's API group and version. */
export const BARMAN_API = "barmancloud.cnpg.io/v1";
/** The Prometheus Operator's API group and version. */
export const MONITORING_API = "monitoring.coreos.com/v1";
/** PostgreSQL's port in every CNPG pod and Service. */
export const PG_PORT = 5432;
/** The instance manager's status port, which the operator calls. */
export const STATUS_PORT = 8000;
/** The metrics exporter's port (named `metrics`). */
export const METRICS_PORT = 9187;
/** The label CNPG puts on every pod of a Cluster. */
export const CLUSTER_LABEL = "cnpg.io/cluster";
/** The label CNPG puts on each instance pod with its role (`primary` or `replica`). */
export const ROLE_LABEL = "cnpg.io/instanceRole";
/** The label CNPG puts on each instance pod with its name. */
export const INSTANCE_LABEL = "cnpg.io/instanceName";
/** The label CNPG puts on the pods of a Pooler. */
export const POOLER_LABEL = "cnpg.io/poolerName";

/** Kubernetes object names of a Cluster named `cluster`. */
export function objectNames(cluster: string) {
  return {
    cluster,
    appSecret: `${cluster}-app-credentials`,
    superuserSecret: `${cluster}-superuser-credentials`,
    rw: `${cluster}-rw`,
    ro: `${cluster}-ro`,
    r: `${cluster}-r`,
    objectStore: `${cluster}-store`,
    networkPolicy: `${cluster}-access`,
    podMonitor: cluster,
    alerts: `${cluster}-alerts`,
    vacuum: `${cluster}-vacuum`,
    safetyBackup: `${cluster}-safety`,
    replica: `${cluster}-replica`,
    poolerRw: `${cluster}-pooler-rw`,
    poolerRo: `${cluster}-pooler-ro`,
    marker: `${cluster}-alive`,
    reaper: `${cluster}-reaper`,
    publicService: `${cluster}-public`,
  };
}

/** The metadata of an object: its name, the namespace when one is given, the labels, extra annotations. */
export function metadataOf(name: string, namespace: string | undefined, labels: Record<string, string>, annotations?: Record<string, string>) {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    labels: { ...labels },
    ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
}

/** `<service>.<namespace>.svc.<domain>`: the in-cluster host name of a Service. */
export function serviceHost(service: string, namespace: pulumi.Input<string>, domain: string): pulumi.Output<string> {
  return pulumi.output(namespace).apply((ns) => `${service}.${ns}.svc.${domain}`);
}

/** The namespace an object landed in: its own output, `default` when the provider left it unset. */
export function namespaceOf(resource: { metadata: pulumi.Output<{ namespace?: string }> }, given: string | undefined): pulumi.Output<string> {
  return given ? pulumi.output(given) : resource.metadata.apply((m) => m?.namespace || "default");
}
