/**
 * A db_resource (PgSingle, PgCluster, the green side of an upgrade) as CNPG objects: the app and
 * superuser Secrets (passwords from RandomPassword, Pulumi secrets), the Cluster, its NetworkPolicy,
 * the WAL archive (ObjectStore + plugin) and ScheduledBackup when backups are on, PodMonitor and
 * PrometheusRule, the vacuum CronJob, the soft-delete reaper, and a replica cluster for a PgSingle's
 * `readReplicas`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DEFAULTS } from "../../model/defaults";
import { shortHash } from "../../model/ids";
import { connectionOf, endpointOf } from "../../outputs";
import { RenderedBackupSource, RenderedDbResource } from "../backend";
import { Problem } from "../../model/errors";
import { archiveSource, backupSpec, objectStoreSpec, recoveryBootstrap, scheduledBackupSpec, serverNameOf } from "./backup";
import { throwIfAny } from "./checks";
import { clusterSpecOf, instancesOf } from "./cluster";
import { ArchiveHandle, KubernetesBackupHandle, KubernetesHandle } from "./handle";
import { MAINTENANCE_LABEL, vacuumCronJobSpec } from "./maintenance";
import { podMonitorSpec, prometheusRuleSpec } from "./monitoring";
import { BARMAN_API, CNPG_API, K8S_CHILD, MONITORING_API, PG_PORT, metadataOf, namespaceOf, objectNames, serviceHost } from "./names";
import { accessPolicySpec } from "./network";
import { DbSpec, ResolvedK8s, defaultImage, resolveK8s } from "./options";
import { CustomObject } from "./resources";
import { toCnpgCron } from "./schedule";
import { renderSoftDelete } from "./softDelete";
import { statusOf, topologyOf } from "./status";

/** How a db_resource is rendered besides its spec: the green side of an upgrade reuses the blue Secrets and bootstraps by import. */
export interface DbRenderOptions {
  /** Prefix of the children's names (the component's name, or `<upgrade>-green`). */
  childPrefix: string;
  clusterName?: string;
  /** Passwords to put in this Cluster's Secrets instead of generating new ones (the green side keeps the blue passwords). */
  passwords?: { app: pulumi.Output<string>; superuser: pulumi.Output<string> };
  bootstrap?: Record<string, any>;
  externalClusters?: Record<string, any>[];
  restoreFrom?: RenderedBackupSource;
}

/** The superuser's name on every CNPG Cluster. */
export const SUPERUSER = DEFAULTS.superuser;
/** The annotation that makes the Kubernetes provider wait until a Backup completes. */
export const WAIT_FOR_COMPLETED = { "pulumi.com/waitFor": "jsonpath={.status.phase}=completed" };

/** Renders a db_resource. */
export function renderDbResource(scope: pulumi.ComponentResource, spec: DbSpec, r: DbRenderOptions): RenderedDbResource & { handle: KubernetesHandle } {
  const o = resolveK8s(spec, spec.kubernetes, r.clusterName);
  const names = objectNames(o.clusterName);
  const child = (suffix: string) => `${r.childPrefix}-${suffix}`;
  const labels = spec.labels;
  const soft = spec.lifecycle.deletionPolicy === "soft";
  const keep = { parent: scope, ...(soft ? { retainOnDelete: true } : {}) };
  const restore = restoreSourceOf(spec, o, r.restoreFrom);

  if (spec.backup.enabled && !spec.backup.pitr) warnPitrAlwaysOn(scope, `\`backup.pitr\` is false`);
  const secrets = makeSecrets(scope, child, spec, o, names, keep, r.passwords);

  const archive = spec.backup.enabled ? renderArchive(scope, child, spec, o, keep) : undefined;
  const annotations: Record<string, string> = {};
  if (spec.lifecycle.state === "paused") annotations["cnpg.io/hibernation"] = "on";
  const dependsOn: pulumi.Resource[] = [...secrets.resources, ...(archive ? [archive.store] : [])];
  let bootstrap = r.bootstrap ?? { initdb: { database: spec.databaseName, owner: spec.username, secret: { name: secrets.app }, dataChecksums: true, encoding: "UTF8" } };
  let externalClusters = r.externalClusters;
  let safety: CustomObject | undefined;
  if (restore) {
    bootstrap = recoveryBootstrap(spec.restore!.target, spec.databaseName, spec.username, secrets.app);
    externalClusters = [archiveSource(restore.storeName, restore.serverName)];
    if (spec.restore!.mode === "in_place") {
      // The old Cluster is deleted before the new one starts, so nothing else writes this archive.
      annotations["cnpg.io/skipEmptyWalArchiveCheck"] = "enabled";
      safety = new CustomObject(
        child(K8S_CHILD.safetyBackup),
        {
          apiVersion: CNPG_API,
          kind: "Backup",
          metadata: metadataOf(`${names.safetyBackup}-${shortHash(JSON.stringify(spec.restore))}`, o.namespace, labels, WAIT_FOR_COMPLETED),
          spec: backupSpec(o.clusterName),
        },
        { parent: scope },
      );
      dependsOn.push(safety);
    }
  }
  const inPlace = spec.restore?.mode === "in_place";
  const cluster = new CustomObject(
    child(K8S_CHILD.cluster),
    {
      apiVersion: CNPG_API,
      kind: "Cluster",
      metadata: metadataOf(o.clusterName, o.namespace, labels, annotations),
      spec: clusterSpecOf({
        spec,
        o,
        instances: instancesOf(spec),
        appSecretName: secrets.app,
        superuserSecretName: secrets.superuser,
        bootstrap,
        externalClusters,
        archive: archive ? { storeName: archive.storeName, serverName: archive.serverName } : undefined,
      }),
    },
    {
      ...keep,
      protect: spec.lifecycle.deletionProtection,
      dependsOn,
      // Bootstrap acts only at creation: a change is ignored, except the in-place restore, which replaces the Cluster on purpose.
      ...(inPlace ? { replaceOnChanges: ["spec.bootstrap"], deleteBeforeReplace: true } : { ignoreChanges: ["spec.bootstrap", "spec.externalClusters"] }),
    },
  );
  const namespace = namespaceOf(cluster, o.namespace);
  const resources: pulumi.Resource[] = [...secrets.resources, cluster, ...(safety ? [safety] : [])];
  const policy = accessPolicySpec(spec, o, o.clusterName);
  policy.ingress[0].from.push({ podSelector: { matchLabels: { [MAINTENANCE_LABEL]: o.clusterName } } });
  resources.push(new k8s.networking.v1.NetworkPolicy(child(K8S_CHILD.networkPolicy), { metadata: metadataOf(names.networkPolicy, o.namespace, labels), spec: policy }, { parent: scope }));
  if (archive) resources.push(archive.store, archive.scheduled.resource);
  if (spec.monitoring.enabled) resources.push(...renderMonitoring(scope, child, spec, o, namespace, archive));
  if (o.scheduledVacuum) {
    const image = "imageName" in o.image ? o.image.imageName : defaultImage(spec.version);
    resources.push(
      new k8s.batch.v1.CronJob(
        child(K8S_CHILD.vacuum),
        { metadata: metadataOf(names.vacuum, o.namespace, labels), spec: vacuumCronJobSpec({ cluster: o.clusterName, window: spec.lifecycle.maintenanceWindow, image, superuserSecret: secrets.superuser, labels }) },
        { parent: scope, dependsOn: [cluster] },
      ),
    );
  }
  if (soft) {
    resources.push(
      ...renderSoftDelete(scope, {
        name: r.childPrefix,
        cluster: o.clusterName,
        namespace: o.namespace,
        days: spec.lifecycle.softDeleteRetentionDays,
        marker: names.marker,
        reaper: names.reaper,
        appSecret: secrets.app,
        superuserSecret: secrets.superuser,
        store: archive?.storeName,
        labels,
      }),
    );
  }

  const handle: KubernetesHandle = {
    type: "kubernetes",
    spec,
    options: o,
    clusterName: o.clusterName,
    namespace,
    cluster,
    names,
    appSecretName: secrets.app,
    superuserSecretName: secrets.superuser,
    archive,
  };
  const writeHost = serviceHost(names.rw, namespace, o.clusterDomain);
  const readHost = serviceHost(spec.kind === "pg_cluster" ? names.ro : names.r, namespace, o.clusterDomain);
  const reads = spec.kind === "pg_cluster" ? "the standbys" : "its only node: add a ReadReplicaSet for read scale";
  return {
    connection: connectionOf(writeHost, PG_PORT, spec.databaseName, spec.username, secrets.appPassword),
    adminConnection: connectionOf(writeHost, PG_PORT, "postgres", SUPERUSER, secrets.superuserPassword),
    resourceId: pulumi.output(spec.resourceId),
    status: cluster.status.apply(statusOf),
    metadata: namespace.apply((ns) => ({
      kind: spec.kind,
      plan: spec.plan,
      version: spec.version,
      backend: "kubernetes" as const,
      region: `kubernetes:${ns}`,
      size: { compute: `cpu=${spec.compute.kubernetes.cpu} memory=${spec.compute.kubernetes.memory}`, storageGb: spec.storage.sizeGb },
    })),
    endpoints: { write: endpointOf(writeHost, PG_PORT), read: endpointOf(readHost, PG_PORT) },
    topology: pulumi
      .all([cluster.status, writeHost, readHost])
      .apply(([status, w, rd]) => topologyOf(status, { writes: `${w}:${PG_PORT}`, reads: `${rd}:${PG_PORT} (${reads})` })),
    handle,
    resources,
  };
}

/** Warns that PITR cannot be turned off: the plugin archives WAL whenever it backs up. */
export function warnPitrAlwaysOn(scope: pulumi.Resource, what: string): void {
  pulumi.log.warn(
    `${what}, and on the kubernetes back end point-in-time recovery is always on with backups: the Barman Cloud plugin archives WAL continuously (online backups need it); the WAL is kept as long as the backups`,
    scope,
  );
}

/** The Secrets a Cluster uses, their passwords, and the Secret resources when this rendering made them. */
interface Secrets {
  app: string;
  superuser: string;
  appPassword: pulumi.Output<string>;
  superuserPassword: pulumi.Output<string>;
  resources: pulumi.Resource[];
}

/** The app and superuser passwords and their `kubernetes.io/basic-auth` Secrets. */
function makeSecrets(
  scope: pulumi.ComponentResource,
  child: (s: string) => string,
  spec: DbSpec,
  o: ResolvedK8s,
  names: ReturnType<typeof objectNames>,
  keep: pulumi.CustomResourceOptions,
  given?: DbRenderOptions["passwords"],
): Secrets {
  // RandomPassword marks `result` secret itself; wrapping again keeps it secret whatever provides it.
  const password = (suffix: string) => pulumi.secret(new random.RandomPassword(child(suffix), { length: DEFAULTS.passwordLength, special: false }, { parent: scope }).result);
  const appPassword = given ? pulumi.secret(given.app) : password(K8S_CHILD.appPassword);
  const superuserPassword = given ? pulumi.secret(given.superuser) : password(K8S_CHILD.superuserPassword);
  const secret = (suffix: string, name: string, username: string, pw: pulumi.Output<string>) =>
    new k8s.core.v1.Secret(child(suffix), { metadata: metadataOf(name, o.namespace, spec.labels), type: "kubernetes.io/basic-auth", stringData: { username, password: pw } }, keep);
  const app = secret(K8S_CHILD.appSecret, names.appSecret, spec.username, appPassword);
  const superuser = secret(K8S_CHILD.superuserSecret, names.superuserSecret, SUPERUSER, superuserPassword);
  return {
    app: names.appSecret,
    superuser: names.superuserSecret,
    appPassword,
    superuserPassword,
    resources: [app, superuser],
  };
}

/** The ObjectStore and the db_resource's ScheduledBackup. */
function renderArchive(scope: pulumi.ComponentResource, child: (s: string) => string, spec: DbSpec, o: ResolvedK8s, keep: pulumi.CustomResourceOptions): ArchiveHandle {
  const names = objectNames(o.clusterName);
  const store = new CustomObject(
    child(K8S_CHILD.objectStore),
    { apiVersion: BARMAN_API, kind: "ObjectStore", metadata: metadataOf(names.objectStore, o.namespace, spec.labels), spec: objectStoreSpec(o.backupStore!, spec.backup.retentionDays) },
    { ...keep, protect: spec.lifecycle.deletionProtection },
  );
  const cron6 = spec.kubernetes.backupSchedule ?? toCnpgCron(spec.backup.cron);
  const cron5 = cron6.trim().split(/\s+/).slice(1).join(" ");
  const scheduled = new CustomObject(
    child(K8S_CHILD.scheduledBackup),
    { apiVersion: CNPG_API, kind: "ScheduledBackup", metadata: metadataOf(`${o.clusterName}-scheduled`, o.namespace, spec.labels), spec: scheduledBackupSpec(o.clusterName, cron6) },
    { parent: scope, dependsOn: [store] },
  );
  return { storeName: names.objectStore, serverName: serverNameOf(o.clusterName, spec.version), store, retentionDays: spec.backup.retentionDays, scheduled: { cron: cron5, resource: scheduled } };
}

/** PodMonitor and PrometheusRule. */
function renderMonitoring(scope: pulumi.ComponentResource, child: (s: string) => string, spec: DbSpec, o: ResolvedK8s, namespace: pulumi.Output<string>, archive?: ArchiveHandle): pulumi.Resource[] {
  const names = objectNames(o.clusterName);
  const podMonitor = new CustomObject(
    child(K8S_CHILD.podMonitor),
    { apiVersion: MONITORING_API, kind: "PodMonitor", metadata: metadataOf(names.podMonitor, o.namespace, spec.labels), spec: podMonitorSpec(o.clusterName) },
    { parent: scope },
  );
  const rule = new CustomObject(
    child(K8S_CHILD.alerts),
    {
      apiVersion: MONITORING_API,
      kind: "PrometheusRule",
      metadata: metadataOf(names.alerts, o.namespace, spec.labels),
      spec: namespace.apply((ns) =>
        prometheusRuleSpec({
          cluster: o.clusterName,
          namespace: ns,
          maxConnections: Number(spec.parameters.max_connections ?? 100),
          storageUsedPercent: o.alerts.storageUsedPercent,
          connectionsUsedPercent: o.alerts.connectionsUsedPercent,
          replicationLagSeconds: instancesOf(spec) > 1 ? o.alerts.replicationLagSeconds : undefined,
          backupCron: archive?.scheduled.cron,
          labels: spec.labels,
        }),
      ),
    },
    { parent: scope },
  );
  return [podMonitor, rule];
}

/**
 * The archive a restore reads from, checked against this db_resource; undefined without `restore`.
 * An in-place restore without `from` reads the db_resource's own archive (its ObjectStore and server name).
 */
function restoreSourceOf(spec: DbSpec, o: ResolvedK8s, from: RenderedBackupSource | undefined): { storeName: string; serverName: string } | undefined {
  if (!spec.restore) return undefined;
  if (!spec.restore.from) return { storeName: objectNames(o.clusterName).objectStore, serverName: serverNameOf(o.clusterName, spec.version) };
  const h = from?.rendered.handle as KubernetesBackupHandle | undefined;
  const problems: Problem[] = [];
  if (!h || h.type !== "kubernetes-backup") {
    problems.push({ path: "restore.from", message: "`restore.from` must be a BackupPolicy rendered by the kubernetes back end" });
  } else {
    const theirs = h.target.options.namespace;
    if (theirs !== o.namespace) {
      problems.push({
        path: "kubernetes.namespace",
        message: `\`kubernetes.namespace\` must be the namespace of BackupPolicy ${JSON.stringify(spec.restore.from!.policyName)}'s ObjectStore (${theirs ? JSON.stringify(theirs) : "the provider's default"}): a Cluster reads an ObjectStore of its own namespace; got ${o.namespace ? JSON.stringify(o.namespace) : "the provider's default"}`,
      });
    }
    if (spec.restore.mode === "in_place" && h.target.clusterName !== o.clusterName) {
      problems.push({
        path: "kubernetes.clusterName",
        message: `\`kubernetes.clusterName\` must stay ${JSON.stringify(h.target.clusterName)} for an in-place restore (the Cluster is replaced under its own name); got ${JSON.stringify(o.clusterName)}`,
      });
    }
  }
  throwIfAny(spec.kind === "pg_cluster" ? "PgCluster" : "PgSingle", spec.name, problems);
  return h;
}
