/**
 * Every resource rule of the pack, side-effect free (constructing a PolicyPack starts a server,
 * so only ../index.ts does that). One rule per file, named after the rule; each judges the
 * {@link DbSubject} that ./subjects.ts makes of a component's args or of a primitive.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { enableForceSsl } from "./aws-enable-force-ssl";
import { enableStorageEncryption } from "./aws-enable-storage-encryption";
import { configureBackupPlugin } from "./kubernetes-configure-backup-plugin";
import { configureResourceRequests } from "./kubernetes-configure-resource-requests";
import { configurePlanCompute } from "./pgplatform-configure-plan-compute";
import { configurePlanStorageBounds } from "./pgplatform-configure-plan-storage-bounds";
import { configureProdHaResilience } from "./pgplatform-configure-prod-ha-resilience";
import { configureProductionBackups } from "./pgplatform-configure-production-backups";
import { disallowDevPlanInProduction } from "./pgplatform-disallow-dev-plan-in-production";
import { disallowOpenAllowlist } from "./pgplatform-disallow-open-allowlist";
import { disallowPublicAccess } from "./pgplatform-disallow-public-access";
import { enableSupportedVersion } from "./pgplatform-enable-supported-version";
import type { DbSubject } from "./subjects";

export type { DbSubject };
export { subjectOf } from "./subjects";
export { configOf } from "./support";

/** The resource rules, in the order the pack runs them. */
export const RESOURCE_POLICIES: ResourceValidationPolicy[] = [
  disallowDevPlanInProduction,
  configureProdHaResilience,
  configureProductionBackups,
  enableSupportedVersion,
  configurePlanStorageBounds,
  configurePlanCompute,
  disallowPublicAccess,
  disallowOpenAllowlist,
  enableStorageEncryption,
  enableForceSsl,
  configureBackupPlugin,
  configureResourceRequests,
];
