/**
 * pgplatform-configure-plan-storage-bounds: storage (and its autoscaling ceiling) stays within the
 * bounds of the db_resource's plan.
 */
import { dbRule, planOf } from "./support";

/** Defaults of the rule's config. */
export const STORAGE_BOUNDS_DEFAULTS = { checkAutoscaleCeiling: true };

/** GiB as messages print them: whole numbers as they are, others to 2 decimals. */
const gib = (n: number) => String(Math.round(n * 100) / 100);

/** The rule. */
export const configurePlanStorageBounds = dbRule({
  name: "pgplatform-configure-plan-storage-bounds",
  description: "Checks that a db_resource's storage, and its autoscaling ceiling, are within its plan's bounds.",
  enforcementLevel: "mandatory",
  defaults: STORAGE_BOUNDS_DEFAULTS,
  properties: {
    checkAutoscaleCeiling: { type: "boolean", description: "Also hold the storage autoscaling ceiling to the plan's maximum." },
  },
  judge: (s, config, report) => {
    if (s.role !== "database" && s.role !== "replica") return;
    const plan = planOf(s);
    if (!plan) return;
    const { minGb, maxGb } = plan.storage;
    const size = s.read("storageGb");
    if (size && size.value !== undefined && (size.value < minGb || size.value > maxGb)) {
      const got = size.value === Number(size.got) ? size.got : `${size.got} (${gib(size.value)} GiB)`;
      report(`${s.label}: \`${size.field}\` must be between ${minGb} and ${maxGb} GiB for plan \`${plan.name}\`; got ${got}`);
    }
    // A ceiling derived from the size by default follows the size, which is judged above.
    const ceiling = s.read("autoscaleMaxGb");
    if (config.checkAutoscaleCeiling && ceiling && !ceiling.defaulted && ceiling.value !== undefined && ceiling.value > maxGb) {
      report(`${s.label}: \`${ceiling.field}\` must be 0 (off) or at most ${maxGb} GiB for plan \`${plan.name}\`; got ${ceiling.got}`);
    }
  },
});
