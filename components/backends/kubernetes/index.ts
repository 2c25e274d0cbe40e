/**
 * The `kubernetes` back end: CloudNativePG 1.30 objects (Cluster, Pooler, ScheduledBackup, Backup,
 * Publication, Subscription), the Barman Cloud plugin's ObjectStore, Prometheus Operator PodMonitor
 * and PrometheusRule, and core objects (Secret, Service, NetworkPolicy, CronJob), built with
 * @pulumi/kubernetes. Prerequisites in the cluster: the CNPG operator, the Barman Cloud plugin (for
 * backups) and the Prometheus Operator CRDs (for monitoring).
 */
import * as pulumi from "@pulumi/pulumi";
import { BackupPolicySpec, BlueGreenUpgradeSpec, PgClusterSpec, PgSingleSpec, ReadReplicaSetSpec } from "../../model/spec";
import { shardingElsewhere } from "../../model/schemas/sharding";
import { endpointOf } from "../../outputs";
import { Backend, RenderedBackupPolicy, RenderedBackupSource, RenderedDbResource, RenderedReplicaSet, RenderedSource, RenderedUpgrade } from "../backend";
import { renderBackupPolicy } from "./backupPolicy";
import { backupProblems, dbProblems, replicaProblems, throwIfAny, upgradeProblems } from "./checks";
import { renderDbResource } from "./dbResource";
import { kubernetesHandleOf } from "./handle";
import { K8S_CHILD, PG_PORT, objectNames } from "./names";
import { renderReplicaCluster, renderReplicaSet } from "./replicas";
import { renderBlueGreen } from "./upgrade";

export { KubernetesHandle, KubernetesBackupHandle } from "./handle";
export { K8S_CHILD } from "./names";

/** Warns when a lag policy in seconds cannot take a replica out of the read pool (CNPG's probe counts bytes). */
function warnSecondsOnly(scope: pulumi.ComponentResource, spec: ReadReplicaSetSpec): void {
  if (spec.lagPolicy.maxBytes !== undefined) return;
  pulumi.log.warn(
    `ReadReplicaSet ${JSON.stringify(spec.name)}: CloudNativePG's readiness probe measures lag in bytes, so \`maxLagSeconds\` (${spec.lagPolicy.maxSeconds}) raises an alert but does not take a replica out of the read pool; give \`maxLagBytes\` for that`,
    scope,
  );
}

export class KubernetesBackend implements Backend {
  readonly name = "kubernetes" as const;

  checkSingle(spec: PgSingleSpec): void {
    throwIfAny("PgSingle", spec.name, dbProblems(spec));
  }

  renderSingle(scope: pulumi.ComponentResource, spec: PgSingleSpec, restoreFrom?: RenderedBackupSource): RenderedDbResource {
    const rendered = renderDbResource(scope, spec, { childPrefix: spec.name, restoreFrom });
    if (spec.readReplicas === 0) return rendered;
    const h = rendered.handle;
    const replica = renderReplicaCluster(scope, h, { childPrefix: spec.name, clusterSuffix: K8S_CHILD.replica, clusterName: objectNames(h.clusterName).replica, instances: spec.readReplicas });
    return { ...rendered, endpoints: { ...rendered.endpoints, read: endpointOf(replica.readHost, PG_PORT) }, resources: [...rendered.resources, ...replica.resources] };
  }

  checkCluster(spec: PgClusterSpec): void {
    const sharding = spec.sharding ? [{ path: "sharding", message: shardingElsewhere("kubernetes", "a CloudNativePG cluster is one primary whose standbys all hold every row", spec.sharding) }] : [];
    throwIfAny("PgCluster", spec.name, [...sharding, ...dbProblems(spec)]);
  }

  renderCluster(scope: pulumi.ComponentResource, spec: PgClusterSpec, restoreFrom?: RenderedBackupSource): RenderedDbResource {
    return renderDbResource(scope, spec, { childPrefix: spec.name, restoreFrom });
  }

  checkReplicas(spec: ReadReplicaSetSpec, source: RenderedSource): void {
    throwIfAny("ReadReplicaSet", spec.name, replicaProblems(spec, kubernetesHandleOf(source.rendered.handle, "`source`")));
  }

  renderReplicas(scope: pulumi.ComponentResource, spec: ReadReplicaSetSpec, source: RenderedSource): RenderedReplicaSet {
    warnSecondsOnly(scope, spec);
    return renderReplicaSet(scope, spec, kubernetesHandleOf(source.rendered.handle, "`source`"), source.rendered.connection);
  }

  checkBackup(spec: BackupPolicySpec, target: RenderedSource): void {
    throwIfAny("BackupPolicy", spec.name, backupProblems(spec, kubernetesHandleOf(target.rendered.handle, "`target`")));
  }

  renderBackup(scope: pulumi.ComponentResource, spec: BackupPolicySpec, target: RenderedSource): RenderedBackupPolicy {
    return renderBackupPolicy(scope, spec, kubernetesHandleOf(target.rendered.handle, "`target`"));
  }

  checkUpgrade(spec: BlueGreenUpgradeSpec, source: RenderedSource): void {
    throwIfAny("BlueGreenUpgrade", spec.name, upgradeProblems(spec, kubernetesHandleOf(source.rendered.handle, "`source`")));
  }

  renderUpgrade(scope: pulumi.ComponentResource, spec: BlueGreenUpgradeSpec, source: RenderedSource): RenderedUpgrade {
    return renderBlueGreen(scope, spec, source, kubernetesHandleOf(source.rendered.handle, "`source`"));
  }
}
