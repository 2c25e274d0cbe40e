/**
 * Every stack (quota) rule of the pack, side-effect free. Each aggregates what the whole stack
 * declares (see ./inventory.ts); thresholds and their defaults are in ./config.ts.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { environmentResourceCount } from "./pgplatform-configure-environment-resource-count";
import { projectStorageQuota } from "./pgplatform-configure-project-storage-quota";
import { tenantConnections } from "./pgplatform-configure-tenant-connections";
import { tenantsPerCluster } from "./pgplatform-configure-tenants-per-cluster";

export { QUOTA_DEFAULTS } from "./config";

/** The quota rules, in the order the pack lists them. */
export const STACK_POLICIES: StackValidationPolicy[] = [projectStorageQuota, environmentResourceCount, tenantsPerCluster, tenantConnections];
