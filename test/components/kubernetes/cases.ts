/**
 * Bad inputs specific to the kubernetes back end, each a program that must throw: the rows of
 * badInput.test.ts. Not a test file itself.
 */
import { BackupPolicy, BlueGreenUpgrade, PgCluster, PgSingle, ReadReplicaSet } from "../../../components";

export const STORE = { bucket: "shop-backups", credentials: { secretName: "backup-s3" } };
const dev = { projectId: "shop", environmentId: "dev", plan: "dev_single", backend: "kubernetes" as const };
const staging = { projectId: "shop", environmentId: "staging", plan: "small_single", backend: "kubernetes" as const };

/** One bad program and the exact message it must throw (one item per line). */
export interface BadProgram {
  what: string;
  run: () => unknown;
  message: string[];
}

export const BAD_PROGRAMS: Omit<BadProgram, "message">[] = [
  { what: "backups on without a backup store", run: () => new PgSingle("orders", { ...staging }) },
  { what: "production without a StorageClass", run: () => new PgCluster("orders", { projectId: "shop", environmentId: "prod", plan: "prod_ha", backend: "kubernetes", kubernetes: { backupStore: STORE } }) },
  { what: "a pooler in `statement` mode", run: () => new ReadReplicaSet("orders-reads", { source: new PgSingle("orders", { ...staging, kubernetes: { backupStore: STORE } }), replicas: 1, pooling: { mode: "statement" as any } }) },
  { what: "a 5-field cron where a CNPG cron is asked", run: () => new PgSingle("orders", { ...staging, kubernetes: { backupStore: STORE, backupSchedule: "0 3 * * *" } }) },
  { what: "a 6-field cron with a bad seconds field", run: () => new PgSingle("orders", { ...staging, kubernetes: { backupStore: STORE, backupSchedule: "75 0 3 * * *" } }) },
  { what: "a component name that cannot name a Cluster", run: () => new PgSingle("Orders_DB", { ...dev }) },
  { what: "an image whose tag is another major", run: () => new PgSingle("orders", { ...dev, version: "16", kubernetes: { imageName: "ghcr.io/cloudnative-pg/postgresql:17.6-standard-trixie" } }) },
  { what: "a parameter CNPG sets itself", run: () => new PgSingle("orders", { ...dev, parameters: { wal_level: "logical", log_destination: "stderr" } }) },
  { what: "a backup store with neither keys nor IAM role, a bad bucket and namespace", run: () => new PgSingle("orders", { ...staging, kubernetes: { namespace: "Shop_NS", backupStore: { bucket: "Shop_Backups" } } }) },
  { what: "an image catalogue and an image name together", run: () => new PgSingle("orders", { ...dev, kubernetes: { imageName: "ghcr.io/cloudnative-pg/postgresql:17", imageCatalog: { name: "pg" } } }) },
  { what: "a backup schedule without backups", run: () => new PgSingle("orders", { ...dev, kubernetes: { backupSchedule: "0 0 3 * * *" } }) },
  {
    what: "a BackupPolicy with another retention and bucket than its target's store",
    run: () => new BackupPolicy("orders-backups", { target: new PgSingle("orders", { ...staging, kubernetes: { backupStore: STORE } }), retentionDays: 30, location: { bucket: "other-bucket" } }),
  },
  { what: "a BackupPolicy on a target without backups", run: () => new BackupPolicy("orders-backups", { target: new PgSingle("orders", { ...dev }) }) },
  {
    what: "an in-place BlueGreenUpgrade and replica identity full",
    run: () => new BlueGreenUpgrade("orders-17", { source: new PgSingle("orders", { ...dev, version: "16" }), targetVersion: "17", strategy: "in_place", confirm: true, tablesWithoutPrimaryKey: "replica_identity_full" }),
  },
  { what: "a ReadReplicaSet on a paused source, with a name that cannot name a Cluster", run: () => new ReadReplicaSet("Orders.Reads", { source: new PgSingle("orders", { ...staging, lifecycle: { state: "paused" }, kubernetes: { backupStore: STORE } }), replicas: 1 }) },
  {
    what: "a clone restore into another namespace than the backups'",
    run: () => {
      const policy = new BackupPolicy("orders-backups", { target: new PgSingle("orders", { ...staging, kubernetes: { namespace: "shop", backupStore: STORE } }) });
      return new PgSingle("orders-copy", { ...staging, kubernetes: { namespace: "other", backupStore: STORE }, restore: { from: policy } });
    },
  },
  { what: "db_resource quotas and a vacuum job at odds with scheduledVacuum", run: () => new PgSingle("orders", { ...dev, quotas: { maxStorageGb: 10 }, maintenance: { vacuumAnalyze: false } }) },
  { what: "kubernetes options on another back end", run: () => new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single", backend: "local", kubernetes: { namespace: "shop" } }) },
];
