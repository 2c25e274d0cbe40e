/**
 * Maintenance on Kubernetes: CNPG has no maintenance window, so pgplatform runs `vacuumdb` (vacuum
 * and analyze of every database) from a CronJob at the start of the window, bounded by the
 * window's length. Rolling updates follow `primaryUpdateStrategy`/`primaryUpdateMethod` (see cluster.ts).
 */
import type * as k8s from "@pulumi/kubernetes";
import { PG_PORT } from "./names";

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** A window `ddd:hh:mm-ddd:hh:mm` (UTC) as the CronJob schedule of its start and its length in seconds. */
export function windowSchedule(window: string): { schedule: string; seconds: number } {
  const m = /^(\w{3}):(\d{2}):(\d{2})-(\w{3}):(\d{2}):(\d{2})$/.exec(window);
  if (!m) throw new Error(`maintenance window must look like \`sun:04:00-sun:05:00\`; got ${JSON.stringify(window)}`);
  const minuteOfWeek = (d: string, h: string, min: string) => DAYS.indexOf(d) * 1440 + Number(h) * 60 + Number(min);
  const start = minuteOfWeek(m[1], m[2], m[3]);
  const end = minuteOfWeek(m[4], m[5], m[6]);
  const minutes = (((end - start) % 10080) + 10080) % 10080 || 10080;
  return { schedule: `${Number(m[3])} ${Number(m[2])} * * ${DAYS.indexOf(m[1])}`, seconds: minutes * 60 };
}

/** The label that admits maintenance pods to PostgreSQL's port through the NetworkPolicy. */
export const MAINTENANCE_LABEL = "pgplatform.io/maintenance-of";

/** The vacuum CronJob's spec: `vacuumdb --all --analyze --skip-locked` as the superuser over TLS at the window. */
export function vacuumCronJobSpec(a: { cluster: string; window: string; image: string; superuserSecret: string; labels: Record<string, string> }): k8s.types.input.batch.v1.CronJobSpec {
  const { schedule, seconds } = windowSchedule(a.window);
  const secret = (key: string) => ({ secretKeyRef: { name: a.superuserSecret, key } });
  return {
    schedule,
    timeZone: "Etc/UTC",
    concurrencyPolicy: "Forbid",
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 3,
    jobTemplate: {
      metadata: { labels: { ...a.labels } },
      spec: {
        backoffLimit: 1,
        activeDeadlineSeconds: seconds,
        template: {
          metadata: { labels: { ...a.labels, [MAINTENANCE_LABEL]: a.cluster } },
          spec: {
            restartPolicy: "Never",
            securityContext: { runAsNonRoot: true, runAsUser: 26, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "vacuumdb",
                image: a.image,
                command: ["vacuumdb", "--all", "--analyze", "--skip-locked", "--jobs=2"],
                env: [
                  { name: "PGHOST", value: `${a.cluster}-rw` },
                  { name: "PGPORT", value: String(PG_PORT) },
                  { name: "PGSSLMODE", value: "require" },
                  { name: "PGUSER", valueFrom: secret("username") },
                  { name: "PGPASSWORD", valueFrom: secret("password") },
                ],
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
              },
            ],
          },
        },
      },
    },
  };
}
