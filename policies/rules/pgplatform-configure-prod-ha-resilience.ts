/**
 * pgplatform-configure-prod-ha-resilience: a `prod_ha` db_resource keeps what makes it highly
 * available: enough standbys, zones, PITR and deletion protection.
 */
import { DEFAULTS } from "../../components/model/defaults";
import { PLAN_NAMES, PLANS } from "../../components/model/plans";
import { Report, dbRule, planOf } from "./support";
import { DbSubject } from "./subjects";

/** Defaults of the rule's config; the standby minimum is the catalogue's. */
export const RESILIENCE_DEFAULTS = {
  plans: PLAN_NAMES.filter((p) => PLANS[p].kind === "pg_cluster") as string[],
  minStandbys: PLANS.prod_ha.ha.minStandbys,
  minSyncStandbys: PLANS.prod_ha.ha.replicationMode === "sync" ? DEFAULTS.syncStandbys : 0,
  requireMultiAz: true,
  requirePitr: true,
  requireDeletionProtection: true,
};

/** Reports when a boolean fact the subject shows is not true. */
function requireTrue(s: DbSubject, fact: "multiAz" | "pitr" | "deletionProtection", plan: string, report: Report): void {
  const r = s.read(fact);
  if (!r || r.value === undefined || r.value === true) return;
  report(`${s.label}: plan \`${plan}\` needs ${s.need(fact, "=", true)}; got ${r.got}`);
}

/** The rule. */
export const configureProdHaResilience = dbRule({
  name: "pgplatform-configure-prod-ha-resilience",
  description: "Checks that a `prod_ha` db_resource has at least the configured standbys (2), replicates synchronously to at least one, spans zones, keeps PITR and is protected from deletion.",
  enforcementLevel: "mandatory",
  defaults: RESILIENCE_DEFAULTS,
  properties: {
    plans: { type: "array", items: { type: "string", enum: [...PLAN_NAMES] }, uniqueItems: true, description: "Plans held to these requirements." },
    minStandbys: { type: "integer", minimum: 1, description: "Fewest standbys (failover candidates besides the primary)." },
    minSyncStandbys: { type: "integer", minimum: 0, description: "Fewest standbys confirming each commit (0 allows asynchronous replication)." },
    requireMultiAz: { type: "boolean", description: "Standbys must be in other zones." },
    requirePitr: { type: "boolean", description: "Point-in-time recovery must be on." },
    requireDeletionProtection: { type: "boolean", description: "Deletion protection must be on." },
  },
  judge: (s, config, report) => {
    if (s.role !== "database") return;
    const plan = planOf(s);
    if (!plan || !config.plans.includes(plan.name)) return;
    const standbys = s.read("standbys");
    if (standbys && standbys.value !== undefined && standbys.value < config.minStandbys) {
      report(`${s.label}: plan \`${plan.name}\` needs ${s.need("standbys", ">=", config.minStandbys)}; got ${standbys.got}`);
    }
    const sync = s.read("syncStandbys");
    if (sync && sync.value !== undefined && sync.value < config.minSyncStandbys) {
      report(`${s.label}: plan \`${plan.name}\` needs ${s.need("syncStandbys", ">=", config.minSyncStandbys)}; got ${sync.got}`);
    }
    if (config.requireMultiAz) requireTrue(s, "multiAz", plan.name, report);
    if (config.requirePitr) requireTrue(s, "pitr", plan.name, report);
    if (config.requireDeletionProtection) requireTrue(s, "deletionProtection", plan.name, report);
  },
});
