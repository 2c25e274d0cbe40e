/**
 * A small single for staging with every common knob: names, storage, allowlist, parameters,
 * maintenance window. On the local back end the plan's daily backups are reported as not yet
 * taken (a warning) until a BackupPolicy targets the database; `backup.enabled: false` says so explicitly.
 */
import { PgSingle } from "pgplatform";

const db = new PgSingle("billing", {
  projectId: "shop",
  environmentId: "staging",
  plan: "small_single",
  version: 17,
  databaseName: "billing",
  username: "billing_app",
  storage: { sizeGb: 100 },
  network: { allowedCidrs: ["127.0.0.1/32", "10.20.0.0/16"] },
  compute: { local: { workMem: "16MB" } },
  parameters: { statement_timeout: "30s", random_page_cost: 1.1 },
  backup: { enabled: false },
  lifecycle: { maintenanceWindow: "sat:02:00-sat:03:00" },
});

export const uri = db.connection.uri;
export const adminUri = db.adminConnection.uri;
export const status = db.status;
