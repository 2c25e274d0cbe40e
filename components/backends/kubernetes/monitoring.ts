/**
 * Monitoring of a Cluster with the Prometheus Operator: a PodMonitor on the instances' `metrics`
 * port, and a PrometheusRule with the alerts pgplatform promises (storage near full, connections
 * near `max_connections`, replication lag over the policy, a missing or failed backup), thresholds
 * from the plan and the `kubernetes.alerts` args.
 */
import { CLUSTER_LABEL } from "./names";
import { nextRun } from "./schedule";

/** The PodMonitor spec scraping every instance of `cluster`. */
export function podMonitorSpec(cluster: string): Record<string, any> {
  return { selector: { matchLabels: { [CLUSTER_LABEL]: cluster } }, podMetricsEndpoints: [{ port: "metrics" }] };
}

/** What the alerts are computed from. */
export interface AlertInputs {
  cluster: string;
  namespace: string;
  maxConnections: number;
  storageUsedPercent: number;
  connectionsUsedPercent: number;
  /** Lag, in seconds, past which a standby or replica alerts; undefined when there is none to watch. */
  replicationLagSeconds?: number;
  /** The 5-field cron backups run on; undefined when the db_resource takes none. */
  backupCron?: string;
  labels: Record<string, string>;
}

/** The longest gap, in seconds, between two runs of `cron` over five sample weeks (the backup-age alert's base). */
export function cronPeriodSeconds(cron: string): number {
  const end = Date.UTC(2026, 1, 9);
  let t = new Date(nextRun(cron, new Date(Date.UTC(2026, 0, 5))));
  let longest = 0;
  for (let i = 0; i < 1000 && t.getTime() < end; i++) {
    const next = new Date(nextRun(cron, t));
    longest = Math.max(longest, (next.getTime() - t.getTime()) / 1000);
    t = next;
  }
  return longest;
}

/** The PrometheusRule spec: one group of alerts for `cluster`. */
export function prometheusRuleSpec(a: AlertInputs): Record<string, any> {
  const sel = `namespace="${a.namespace}", pod=~"${a.cluster}-[0-9]+"`;
  const pvc = `namespace="${a.namespace}", persistentvolumeclaim=~"${a.cluster}-[0-9]+"`;
  const labels = (severity: string) => ({ severity, ...a.labels });
  const rules: Record<string, any>[] = [
    {
      alert: "PgplatformStorageNearFull",
      expr: `max by (persistentvolumeclaim) (kubelet_volume_stats_used_bytes{${pvc}} / kubelet_volume_stats_capacity_bytes{${pvc}}) * 100 > ${a.storageUsedPercent}`,
      for: "10m",
      labels: labels("warning"),
      annotations: { summary: `${a.cluster}: a volume is over ${a.storageUsedPercent}% full`, description: "Grow `storage.sizeGb` (volumes only grow) before PostgreSQL stops on a full disk." },
    },
    {
      alert: "PgplatformConnectionsNearMax",
      expr: `sum by (pod) (cnpg_backends_total{${sel}}) > ${Math.floor((a.maxConnections * a.connectionsUsedPercent) / 100)}`,
      for: "5m",
      labels: labels("warning"),
      annotations: { summary: `${a.cluster}: connections over ${a.connectionsUsedPercent}% of max_connections (${a.maxConnections})`, description: "Add a pooler or raise `max_connections` with the plan." },
    },
  ];
  if (a.replicationLagSeconds !== undefined) {
    rules.push({
      alert: "PgplatformReplicationLag",
      expr: `max by (pod) (cnpg_pg_replication_lag{${sel}}) > ${a.replicationLagSeconds}`,
      for: "2m",
      labels: labels("warning"),
      annotations: { summary: `${a.cluster}: a standby or replica is more than ${a.replicationLagSeconds}s behind`, description: "It has left the read pool (readiness) if it is past the byte limit too." },
    });
  }
  if (a.backupCron) {
    const maxAge = cronPeriodSeconds(a.backupCron) + 3600;
    const last = `max(barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{${sel}})`;
    rules.push(
      {
        alert: "PgplatformBackupMissing",
        expr: `(time() - ${last} > ${maxAge}) or absent(barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{${sel}})`,
        for: "15m",
        labels: labels("critical"),
        annotations: { summary: `${a.cluster}: no successful backup in the last ${maxAge}s (schedule \`${a.backupCron}\`)`, description: "Check the ScheduledBackup and the Barman Cloud plugin's logs." },
      },
      {
        alert: "PgplatformBackupFailed",
        expr: `max(barman_cloud_cloudnative_pg_io_last_failed_backup_timestamp{${sel}}) > ${last}`,
        labels: labels("critical"),
        annotations: { summary: `${a.cluster}: the last backup failed`, description: "The latest backup attempt failed after the last successful one." },
      },
    );
  }
  return { groups: [{ name: `pgplatform-${a.cluster}`, rules }] };
}
