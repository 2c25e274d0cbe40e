/**
 * Blue-green on CNPG: the green Cluster (`<blue>-green`, the target major and plan) is created with
 * the schema imported from blue (`bootstrap.initdb.import`, schema only), then fed by logical
 * replication (a `Publication` on blue, a `Subscription` on green). The application connects to a
 * stable Service owned by the upgrade, whose selector points at blue's primary until `cutover`, at
 * green's after it, and at blue's again on `rollback`. `finalize` drops the Publication and the
 * Subscription; the user then removes the blue component (the upgrade keeps owning green).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BACKUP_CRON, PLANS } from "../../model/plans";
import { DEFAULTS, LABEL_KEYS } from "../../model/defaults";
import { BlueGreenUpgradeSpec, PgClusterSpec, PgSingleSpec } from "../../model/spec";
import { connectionOf } from "../../outputs";
import { RenderedDbResource, RenderedSource, RenderedUpgrade } from "../backend";
import { renderDbResource } from "./dbResource";
import { KubernetesHandle } from "./handle";
import { CLUSTER_LABEL, CNPG_API, K8S_CHILD, PG_PORT, ROLE_LABEL, metadataOf, serviceHost } from "./names";
import { peerAccessSpec } from "./network";
import { DbSpec } from "./options";
import { CustomObject } from "./resources";

/** The logical replication objects' name, in both databases. */
export const UPGRADE_PUBLICATION = "pgplatform_upgrade";
/** The external cluster green reads blue through. */
export const BLUE = "blue";

/** The green side's spec: the source's, on the target major and plan (HA attributes from the plan when it becomes a pg_cluster). */
export function greenSpecOf(source: DbSpec, u: BlueGreenUpgradeSpec): DbSpec {
  const plan = PLANS[u.targetPlan];
  const samePlan = plan.name === source.plan;
  const sizeGb = Math.min(plan.storage.maxGb, Math.max(source.storage.sizeGb, plan.storage.defaultGb));
  const base = {
    ...source,
    plan: plan.name,
    version: u.targetVersion,
    compute: samePlan ? source.compute : plan.compute,
    storage: samePlan ? source.storage : { ...plan.storage, sizeGb, autoscaleMaxGb: Math.max(plan.storage.autoscaleMaxGb, sizeGb) },
    parameters: samePlan ? source.parameters : { ...source.parameters, max_connections: plan.parameters.max_connections },
    backup: samePlan ? source.backup : { ...plan.backup, cron: BACKUP_CRON[plan.backup.schedule] },
    labels: { ...source.labels, [LABEL_KEYS.plan]: plan.name, [LABEL_KEYS.kind]: u.targetKind },
    restore: undefined,
    kubernetes: { ...source.kubernetes, clusterName: undefined, backupSchedule: samePlan ? source.kubernetes.backupSchedule : undefined },
  };
  if (u.targetKind === "pg_single") return { ...(base as PgSingleSpec), kind: "pg_single", readReplicas: 0 };
  const ha = plan.ha;
  const cluster = source.kind === "pg_cluster" && samePlan ? source : undefined;
  return {
    ...(base as unknown as PgClusterSpec),
    kind: "pg_cluster",
    standbys: cluster?.standbys ?? ha.standbys,
    replicationMode: cluster?.replicationMode ?? ha.replicationMode,
    syncStandbys: cluster?.syncStandbys ?? (ha.replicationMode === "sync" ? DEFAULTS.syncStandbys : 0),
    multiAz: cluster?.multiAz ?? ha.multiAz,
    awsTopology: cluster?.awsTopology ?? DEFAULTS.awsTopology,
    readReplicas: 0,
  };
}

/** Which side serves the application in each phase. */
export function activeSideOf(phase: BlueGreenUpgradeSpec["phase"]): "blue" | "green" {
  return phase === "cutover" || phase === "finalize" ? "green" : "blue";
}

/** Renders a blue-green upgrade of `source`. */
export function renderBlueGreen(scope: pulumi.ComponentResource, u: BlueGreenUpgradeSpec, source: RenderedSource, blue: KubernetesHandle): RenderedUpgrade {
  const name = u.name;
  const child = (suffix: string) => `${name}-${suffix}`;
  const src = blue.spec;
  const db = src.databaseName;
  const greenName = `${blue.clusterName}-green`;
  const greenSpec = greenSpecOf(src, u);
  const labels = greenSpec.labels;
  const ns = blue.options.namespace;
  const blueAccess = new k8s.networking.v1.NetworkPolicy(
    child(K8S_CHILD.greenSecretAccess),
    { metadata: metadataOf(`${greenName}-to-blue`, ns, labels), spec: peerAccessSpec(blue.clusterName, [{ [CLUSTER_LABEL]: greenName }]) },
    { parent: scope },
  );
  const green: RenderedDbResource = renderDbResource(scope, greenSpec, {
    childPrefix: child(K8S_CHILD.green),
    clusterName: greenName,
    passwords: { app: source.rendered.connection.password, superuser: source.rendered.adminConnection.password },
    bootstrap: {
      initdb: {
        database: db,
        owner: src.username,
        secret: { name: `${greenName}-app-credentials` },
        dataChecksums: true,
        encoding: "UTF8",
        import: { type: "microservice", databases: [db], source: { externalCluster: BLUE }, schemaOnly: true },
      },
    },
    externalClusters: [
      {
        name: BLUE,
        connectionParameters: { host: `${blue.clusterName}-rw`, user: DEFAULTS.superuser, dbname: db, sslmode: "require" },
        password: { name: blue.superuserSecretName, key: "password" },
      },
    ],
  });
  const greenCluster = (green.handle as KubernetesHandle).cluster;
  const resources: pulumi.Resource[] = [blueAccess, ...green.resources];
  let subscription: CustomObject | undefined;
  if (u.phase !== "finalize") {
    const publication = new CustomObject(
      child(K8S_CHILD.publication),
      {
        apiVersion: CNPG_API,
        kind: "Publication",
        metadata: metadataOf(`${greenName}-from-blue`, ns, labels),
        spec: { cluster: { name: blue.clusterName }, dbname: db, name: UPGRADE_PUBLICATION, target: { allTables: true }, publicationReclaimPolicy: "delete" },
      },
      { parent: scope, dependsOn: [blue.cluster], replaceOnChanges: ["spec.cluster", "spec.name", "spec.dbname"] },
    );
    subscription = new CustomObject(
      child(K8S_CHILD.subscription),
      {
        apiVersion: CNPG_API,
        kind: "Subscription",
        metadata: metadataOf(`${greenName}-from-blue`, ns, labels),
        spec: { cluster: { name: greenName }, dbname: db, name: UPGRADE_PUBLICATION, externalClusterName: BLUE, publicationName: UPGRADE_PUBLICATION, subscriptionReclaimPolicy: "delete" },
      },
      { parent: scope, dependsOn: [greenCluster, publication], replaceOnChanges: ["spec.cluster", "spec.name", "spec.dbname"] },
    );
    resources.push(publication, subscription);
  }
  const side = activeSideOf(u.phase);
  const active = side === "green" ? greenName : blue.clusterName;
  const stable = new k8s.core.v1.Service(
    child(K8S_CHILD.stableService),
    {
      metadata: metadataOf(`${blue.clusterName}-stable`, ns, src.labels, { "pgplatform.io/active-side": side }),
      spec: { type: "ClusterIP", selector: { [CLUSTER_LABEL]: active, [ROLE_LABEL]: "primary" }, ports: [{ name: "postgres", port: PG_PORT, targetPort: PG_PORT, protocol: "TCP" }] },
    },
    { parent: scope, dependsOn: side === "green" ? [greenCluster] : [blue.cluster] },
  );
  resources.push(stable);
  const host = serviceHost(`${blue.clusterName}-stable`, blue.namespace, blue.options.clusterDomain);
  const c = source.rendered.connection;
  return {
    connection: connectionOf(host, PG_PORT, c.database, c.user, c.password),
    green,
    activeSide: pulumi.output(side),
    progress: pulumi.all([greenCluster.status, subscription ? subscription.status : pulumi.output(undefined)]).apply(([g, s]): Record<string, unknown> => ({
      phase: u.phase,
      activeSide: side,
      blue: blue.clusterName,
      green: greenName,
      greenPhase: g?.phase ?? "unknown",
      subscription: u.phase === "finalize" ? "dropped" : (s?.applied ? "applied" : "pending"),
      sequences: `logical replication does not carry sequences: sync them before writes reach green (\`kubectl cnpg subscription sync-sequences ${greenName} --subscription=${greenName}-from-blue\`)`,
      writePause: `the selector switch is immediate; stop writers for at most ${u.maxWritePauseSeconds}s while the last changes apply`,
    })),
    status: green.status,
    resources,
  };
}
