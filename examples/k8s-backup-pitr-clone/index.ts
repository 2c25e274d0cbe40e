/**
 * Backups and point-in-time recovery on Kubernetes: `small_single` backs up daily through the Barman
 * Cloud plugin (WAL archived continuously); a BackupPolicy adds a backup every six hours on weekdays;
 * `orders-copy` is a new Cluster recovered from that archive to a point in time.
 * Prerequisites: the CNPG operator, the Barman Cloud plugin, a Secret `backup-s3` in `shop`.
 */
import * as pulumi from "@pulumi/pulumi";
import { BackupPolicy, PgSingle } from "pgplatform";

const kubernetes = { namespace: "shop", backupStore: { bucket: "shop-pg-backups", credentials: { secretName: "backup-s3" } } };

const db = new PgSingle("orders", { projectId: "shop", environmentId: "staging", plan: "small_single", backend: "kubernetes", kubernetes });

const backups = new BackupPolicy("orders-backups", { target: db, schedule: "0 */6 * * 1-5", fullBackupEvery: "day" });

const config = new pulumi.Config();
const copy = new PgSingle("orders-copy", {
  projectId: "shop",
  environmentId: "staging",
  plan: "small_single",
  backend: "kubernetes",
  kubernetes: { ...kubernetes, clusterName: "orders-copy" },
  restore: { from: backups, targetTime: config.get("restoreTime") ?? "2026-07-01T10:15:00Z" },
});

export const nextBackup = backups.nextSchedule;
export const lastBackup = backups.lastSuccessful;
export const copyUri = copy.connection.uri; // a secret
