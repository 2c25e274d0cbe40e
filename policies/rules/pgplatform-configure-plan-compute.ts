/**
 * pgplatform-configure-plan-compute: a db_resource runs on its plan's compute (AWS instance class,
 * Kubernetes cpu and memory) unless the config allows another. Advisory: sizing is a judgement.
 */
import { Report, dbRule, planOf } from "./support";
import { DbSubject, sameQuantity } from "./subjects";

/** Defaults of the rule's config: nothing besides each plan's own compute. */
export const PLAN_COMPUTE_DEFAULTS = {
  allowedInstanceClasses: [] as string[],
  allowedCpu: [] as string[],
  allowedMemory: [] as string[],
};

function judgeFact(s: DbSubject, fact: "instanceClass" | "cpu" | "memory", planValue: string, others: string[], plan: string, report: Report): void {
  const r = s.read(fact);
  if (!r || r.value === undefined) return;
  const same = fact === "instanceClass" ? (a: string, b: string) => a === b : sameQuantity;
  if (same(r.value, planValue) || others.some((o) => same(r.value!, o))) return;
  const or = others.length > 0 ? ` or one the config allows (${others.map((o) => `\`${o}\``).join(", ")})` : "";
  report(`${s.label}: \`${r.field}\` should be plan \`${plan}\`'s \`${planValue}\`${or}; got ${r.got}`);
}

/** The rule. */
export const configurePlanCompute = dbRule({
  name: "pgplatform-configure-plan-compute",
  description: "Checks that a db_resource's instance class (AWS) or cpu and memory (Kubernetes) are its plan's, or ones the config allows.",
  enforcementLevel: "advisory",
  defaults: PLAN_COMPUTE_DEFAULTS,
  properties: {
    allowedInstanceClasses: { type: "array", items: { type: "string" }, uniqueItems: true, description: "AWS instance classes allowed besides the plan's (`db.serverless`)." },
    allowedCpu: { type: "array", items: { type: "string" }, uniqueItems: true, description: "Kubernetes cpu quantities allowed besides the plan's." },
    allowedMemory: { type: "array", items: { type: "string" }, uniqueItems: true, description: "Kubernetes memory quantities allowed besides the plan's." },
  },
  judge: (s, config, report) => {
    if (s.role === "parameters" || s.role === "network") return;
    const plan = planOf(s);
    if (!plan) return;
    judgeFact(s, "instanceClass", plan.compute.aws.instanceClass, config.allowedInstanceClasses, plan.name, report);
    judgeFact(s, "cpu", plan.compute.kubernetes.cpu, config.allowedCpu, plan.name, report);
    judgeFact(s, "memory", plan.compute.kubernetes.memory, config.allowedMemory, plan.name, report);
  },
});
