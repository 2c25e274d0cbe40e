/**
 * pgplatform-disallow-public-access: no db_resource is reachable from the internet (RDS
 * `publiclyAccessible`, a public LoadBalancer Service of a CNPG Cluster, `network.publicAccess`),
 * except in the tiers the config allows (dev, as the model does).
 */
import { TIERS_PROPERTY, dbRule, strictTier, tiersText, whereOf } from "./support";

/** Defaults of the rule's config: public access only in dev, as the model allows. */
export const PUBLIC_ACCESS_DEFAULTS = { allowedTiers: ["dev"] as string[] };

/** The rule. */
export const disallowPublicAccess = dbRule({
  name: "pgplatform-disallow-public-access",
  description: "Checks that a db_resource is not publicly accessible outside a dev environment.",
  enforcementLevel: "mandatory",
  defaults: PUBLIC_ACCESS_DEFAULTS,
  properties: { allowedTiers: { ...TIERS_PROPERTY, description: "Environment tiers where public access is allowed." } },
  judge: (s, config, report) => {
    const r = s.read("publicAccess");
    if (!r || r.value !== true || config.allowedTiers.includes(strictTier(s))) return;
    report(`${s.label}: public access (\`${r.field}\`) is only allowed in ${tiersText(config.allowedTiers)} (${whereOf(s)}); got ${r.got}`);
  },
});
