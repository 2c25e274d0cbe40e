/**
 * pgplatform-disallow-dev-plan-in-production: a plan the catalogue keeps out of production
 * (`dev_single`) never runs there, whether asked for by a component or carried by a primitive's labels.
 */
import { PLAN_NAMES, PLANS } from "../../components/model/plans";
import { allowed } from "../../components/model/errors";
import { dbRule, planOf, whereOf } from "./support";

/** Defaults of the rule's config: the plans whose catalogue tiers leave out production. */
export const DEV_PLAN_DEFAULTS = {
  plans: PLAN_NAMES.filter((p) => !PLANS[p].tiers.includes("production")) as string[],
};

/** The rule. */
export const disallowDevPlanInProduction = dbRule({
  name: "pgplatform-disallow-dev-plan-in-production",
  description: "Checks that a db_resource of a development plan (`dev_single`) is never in a production environment.",
  enforcementLevel: "mandatory",
  defaults: DEV_PLAN_DEFAULTS,
  properties: { plans: { type: "array", items: { type: "string", enum: [...PLAN_NAMES] }, uniqueItems: true, description: "Plans never allowed in production." } },
  judge: (s, config, report) => {
    if (s.role !== "database") return;
    const plan = planOf(s);
    if (!plan || !config.plans.includes(plan.name) || s.tier !== "production") return;
    const tiers = plan.tiers.filter((t) => t !== "production");
    const instead = PLAN_NAMES.filter((p) => PLANS[p].kind === plan.kind && PLANS[p].tiers.includes("production") && !config.plans.includes(p));
    const use = instead.length > 0 ? ` (in production use ${allowed(instead)})` : "";
    report(`${s.label}: plan \`${plan.name}\` is not allowed in a production environment (${whereOf(s)}); allowed tiers: ${allowed(tiers)}${use}`);
  },
});
