/**
 * Use case 4: tenants on a shared db_resource. `acme` gets its own database with quotas and an
 * archive on delete; `globex` gets its own schema of the shared database.
 */
import { PgSingle, TenantDatabase } from "pgplatform";

const shared = new PgSingle("shared", { projectId: "saas", environmentId: "dev", plan: "dev_single" });

const acme = new TenantDatabase("acme", {
  tenantId: "acme",
  projectId: "saas",
  environmentId: "dev",
  target: shared,
  mode: "database_per_tenant",
  quotas: { maxConnections: 20, maxStorageGb: 5, onLimit: "lock" },
  deletion: { policy: "archive", archiveLocation: "/var/backups/pgplatform/tenants" },
});

const globex = new TenantDatabase("globex", {
  tenantId: "globex",
  projectId: "saas",
  environmentId: "dev",
  target: shared,
  mode: "schema_per_tenant",
});

export const acmeUri = acme.connection.uri; // secrets
export const globexUri = globex.connection.uri;
export const acmeQuota = acme.quotaState;
export const globexSchema = globex.schemaName;
