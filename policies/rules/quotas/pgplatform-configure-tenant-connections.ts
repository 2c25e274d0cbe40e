/**
 * pgplatform-configure-tenant-connections: every tenant's connection limit stays within the quota,
 * and, when the config asks for it, every tenant has one.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { limitOf, limitProperty, switchOf, switchProperty } from "./config";
import { TenantEntry, inventoryOf } from "./inventory";

/** The rule's name. */
export const TENANT_CONNECTIONS = "pgplatform-configure-tenant-connections";

function who(t: TenantEntry): string {
  return t.targetResourceId === undefined ? `tenant \`${t.tenantId}\`` : `tenant \`${t.tenantId}\` on db_resource \`${t.targetResourceId}\``;
}

/**
 * Judges each tenant's `maxConnections` (TenantDatabase facts, or the tenant record's quota); a
 * limit unknown at preview is skipped. The violation is reported on the tenant.
 */
export const tenantConnections: StackValidationPolicy = {
  name: TENANT_CONNECTIONS,
  description: "Checks that every tenant's connection limit (`quotas.maxConnections`) is within the quota, and that every tenant has one when the config requires it.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxConnectionsPerTenant: limitProperty("maxConnectionsPerTenant", "Highest `quotas.maxConnections` a tenant may be given."),
      requireTenantConnectionLimit: switchProperty("requireTenantConnectionLimit", "Whether a tenant without `quotas.maxConnections` is a violation."),
    },
  },
  validateStack: (args, reportViolation) => {
    const max = limitOf(args, "maxConnectionsPerTenant");
    const required = switchOf(args, "requireTenantConnectionLimit");
    const tenants = [...inventoryOf(args.resources).tenants].sort((a, b) => a.tenantId.localeCompare(b.tenantId) || (a.targetResourceId ?? "").localeCompare(b.targetResourceId ?? ""));
    for (const t of tenants) {
      if (typeof t.maxConnections === "number" && t.maxConnections > max) {
        reportViolation(`${who(t)} has \`maxConnections\` ${t.maxConnections}; \`maxConnectionsPerTenant\` allows at most ${max}`, t.urn);
      } else if (t.maxConnections === null && required) {
        reportViolation(
          `${who(t)} has no connection limit (\`quotas.maxConnections\` is unset); \`requireTenantConnectionLimit\` requires one, at most ${max}`,
          t.urn,
        );
      }
    }
  },
};
