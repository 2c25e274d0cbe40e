/**
 * pgplatform-configure-tenants-per-cluster: a shared db_resource carries no more tenants than the
 * quota allows.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { limitOf, limitProperty, listOf } from "./config";
import { groupBy, inventoryOf } from "./inventory";

/** The rule's name. */
export const TENANTS_PER_CLUSTER = "pgplatform-configure-tenants-per-cluster";

/**
 * Counts tenants (TenantDatabase facts, and tenant records in the catalogue made without the
 * component; each tenant once) per target db_resource. The violation is reported on the target
 * when it is in the stack.
 */
export const tenantsPerCluster: StackValidationPolicy = {
  name: TENANTS_PER_CLUSTER,
  description: "Checks that no shared db_resource carries more tenants than the quota allows.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxTenantsPerCluster: limitProperty("maxTenantsPerCluster", "Most tenants (TenantDatabases) one shared db_resource may carry."),
    },
  },
  validateStack: (args, reportViolation) => {
    const max = limitOf(args, "maxTenantsPerCluster");
    const inventory = inventoryOf(args.resources);
    const urnOf = new Map(inventory.dbResources.map((d) => [d.id, d.urn]));
    const targets = groupBy(inventory.tenants, (t) => t.targetResourceId);
    for (const [target, tenants] of [...targets.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (tenants.length <= max) continue;
      const ids = tenants.map((t) => `\`${t.tenantId}\``).sort();
      reportViolation(
        `db_resource \`${target}\` has ${tenants.length} tenants (${listOf(ids)}); \`maxTenantsPerCluster\` allows at most ${max}`,
        urnOf.get(target),
      );
    }
  },
};
