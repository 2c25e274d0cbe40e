/**
 * Soft delete, which CNPG lacks (deleting a Cluster garbage-collects its volumes): the Cluster, its
 * Secrets and ObjectStore are retained on delete (`retainOnDelete`), and a "reaper" CronJob, also
 * retained, watches a marker ConfigMap that is NOT retained. Once the db_resource is deleted (the
 * marker is gone) the reaper hibernates the Cluster (pods stop, volumes stay), stamps the time, and
 * after `softDeleteRetentionDays` deletes the Cluster, its ObjectStore object and Secrets, then itself.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { K8S_CHILD, metadataOf } from "./names";

/** The image the reaper runs `kubectl` from. */
export const KUBECTL_IMAGE = "docker.io/bitnami/kubectl:latest";
/** The annotation the reaper stamps on the hibernated Cluster: seconds since the epoch when it noticed the delete. */
export const SOFT_DELETED_AT = "pgplatform.io/soft-deleted-at";

/** The reaper's shell script; every name comes from the environment. */
export const REAPER_SCRIPT = [
  "set -eu",
  'if [ -n "$(kubectl -n "$NS" get configmap "$MARKER" --ignore-not-found -o name)" ]; then echo "db_resource present"; exit 0; fi',
  'if [ -n "$(kubectl -n "$NS" get clusters.postgresql.cnpg.io "$CLUSTER" --ignore-not-found -o name)" ]; then',
  `  since="$(kubectl -n "$NS" get clusters.postgresql.cnpg.io "$CLUSTER" -o jsonpath='{.metadata.annotations.pgplatform\\.io/soft-deleted-at}')"`,
  '  now="$(date -u +%s)"',
  '  if [ -z "$since" ]; then',
  `    kubectl -n "$NS" annotate clusters.postgresql.cnpg.io "$CLUSTER" --overwrite cnpg.io/hibernation=on "${SOFT_DELETED_AT}=$now"`,
  '    echo "hibernated $CLUSTER; hard delete after $DAYS days"; exit 0',
  "  fi",
  '  if [ $((now - since)) -lt $((DAYS * 86400)) ]; then echo "keeping $CLUSTER until $((since + DAYS * 86400))"; exit 0; fi',
  '  kubectl -n "$NS" delete clusters.postgresql.cnpg.io "$CLUSTER" --wait=true',
  "fi",
  'if [ -n "$STORE" ]; then kubectl -n "$NS" delete objectstores.barmancloud.cnpg.io "$STORE" --ignore-not-found; fi',
  'kubectl -n "$NS" delete secret "$APP_SECRET" "$SUPERUSER_SECRET" --ignore-not-found',
  // Last: the CronJob owns the ServiceAccount, Role and RoleBinding, which go with it.
  'kubectl -n "$NS" delete cronjob "$REAPER" --ignore-not-found',
].join("\n");

/** What the reaper needs to know. */
export interface ReaperArgs {
  name: string;
  cluster: string;
  namespace?: string;
  days: number;
  marker: string;
  reaper: string;
  appSecret: string;
  superuserSecret: string;
  store?: string;
  labels: Record<string, string>;
}

/** Renders the marker and the reaper with its RBAC. */
export function renderSoftDelete(scope: pulumi.ComponentResource, a: ReaperArgs): pulumi.Resource[] {
  const meta = (name: string) => metadataOf(name, a.namespace, a.labels);
  const retained = { parent: scope, retainOnDelete: true };
  const marker = new k8s.core.v1.ConfigMap(`${a.name}-${K8S_CHILD.marker}`, { metadata: meta(a.marker), data: { cluster: a.cluster, retentionDays: String(a.days) } }, { parent: scope });
  const cronJob = new k8s.batch.v1.CronJob(
    `${a.name}-${K8S_CHILD.reaper}`,
    {
      metadata: meta(a.reaper),
      spec: {
        schedule: "17 * * * *",
        concurrencyPolicy: "Forbid",
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            template: {
              metadata: { labels: { ...a.labels } },
              spec: {
                serviceAccountName: a.reaper,
                restartPolicy: "Never",
                securityContext: { runAsNonRoot: true, runAsUser: 1001, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                  {
                    name: "reaper",
                    image: KUBECTL_IMAGE,
                    command: ["/bin/sh", "-c", REAPER_SCRIPT],
                    env: [
                      { name: "NS", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                      { name: "MARKER", value: a.marker },
                      { name: "CLUSTER", value: a.cluster },
                      { name: "DAYS", value: String(a.days) },
                      { name: "STORE", value: a.store ?? "" },
                      { name: "APP_SECRET", value: a.appSecret },
                      { name: "SUPERUSER_SECRET", value: a.superuserSecret },
                      { name: "REAPER", value: a.reaper },
                    ],
                    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                  },
                ],
              },
            },
          },
        },
      },
    },
    retained,
  );
  const owned = (name: string) => ({
    ...meta(name),
    ownerReferences: [{ apiVersion: "batch/v1", kind: "CronJob", name: a.reaper, uid: cronJob.metadata.uid }],
  });
  const account = new k8s.core.v1.ServiceAccount(`${a.name}-${K8S_CHILD.reaperAccount}`, { metadata: owned(a.reaper) }, retained);
  const rule = (apiGroups: string[], resources: string[], verbs: string[], names: string[]) => ({ apiGroups, resources, verbs, resourceNames: names });
  const role = new k8s.rbac.v1.Role(
    `${a.name}-${K8S_CHILD.reaperRole}`,
    {
      metadata: owned(a.reaper),
      rules: [
        rule([""], ["configmaps"], ["get"], [a.marker]),
        rule(["postgresql.cnpg.io"], ["clusters"], ["get", "patch", "delete"], [a.cluster]),
        ...(a.store ? [rule(["barmancloud.cnpg.io"], ["objectstores"], ["delete"], [a.store])] : []),
        rule([""], ["secrets"], ["delete"], [a.appSecret, a.superuserSecret]),
        rule(["batch"], ["cronjobs"], ["delete"], [a.reaper]),
      ],
    },
    retained,
  );
  const binding = new k8s.rbac.v1.RoleBinding(
    `${a.name}-${K8S_CHILD.reaperBinding}`,
    {
      metadata: owned(a.reaper),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: a.reaper },
      subjects: [{ kind: "ServiceAccount", name: a.reaper, namespace: account.metadata.apply((m) => m.namespace) }],
    },
    retained,
  );
  return [marker, cronJob, account, role, binding];
}
