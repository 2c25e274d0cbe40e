/**
 * Backups and point-in-time recovery on the local back end (pgBackRest from Debian; it reads
 * PostgreSQL 15 at most in its 2.45 release, hence `version: "15"`).
 *
 * - `orders` is backed up hourly (full every day, incremental in between), kept 7 days, with WAL
 *   archived for PITR; `pulumi config set backupNow <anything new>` takes a backup on the next `up`.
 * - `orders-copy` is a clone made from those backups: the latest point, or the time in stack config
 *   `restoreTime` (ISO 8601 with a zone), e.g. just before a bad migration.
 * - `reports` shows the lifecycle: `pulumi config set pauseReports true` stops it (data kept);
 *   deleting it keeps its directory for 3 days (soft delete) before a later run purges it.
 */
import * as pulumi from "@pulumi/pulumi";
import { BackupPolicy, PgSingle } from "pgplatform";

const config = new pulumi.Config();

const orders = new PgSingle("orders", { projectId: "shop", environmentId: "staging", plan: "small_single", version: "15" });

const backups = new BackupPolicy("orders-backups", {
  target: orders,
  schedule: "hourly",
  retentionDays: 7,
  pitr: true,
  fullBackupEvery: "day",
  incrementalType: "incremental",
  backupNow: config.get("backupNow"),
});

const restoreTime = config.get("restoreTime");
const copy = new PgSingle("orders-copy", {
  projectId: "shop",
  environmentId: "staging",
  plan: "small_single",
  version: "15",
  lifecycle: { deletionProtection: false },
  restore: { from: backups, ...(restoreTime ? { targetTime: restoreTime } : {}) },
});

const reports = new PgSingle("reports", {
  projectId: "shop",
  environmentId: "staging",
  plan: "small_single",
  version: "15",
  lifecycle: { state: config.getBoolean("pauseReports") ? "paused" : "active", deletionProtection: false, deletionPolicy: "soft", softDeleteRetentionDays: 3 },
});

export const nextBackup = backups.nextSchedule;
export const lastBackup = backups.lastSuccessful;
export const backupList = backups.backups; // id, type, start/stop, size, location, LSN range, status
export const copyUri = copy.connection.uri; // a secret
export const reportsStatus = reports.status; // RUNNING, or PENDING while paused
