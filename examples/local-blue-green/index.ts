/**
 * A major upgrade from PostgreSQL 15 to 16 by blue-green, with quotas and scheduled maintenance on
 * the source. Move it on by changing `phase` in stack config and running `pulumi up`:
 *   prepare (default) → cutover → finalize, or rollback at any point before finalize.
 * The application connects to `uri` (the stable endpoint) from the start and follows the cut-over.
 */
import * as pulumi from "@pulumi/pulumi";
import { BlueGreenUpgrade, PgSingle } from "pgplatform";

const config = new pulumi.Config();
const phase = (config.get("phase") ?? "prepare") as "prepare" | "cutover" | "finalize" | "rollback";

const db = new PgSingle("orders", {
  projectId: "shop",
  environmentId: "dev",
  plan: "dev_single",
  version: "15",
  parameters: { wal_level: "logical" }, // logical replication feeds the green side
  quotas: { maxStorageGb: 10, maxConnections: 40, warnAtPercent: 80, onLimit: "read_only" },
  maintenance: { vacuumAnalyze: true }, // pg_cron, at the start of the maintenance window
  lifecycle: { maintenanceWindow: "sun:04:00-sun:05:00" },
});

const upgrade = new BlueGreenUpgrade("orders-16", {
  source: db,
  targetVersion: "16",
  phase,
  tablesWithoutPrimaryKey: "replica_identity_full",
  maxWritePauseSeconds: 10,
});

export const uri = upgrade.connection.uri; // a secret: give this to the application
export const activeSide = upgrade.activeSide;
export const progress = upgrade.progress;
