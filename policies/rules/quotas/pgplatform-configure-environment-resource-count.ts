/**
 * pgplatform-configure-environment-resource-count: an environment of a project holds no more
 * db_resources than the quota allows.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { limitOf, limitProperty, listOf } from "./config";
import { groupBy, inventoryOf } from "./inventory";

/** The rule's name. */
export const ENVIRONMENT_RESOURCE_COUNT = "pgplatform-configure-environment-resource-count";

/**
 * Counts db_resources (each once, by `pgplatform.io/resource-id`) per environment of a project.
 * One whose project or environment is unknown at preview is not counted.
 */
export const environmentResourceCount: StackValidationPolicy = {
  name: ENVIRONMENT_RESOURCE_COUNT,
  description: "Checks that no environment of a project holds more db_resources than the quota allows.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxDbResourcesPerEnvironment: limitProperty("maxDbResourcesPerEnvironment", "Most db_resources one environment of a project may hold."),
    },
  },
  validateStack: (args, reportViolation) => {
    const max = limitOf(args, "maxDbResourcesPerEnvironment");
    const dbs = inventoryOf(args.resources).dbResources.filter((d) => d.projectId !== undefined);
    const environments = groupBy(dbs, (d) => (d.environmentId === undefined ? undefined : JSON.stringify([d.projectId, d.environmentId])));
    for (const [key, envDbs] of [...environments.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (envDbs.length <= max) continue;
      const [project, environment] = JSON.parse(key) as [string, string];
      const ids = envDbs.map((d) => `\`${d.id}\``).sort();
      reportViolation(
        `environment \`${environment}\` of project \`${project}\` has ${envDbs.length} db_resources (${listOf(ids)}); ` +
          `\`maxDbResourcesPerEnvironment\` allows at most ${max}`,
      );
    }
  },
};
