/**
 * kubernetes-configure-scheduled-backups: a production CNPG Cluster whose plan takes backups has a
 * ScheduledBackup that fires at least daily. A stack rule, because the schedule is another resource:
 * a `ScheduledBackup` names its Cluster by `spec.cluster.name`, in the same namespace.
 *
 * - A Cluster is judged when it is not a replica cluster (`spec.replica.enabled` true: it follows
 *   another cluster and takes no backups of its own), its label `pgplatform.io/plan` names a plan
 *   of the catalogue whose `backup.enabled` is true, and its tier is in `tiers` (label
 *   `pgplatform.io/environment-tier`, else the tier of `pgplatform.io/environment`; a Cluster with
 *   neither counts as production, as in every rule of the pack).
 * - It needs one `ScheduledBackup` with the Cluster's `metadata.namespace` (absent on both is the
 *   provider's namespace, `default`), `spec.cluster.name` the Cluster's `metadata.name`, a
 *   `spec.schedule` that fires every day (./cnpgSchedule.ts: robfig/cron's six fields, seconds first,
 *   which the Kubernetes back end writes) and `spec.suspend` not true.
 *
 * At preview nothing unknown is guessed: a Cluster whose name, namespace, labels or
 * `spec.replica` are unknown is skipped, and a Cluster is reported only when no ScheduledBackup
 * with an unknown namespace, cluster name, schedule or suspend flag could be the one it needs.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { PLANS, PlanName } from "../../../components/model/plans";
import { CNPG_CLUSTER_TYPE, subjectOf } from "../subjects";
import { ConfigProperty, TIERS_PROPERTY, configOf, configSchemaOf, strictTier, whereOf } from "../support";
import { MAX_LISTED } from "./config";
import { readSchedule } from "./cnpgSchedule";
import { UNKNOWN, known, peek } from "./inventory";

/** The rule's name. */
export const SCHEDULED_BACKUPS = "kubernetes-configure-scheduled-backups";
/** The ScheduledBackup's type token as the Kubernetes provider registers it. */
export const SCHEDULED_BACKUP_TYPE = "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup";
/** The namespace of an object that names none: the provider's, `default` unless the provider sets another. */
const DEFAULT_NAMESPACE = "default";

/** Defaults of the rule's config. */
export const SCHEDULED_BACKUPS_DEFAULTS = { tiers: ["production"] as string[] };

const PROPERTIES: { [K in keyof typeof SCHEDULED_BACKUPS_DEFAULTS]: ConfigProperty } = {
  tiers: { ...TIERS_PROPERTY, description: "Environment tiers whose Clusters (of a plan that takes backups) need a daily ScheduledBackup." },
};

/** One ScheduledBackup, as far as it is known. */
interface Scheduled {
  name: string;
  namespace: unknown;
  cluster: unknown;
  schedule: unknown;
  suspend: unknown;
}

function scheduledOf(r: { name: string; props: Record<string, any> }): Scheduled {
  return {
    name: r.name,
    namespace: peek(() => r.props.metadata?.namespace || DEFAULT_NAMESPACE),
    cluster: peek(() => r.props.spec?.cluster?.name),
    schedule: peek(() => r.props.spec?.schedule),
    suspend: peek(() => r.props.spec?.suspend),
  };
}

/** Why a ScheduledBackup of the Cluster does not do (a phrase), `undefined` when it does, {@link UNKNOWN} when that is unknown. */
function faultOf(b: Scheduled): string | undefined | typeof UNKNOWN {
  if (b.schedule === UNKNOWN || b.suspend === UNKNOWN) return UNKNOWN;
  const who = `\`ScheduledBackup\` ${JSON.stringify(b.name)}`;
  if (b.suspend === true) return `${who} has \`spec.suspend\` true`;
  if (typeof b.schedule !== "string") return `${who} has no \`spec.schedule\``;
  const r = readSchedule(b.schedule);
  if (!r.ok) return `${who}'s \`spec.schedule\` ${JSON.stringify(b.schedule)} is not a cron CloudNativePG reads (${r.why})`;
  return r.daily ? undefined : `${who}'s \`spec.schedule\` ${JSON.stringify(b.schedule)} does not fire every day`;
}

/**
 * Matches each judged CNPG Cluster with its ScheduledBackups (see the module comment) and reports,
 * on the Cluster, one without a daily, active one.
 */
export const configureScheduledBackups: StackValidationPolicy = {
  name: SCHEDULED_BACKUPS,
  description:
    "Checks that a production CNPG Cluster whose plan takes backups has a ScheduledBackup in its namespace, for it (`spec.cluster.name`), that fires at least daily and is not suspended.",
  enforcementLevel: "mandatory",
  configSchema: configSchemaOf(SCHEDULED_BACKUPS_DEFAULTS, PROPERTIES),
  validateStack: (args, reportViolation) => {
    const clusters = args.resources.filter((r) => r.type === CNPG_CLUSTER_TYPE);
    if (clusters.length === 0) return;
    const scheduled = args.resources.filter((r) => r.type === SCHEDULED_BACKUP_TYPE).map(scheduledOf);
    const config = configOf(args, SCHEDULED_BACKUPS_DEFAULTS);
    for (const c of clusters) {
      const s = known(() => subjectOf({ type: c.type, name: c.name, props: c.props }));
      if (!s || s.role !== "database") continue;
      const plan = known(() => s.plan) as PlanName | undefined;
      if (plan === undefined || !PLANS[plan].backup.enabled) continue;
      if (known(() => s.read("tier")) === undefined || !config.tiers.includes(strictTier(s))) continue;
      const name = peek(() => c.props.metadata?.name);
      const namespace = peek(() => c.props.metadata?.namespace || DEFAULT_NAMESPACE);
      if (typeof name !== "string" || typeof namespace !== "string") continue;

      const faults: string[] = [];
      let undecided = false;
      let satisfied = false;
      for (const b of scheduled) {
        if (b.namespace === UNKNOWN || b.cluster === UNKNOWN) {
          // It may be this Cluster's, unless what is known already says otherwise.
          if ((b.namespace === UNKNOWN || b.namespace === namespace) && (b.cluster === UNKNOWN || b.cluster === name)) undecided = true;
          continue;
        }
        if (b.namespace !== namespace || b.cluster !== name) continue;
        const fault = faultOf(b);
        if (fault === undefined) satisfied = true;
        else if (fault === UNKNOWN) undecided = true;
        else faults.push(fault);
      }
      if (satisfied || undecided) continue;
      const got = faults.length === 0 ? "got none" : `got ${faults.slice(0, MAX_LISTED).join("; ")}${faults.length > MAX_LISTED ? ` and ${faults.length - MAX_LISTED} more` : ""}`;
      reportViolation(
        `${s.label}: plan \`${plan}\` takes backups, so a ${strictTier(s)} cluster (${whereOf(s)}) needs a \`ScheduledBackup\` in namespace \`${namespace}\` ` +
          `with \`spec.cluster.name\` ${JSON.stringify(name)}, a \`spec.schedule\` that fires at least daily and \`spec.suspend\` not true; ${got}`,
        c.urn,
      );
    }
  },
};
