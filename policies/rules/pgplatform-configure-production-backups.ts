/**
 * pgplatform-configure-production-backups: a single-node db_resource in production has backups,
 * at least daily, kept at least the configured number of days.
 */
import { PLAN_NAMES, PLANS } from "../../components/model/plans";
import { allowed } from "../../components/model/errors";
import { dbRule, planOf } from "./support";

/** Defaults of the rule's config: the pg_single plans the catalogue allows in production. */
export const PRODUCTION_BACKUP_DEFAULTS = {
  plans: PLAN_NAMES.filter((p) => PLANS[p].kind === "pg_single" && PLANS[p].tiers.includes("production")) as string[],
  minRetentionDays: 7,
  schedules: ["hourly", "daily"],
};

/** The rule. */
export const configureProductionBackups = dbRule({
  name: "pgplatform-configure-production-backups",
  description: "Checks that a `small_single` or `medium_single` db_resource in production takes backups daily or more often, kept at least `minRetentionDays` (7).",
  enforcementLevel: "mandatory",
  defaults: PRODUCTION_BACKUP_DEFAULTS,
  properties: {
    plans: { type: "array", items: { type: "string", enum: [...PLAN_NAMES] }, uniqueItems: true, description: "Plans held to these requirements in production." },
    minRetentionDays: { type: "integer", minimum: 1, maximum: 3650, description: "Fewest days a backup is kept." },
    schedules: { type: "array", items: { type: "string" }, uniqueItems: true, description: "Backup schedules that count as daily or more often." },
  },
  judge: (s, config, report) => {
    if (s.role !== "database" || s.tier !== "production") return;
    const plan = planOf(s);
    if (!plan || !config.plans.includes(plan.name)) return;
    const where = `plan \`${plan.name}\` in production`;
    const enabled = s.read("backupEnabled");
    if (!enabled || enabled.value === undefined) return;
    if (!enabled.value) {
      report(`${s.label}: ${where} needs ${s.need("backupEnabled", "=", true)}; got ${enabled.got}`);
      return;
    }
    const schedule = s.read("backupSchedule");
    if (schedule && schedule.value !== undefined && !config.schedules.includes(schedule.value)) {
      report(`${s.label}: ${where} needs \`${schedule.field}\` one of ${allowed(config.schedules)}; got ${schedule.got}`);
    }
    const retention = s.read("retentionDays");
    if (retention && retention.value !== undefined && retention.value < config.minRetentionDays) {
      report(`${s.label}: ${where} needs ${s.need("retentionDays", ">=", config.minRetentionDays)}; got ${retention.got}`);
    }
  },
});
