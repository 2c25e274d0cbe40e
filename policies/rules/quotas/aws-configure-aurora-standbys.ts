/**
 * aws-configure-aurora-standbys: an Aurora PostgreSQL cluster of a pg_cluster plan has the plan's
 * standbys, and in production spreads its failover instances over zones. A stack rule, because the
 * fact is spread over resources: Aurora's nodes are `rds.ClusterInstance`s that name their cluster
 * by `clusterIdentifier`, not props of the `rds.Cluster`.
 *
 * - A cluster is judged when its `engine` is `aurora-postgresql`, its `clusterIdentifier` is given,
 *   and its tag `pgplatform.io/plan` names a `pg_cluster` plan of the catalogue.
 * - Its failover instances are the ClusterInstances whose `clusterIdentifier` is the cluster's and
 *   whose `promotionTier` is not {@link READER_PROMOTION_TIER}: the AWS back end puts the writer in
 *   tier 0, standbys in tier 1 and every reader (a PgCluster's `readReplicas`, a ReadReplicaSet's
 *   replicas) in tier 15 (components/backends/aws/cluster.ts `PROMOTION_TIER`), so tier 15 marks a
 *   reader, whoever made it. Standbys = failover instances - 1 (the writer).
 * - In a production environment, when the plan is multi-AZ (`PLANS[plan].ha.multiAz`), the failover
 *   instances' `availabilityZone`s span at least `minZones` zones; one without an
 *   `availabilityZone` (AWS picks one) adds no zone.
 *
 * - An Aurora Limitless cluster (`clusterScalabilityType: "limitless"`) has no ClusterInstances: its
 *   compute is an `rds.ShardGroup` naming it by `dbClusterIdentifier`, and its standbys are the shard
 *   group's `computeRedundancy` (0-2 per shard; AWS places them in zones other than the shard's, so no
 *   zone check applies).
 *
 * At preview a value may be unknown (a new cluster's id, which the back end passes as the members'
 * `clusterIdentifier`). Nothing unknown is guessed: an instance whose `clusterIdentifier` or
 * `promotionTier` is unknown counts as a possible standby of every cluster, so too few standbys are
 * reported only when even those could not make up the number; zones are judged only when every
 * possible member and its zone are known; a cluster whose engine, identifier, tags or tier are
 * unknown is skipped. `pulumi up` judges again with every value known.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { PLANS, PlanName, plansOfKind } from "../../../components/model/plans";
import { AWS_RDS_TYPES, subjectOf } from "../subjects";
import { asNumber } from "../subjects/readings";
import { ConfigProperty, configOf, configSchemaOf, strictTier, whereOf } from "../support";
import { listOf } from "./config";
import { UNKNOWN, known, peek } from "./inventory";

/** The rule's name. */
export const AURORA_STANDBYS = "aws-configure-aurora-standbys";

/** The promotion tier of readers, which are not failover standbys (the AWS back end's `PROMOTION_TIER.readReplica`). */
export const READER_PROMOTION_TIER = 15;

const AURORA_ENGINE = "aurora-postgresql";
const SHARD_GROUP = "aws:rds/shardGroup:ShardGroup";

/** Defaults of the rule's config: the catalogue's minimum standbys of each pg_cluster plan, and 2 zones. */
export const AURORA_STANDBYS_DEFAULTS = {
  minStandbysByPlan: Object.fromEntries(plansOfKind("pg_cluster").map((p) => [p, PLANS[p].ha.minStandbys])) as Record<string, number>,
  minZones: 2,
};

const PROPERTIES: { [K in keyof typeof AURORA_STANDBYS_DEFAULTS]: ConfigProperty } = {
  minStandbysByPlan: {
    type: "object",
    additionalProperties: { type: "integer", minimum: 0 },
    description: "Fewest standbys per pg_cluster plan; a plan left out keeps its catalogue minimum (`ha.minStandbys`).",
  },
  minZones: { type: "integer", minimum: 1, description: "Fewest zones the failover instances of a multi-AZ plan span in production." },
};

/** One `rds.ClusterInstance`, as far as it is known. */
interface Member {
  name: string;
  clusterIdentifier: unknown;
  /** Its promotion tier; {@link UNKNOWN} when unknown (absent is the provider's default, not a reader). */
  tier: number | undefined | typeof UNKNOWN;
  zone: unknown;
}

function memberOf(r: { name: string; props: Record<string, any> }): Member {
  const tier = peek(() => r.props.promotionTier);
  return {
    name: r.name,
    clusterIdentifier: peek(() => r.props.clusterIdentifier),
    tier: tier === UNKNOWN ? UNKNOWN : asNumber(tier),
    zone: peek(() => r.props.availabilityZone),
  };
}

const names = (ms: readonly Member[]) => listOf(ms.map((m) => `\`${m.name}\``));
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** `got none` or `got 2 (\`a\`, \`b\`), so 1 standby`. */
function gotFailover(sure: readonly Member[]): string {
  return sure.length === 0 ? "got none" : `got ${sure.length} (${names(sure)}), so ${plural(sure.length - 1, "standby")}`;
}

/** Where the failover instances are: `` `eu-west-1a` (`m1`, `m3`), `eu-west-1b` (`m2`) ``, and those without a zone. */
function zonesText(sure: readonly Member[]): { zones: number; text: string } {
  const byZone = new Map<string, Member[]>();
  const none: Member[] = [];
  for (const m of sure) {
    if (typeof m.zone === "string" && m.zone !== "") {
      const g = byZone.get(m.zone);
      g ? g.push(m) : byZone.set(m.zone, [m]);
    } else none.push(m);
  }
  const listed = [...byZone.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([z, ms]) => `\`${z}\` (${names(ms)})`);
  const text = `${plural(byZone.size, "zone")}${listed.length ? `: ${listed.join(", ")}` : ""}${none.length ? `; no \`availabilityZone\`: ${names(none)}` : ""}`;
  return { zones: byZone.size, text };
}

/**
 * What an Aurora Limitless cluster `id` lacks for `need` standbys, or undefined: one of its shard
 * groups (or one whose `dbClusterIdentifier` or `computeRedundancy` is unknown at preview) must have
 * `computeRedundancy` >= `need`.
 */
function limitlessProblem(id: string, need: number, groups: readonly { name: string; props: Record<string, any> }[]): string | undefined {
  const mine: { name: string; redundancy: number | undefined }[] = [];
  for (const g of groups) {
    const cluster = peek(() => g.props.dbClusterIdentifier);
    const redundancy = peek(() => g.props.computeRedundancy);
    if (cluster === UNKNOWN || (cluster === id && redundancy === UNKNOWN)) return undefined;
    if (cluster !== id) continue;
    const n = asNumber(redundancy);
    if ((n ?? 0) >= need) return undefined;
    mine.push({ name: g.name, redundancy: n });
  }
  const got = mine.length === 0 ? "got no shard group" : `got ${mine.map((g) => `\`computeRedundancy\` ${g.redundancy ?? "unset (0)"} on \`${g.name}\``).join(", ")}`;
  return `an Aurora Limitless cluster's standbys are the \`computeRedundancy\` of its \`rds.ShardGroup\` (whose \`dbClusterIdentifier\` is ${JSON.stringify(id)}); ${got}`;
}

/**
 * Counts each Aurora PostgreSQL cluster's failover instances (see the module comment) and reports,
 * on the cluster, too few standbys for its plan and, in production, too few zones.
 */
export const configureAuroraStandbys: StackValidationPolicy = {
  name: AURORA_STANDBYS,
  description:
    "Checks that an Aurora PostgreSQL cluster of a pg_cluster plan has at least the plan's standbys as `rds.ClusterInstance`s (readers in promotion tier 15 not counted) or, on Aurora Limitless, as its shard group's `computeRedundancy`, and, in production, spreads its instances over zones.",
  enforcementLevel: "mandatory",
  configSchema: configSchemaOf(AURORA_STANDBYS_DEFAULTS, PROPERTIES),
  validateStack: (args, reportViolation) => {
    const clusters = args.resources.filter((r) => r.type === AWS_RDS_TYPES.cluster);
    if (clusters.length === 0) return;
    const members = args.resources.filter((r) => r.type === AWS_RDS_TYPES.clusterInstance).map(memberOf);
    const config = configOf(args, AURORA_STANDBYS_DEFAULTS);
    for (const c of clusters) {
      const id = peek(() => c.props.clusterIdentifier);
      if (peek(() => c.props.engine) !== AURORA_ENGINE || typeof id !== "string" || id === "") continue;
      const s = known(() => subjectOf({ type: c.type, name: c.name, props: c.props }));
      const plan = s && (known(() => s.plan) as PlanName | undefined);
      if (!s || plan === undefined || PLANS[plan].kind !== "pg_cluster") continue;
      const configured = config.minStandbysByPlan[plan];
      const need = typeof configured === "number" && Number.isFinite(configured) ? configured : PLANS[plan].ha.minStandbys;

      const scalability = peek(() => c.props.clusterScalabilityType);
      if (scalability === UNKNOWN) continue;
      if (scalability === "limitless") {
        const problem = limitlessProblem(id, need, args.resources.filter((r) => r.type === SHARD_GROUP));
        if (problem) reportViolation(`${s.label}: plan \`${plan}\` needs at least ${plural(need, "standby")} (\`minStandbysByPlan\`): ${problem}`, c.urn);
        continue;
      }

      // Failover instances for sure, and instances that may be (something about them is unknown).
      const sure: Member[] = [];
      const maybe: Member[] = [];
      for (const m of members) {
        if (m.tier === READER_PROMOTION_TIER) continue;
        if (m.clusterIdentifier === UNKNOWN) maybe.push(m);
        else if (m.clusterIdentifier === id) (m.tier === UNKNOWN ? maybe : sure).push(m);
      }

      if (sure.length + maybe.length - 1 < need) {
        const unknownNote = maybe.length ? `, even with the ${maybe.length} whose \`clusterIdentifier\` or \`promotionTier\` is unknown at preview` : "";
        reportViolation(
          `${s.label}: plan \`${plan}\` needs at least ${plural(need, "standby")} (\`minStandbysByPlan\`): ${need + 1} \`rds.ClusterInstance\`s (1 writer + ${plural(need, "standby")}) ` +
            `whose \`clusterIdentifier\` is ${JSON.stringify(id)} and whose \`promotionTier\` is not ${READER_PROMOTION_TIER} (a reader); ${gotFailover(sure)}${unknownNote}`,
          c.urn,
        );
      }

      if (!PLANS[plan].ha.multiAz || sure.length === 0 || maybe.length > 0 || sure.some((m) => m.zone === UNKNOWN)) continue;
      const tier = known(() => s.read("tier"));
      if (tier === undefined || strictTier(s) !== "production") continue;
      const zones = zonesText(sure);
      if (zones.zones >= config.minZones) continue;
      reportViolation(
        `${s.label}: plan \`${plan}\` in a production environment (${whereOf(s)}) needs its failover \`rds.ClusterInstance\`s in at least ${plural(config.minZones, "zone")} ` +
          `(\`availabilityZone\`, \`minZones\`); got ${zones.text}`,
        c.urn,
      );
    }
  },
};
