/**
 * kubernetes-configure-resource-requests: a production CNPG Cluster requests cpu and memory for
 * its pods (so the scheduler reserves them), and optionally sets limits too (Guaranteed QoS when
 * requests equal limits).
 */
import { CNPG_CLUSTER_TYPE } from "./subjects";
import { TIERS_PROPERTY, dbRule, strictTier, whereOf } from "./support";

/** Defaults of the rule's config. */
export const RESOURCE_REQUESTS_DEFAULTS = { tiers: ["production"] as string[], requireLimits: false };

/** The rule. */
export const configureResourceRequests = dbRule({
  name: "kubernetes-configure-resource-requests",
  description: "Checks that a production CNPG Cluster sets `spec.resources.requests` for cpu and memory.",
  enforcementLevel: "mandatory",
  appliesTo: CNPG_CLUSTER_TYPE,
  defaults: RESOURCE_REQUESTS_DEFAULTS,
  properties: {
    tiers: { ...TIERS_PROPERTY, description: "Environment tiers whose Clusters must request resources." },
    requireLimits: { type: "boolean", description: "Also require `spec.resources.limits` for cpu and memory." },
  },
  judge: (s, config, report) => {
    if (s.type !== CNPG_CLUSTER_TYPE || !config.tiers.includes(strictTier(s))) return;
    const facts = config.requireLimits ? (["cpu", "memory", "cpuLimit", "memoryLimit"] as const) : (["cpu", "memory"] as const);
    for (const fact of facts) {
      const r = s.read(fact);
      if (!r || r.value !== undefined) continue;
      report(`${s.label}: a ${strictTier(s)} cluster (${whereOf(s)}) needs \`${r.field}\` set; got ${r.got}`);
    }
  },
});
