/**
 * pgplatform-disallow-open-allowlist: no allowlist admits the whole internet (`0.0.0.0/0`, `::/0`)
 * to the database port outside dev: component `network.allowedCidrs`, the local server's
 * `allowedCidrs`, security group ingress, CNPG `pg_hba` lines.
 */
import { isWholeInternet, parseCidr } from "../../components/model/network";
import { show } from "../../components/model/errors";
import { TIERS_PROPERTY, dbRule, strictTier, tiersText, whereOf } from "./support";

/** Defaults of the rule's config: the whole internet only in dev (as the model allows), on PostgreSQL's port. */
export const OPEN_ALLOWLIST_DEFAULTS = { allowedTiers: ["dev"] as string[], ports: [5432] as number[] };

/** The rule. */
export const disallowOpenAllowlist = dbRule({
  name: "pgplatform-disallow-open-allowlist",
  description: "Checks that no allowlist admits the whole internet (0.0.0.0/0 or ::/0) to a database outside a dev environment.",
  enforcementLevel: "mandatory",
  defaults: OPEN_ALLOWLIST_DEFAULTS,
  properties: {
    allowedTiers: { ...TIERS_PROPERTY, description: "Environment tiers where the whole internet may be allowlisted." },
    ports: { type: "array", items: { type: "integer", minimum: 1, maximum: 65535 }, uniqueItems: true, description: "Database ports a security group rule is judged on." },
  },
  judge: (s, config, report) => {
    const r = s.read("allowedCidrs");
    if (!r || !r.value || config.allowedTiers.includes(strictTier(s))) return;
    for (const entry of r.value) {
      const cidr = entry.cidr ? parseCidr(entry.cidr) : undefined;
      if (!cidr || !isWholeInternet(cidr)) continue;
      if (entry.ports && !config.ports.some((p) => entry.ports!.from <= p && p <= entry.ports!.to)) continue;
      const port = entry.ports ? ` on port ${config.ports.filter((p) => entry.ports!.from <= p && p <= entry.ports!.to).join(", ")}` : "";
      report(`${s.label}: \`${entry.field}\` admits the whole internet${port}, which only ${tiersText(config.allowedTiers)} may do (${whereOf(s)}); got ${show(entry.text)}`);
    }
  },
});
