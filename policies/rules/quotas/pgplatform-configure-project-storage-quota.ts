/**
 * pgplatform-configure-project-storage-quota: the storage the db_resources of a project declare,
 * in total and per environment, stays within the quota.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { gib, limitOf, limitProperty, listOf } from "./config";
import { DbResourceEntry, groupBy, inventoryOf } from "./inventory";

/** The rule's name. */
export const PROJECT_STORAGE_QUOTA = "pgplatform-configure-project-storage-quota";

/** `\`id\` 1000, \`id2\` 200`: the largest first. */
function breakdown(sized: readonly (DbResourceEntry & { storageGb: number })[]): string {
  const sorted = [...sized].sort((a, b) => b.storageGb - a.storageGb || a.id.localeCompare(b.id));
  return listOf(sorted.map((d) => `\`${d.id}\` ${gib(d.storageGb)}`));
}

function total(sized: readonly { storageGb: number }[]): number {
  return sized.reduce((s, d) => s + d.storageGb, 0);
}

const plural = (n: number) => (n === 1 ? "db_resource" : "db_resources");

/**
 * Sums `storageGb` of every db_resource (components' facts, else the primitive's own storage) per
 * project and per environment of a project. A db_resource whose storage is unknown at preview is
 * left out of the sum, so a reported excess is real.
 */
export const projectStorageQuota: StackValidationPolicy = {
  name: PROJECT_STORAGE_QUOTA,
  description: "Checks that the db_resources of a project, and of each of its environments, declare no more storage in total than the quota allows.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxStorageGbPerProject: limitProperty("maxStorageGbPerProject", "Most GiB of storage the db_resources of one project may declare, over all its environments."),
      maxStorageGbPerEnvironment: limitProperty("maxStorageGbPerEnvironment", "Most GiB of storage the db_resources of one environment of a project may declare."),
    },
  },
  validateStack: (args, reportViolation) => {
    const perProject = limitOf(args, "maxStorageGbPerProject");
    const perEnvironment = limitOf(args, "maxStorageGbPerEnvironment");
    const sized = inventoryOf(args.resources).dbResources.filter((d): d is DbResourceEntry & { storageGb: number } => d.storageGb !== undefined);
    const projects = [...groupBy(sized, (d) => d.projectId).entries()].sort(([a], [b]) => a.localeCompare(b));
    for (const [project, dbs] of projects) {
      const sum = total(dbs);
      if (sum > perProject) {
        reportViolation(
          `project \`${project}\` declares ${gib(sum)} GiB of \`storageGb\` over ${dbs.length} ${plural(dbs.length)} (${breakdown(dbs)}); ` +
            `\`maxStorageGbPerProject\` allows at most ${perProject}`,
        );
      }
      const environments = [...groupBy(dbs, (d) => d.environmentId).entries()].sort(([a], [b]) => a.localeCompare(b));
      for (const [environment, envDbs] of environments) {
        const envSum = total(envDbs);
        if (envSum <= perEnvironment) continue;
        reportViolation(
          `environment \`${environment}\` of project \`${project}\` declares ${gib(envSum)} GiB of \`storageGb\` over ${envDbs.length} ${plural(envDbs.length)} ` +
            `(${breakdown(envDbs)}); \`maxStorageGbPerEnvironment\` allows at most ${perEnvironment}`,
        );
      }
    }
  },
};
