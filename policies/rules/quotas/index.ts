/**
 * Every stack rule of the pack, side-effect free: the quotas, each aggregating what the whole stack
 * declares (see ./inventory.ts; thresholds and their defaults in ./config.ts), and the rules whose
 * fact is spread over several resources (Aurora's ClusterInstances, CNPG's ScheduledBackups; their
 * defaults next to each rule).
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { AURORA_STANDBYS_DEFAULTS, configureAuroraStandbys } from "./aws-configure-aurora-standbys";
import { SCHEDULED_BACKUPS_DEFAULTS, configureScheduledBackups } from "./kubernetes-configure-scheduled-backups";
import { QUOTA_DEFAULTS } from "./config";
import { environmentResourceCount } from "./pgplatform-configure-environment-resource-count";
import { projectStorageQuota } from "./pgplatform-configure-project-storage-quota";
import { tenantConnections } from "./pgplatform-configure-tenant-connections";
import { tenantsPerCluster } from "./pgplatform-configure-tenants-per-cluster";

export { QUOTA_DEFAULTS };

/** The quota rules, in the order the pack lists them. */
export const QUOTA_POLICIES: StackValidationPolicy[] = [projectStorageQuota, environmentResourceCount, tenantsPerCluster, tenantConnections];

/** Every config key of the stack rules and its default (no two rules share a key). */
export const STACK_DEFAULTS = { ...QUOTA_DEFAULTS, ...AURORA_STANDBYS_DEFAULTS, ...SCHEDULED_BACKUPS_DEFAULTS };

/** The stack rules, in the order the pack lists them: the quotas, then the rules over several resources. */
export const STACK_POLICIES: StackValidationPolicy[] = [...QUOTA_POLICIES, configureAuroraStandbys, configureScheduledBackups];
