/**
 * A BackupPolicy on kubernetes. The WAL archiver and the ObjectStore belong to the db_resource (they
 * live in its Cluster spec); the policy adds a ScheduledBackup on its own cron when it differs from
 * the db_resource's, reports the next run from the cron and the last successful backup from the
 * ObjectStore's status (`serverRecoveryWindow[<serverName>]`, written by the plugin), and hands a
 * restore the archive to read.
 */
import * as pulumi from "@pulumi/pulumi";
import { slugify } from "../../model/ids";
import { BackupPolicySpec } from "../../model/spec";
import { ResourceStatus } from "../../outputs";
import { RenderedBackupPolicy } from "../backend";
import { scheduledBackupSpec } from "./backup";
import { warnPitrAlwaysOn } from "./dbResource";
import { KubernetesBackupHandle, KubernetesHandle } from "./handle";
import { CNPG_API, K8S_CHILD, metadataOf } from "./names";
import { CustomObject } from "./resources";
import { nextRun, toCnpgCron } from "./schedule";

/** The backup state of one server in an ObjectStore's status, as the plugin writes it. */
export interface RecoveryWindow {
  firstRecoverabilityPoint?: string;
  lastSuccessfulBackupTime?: string;
  lastFailedBackupTime?: string;
}

/** The recovery window of `serverName` in an ObjectStore status, if the plugin has written one. */
export function recoveryWindowOf(status: Record<string, any> | undefined, serverName: string): RecoveryWindow | undefined {
  const w = status?.serverRecoveryWindow?.[serverName];
  return w && typeof w === "object" ? (w as RecoveryWindow) : undefined;
}

/** RUNNING once a backup succeeded (and none failed since), FAILED when the last attempt failed, PENDING before the first. */
export function backupStatusOf(w: RecoveryWindow | undefined): ResourceStatus {
  if (!w?.lastSuccessfulBackupTime) return w?.lastFailedBackupTime ? "FAILED" : "PENDING";
  if (w.lastFailedBackupTime && Date.parse(w.lastFailedBackupTime) > Date.parse(w.lastSuccessfulBackupTime)) return "FAILED";
  return "RUNNING";
}

/** Renders a BackupPolicy for `target`; `now` is when `nextSchedule` is computed from. */
export function renderBackupPolicy(scope: pulumi.ComponentResource, spec: BackupPolicySpec, target: KubernetesHandle, now: Date = new Date()): RenderedBackupPolicy {
  const archive = target.archive!;
  const resources: pulumi.Resource[] = [];
  if (spec.cron !== archive.scheduled.cron) {
    resources.push(
      new CustomObject(
        `${spec.name}-${K8S_CHILD.scheduledBackup}`,
        {
          apiVersion: CNPG_API,
          kind: "ScheduledBackup",
          metadata: metadataOf(`${target.clusterName}-${slugify(spec.name, 20)}`, target.options.namespace, target.spec.labels),
          spec: scheduledBackupSpec(target.clusterName, toCnpgCron(spec.cron)),
        },
        { parent: scope, dependsOn: [target.cluster, archive.store], replaceOnChanges: ["spec.cluster"] },
      ),
    );
  }
  if (!spec.pitr) warnPitrAlwaysOn(scope, `BackupPolicy ${JSON.stringify(spec.name)}: \`pitr\` is false`);
  if (spec.fullBackupEvery === "week" || spec.incrementalType === "differential") {
    pulumi.log.warn(
      `BackupPolicy ${JSON.stringify(spec.name)}: every Barman Cloud backup is a full base backup (the plugin takes no incremental or differential ones); the archived WAL between them gives point-in-time recovery, so \`fullBackupEvery\` \`${spec.fullBackupEvery}\` / \`incrementalType\` \`${spec.incrementalType}\` take more than asked, never less`,
      scope,
    );
  }
  const window = archive.store.status.apply((s) => recoveryWindowOf(s, archive.serverName));
  const handle: KubernetesBackupHandle = { type: "kubernetes-backup", target, storeName: archive.storeName, serverName: archive.serverName };
  return {
    nextSchedule: pulumi.output(nextRun(spec.cron, now)),
    lastSuccessful: window.apply((w) => w?.lastSuccessfulBackupTime),
    // Listing the archive needs barman-cloud-backup-list inside the cluster; the ObjectStore status is all the API shows.
    backups: pulumi.output([]),
    status: window.apply(backupStatusOf),
    handle,
    resources: [archive.store, archive.scheduled.resource, ...resources],
  };
}
