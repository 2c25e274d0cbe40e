/**
 * aws-configure-aurora-standbys, through the SDK's AnalyzeStack handler: an Aurora PostgreSQL
 * cluster and its `rds.ClusterInstance`s as the AWS back end makes them (writer tier 0, standbys
 * tier 1, readers tier 15), a compliant stack, mutations with the exact messages, config, and values
 * unknown at preview (never a false violation).
 */
import assert from "assert";
import { PROMOTION_TIER } from "../../../components/backends/aws/cluster";
import { PLANS } from "../../../components/model/plans";
import { STACK_POLICIES } from "../../../policies/rules/quotas";
import { AURORA_STANDBYS, AURORA_STANDBYS_DEFAULTS, READER_PROMOTION_TIER, configureAuroraStandbys } from "../../../policies/rules/quotas/aws-configure-aurora-standbys";
import { labelsOf } from "./fixtures";
import { PackConfig, ResourceFixture, UNKNOWN, analyzeStack, pairs, urnOf } from "./harness";

const CLUSTER = "aws:rds/cluster:Cluster";
const MEMBER = "aws:rds/clusterInstance:ClusterInstance";
const ID = "shop-prod-orders";

/** The tags of the db_resource, in `environment` (tier from the environment's name unless `tier` is given). */
function tags(environment = "prod", plan = "prod_ha", tier?: string): Record<string, string> {
  return { ...labelsOf({ resourceId: ID, projectId: "shop", environmentId: environment, plan, kind: "pg_cluster" }), ...(tier ? { "pgplatform.io/environment-tier": tier } : {}) };
}

function cluster(props: Record<string, unknown> = {}): ResourceFixture {
  return {
    type: CLUSTER,
    name: "orders-cluster",
    props: { clusterIdentifier: ID, engine: "aurora-postgresql", engineVersion: "17", storageEncrypted: true, deletionProtection: true, backupRetentionPeriod: 30, tags: tags(), ...props },
  };
}

function member(name: string, promotionTier: unknown, availabilityZone?: unknown, props: Record<string, unknown> = {}): ResourceFixture {
  return {
    type: MEMBER,
    name,
    props: { identifier: name, clusterIdentifier: ID, engine: "aurora-postgresql", instanceClass: "db.r7g.large", promotionTier, ...(availabilityZone === undefined ? {} : { availabilityZone }), tags: tags(), ...props },
  };
}

/** prod_ha on Aurora: a writer and 2 standbys over 2 zones, and 2 ReadReplicaSet readers (tier 15, no zone). */
const STACK = [
  cluster(),
  member("orders-member-1", 0, "eu-west-1a"),
  member("orders-member-2", 1, "eu-west-1b"),
  member("orders-member-3", 1, "eu-west-1a"),
  member("orders-reads-member-1", 15),
  member("orders-reads-member-2", 15),
];
const without = (...names: string[]) => STACK.filter((r) => !names.includes(r.name));
const replace = (r: ResourceFixture) => STACK.map((x) => (x.name === r.name ? r : x));
const CLUSTER_URN = urnOf(CLUSTER, "orders-cluster");

const who = 'rds.Cluster "orders-cluster"';
const needTwo = `${who}: plan \`prod_ha\` needs at least 2 standbys (\`minStandbysByPlan\`): 3 \`rds.ClusterInstance\`s (1 writer + 2 standbys) whose \`clusterIdentifier\` is "${ID}" and whose \`promotionTier\` is not 15 (a reader)`;
const zonesNeed = `${who}: plan \`prod_ha\` in a production environment (tag \`pgplatform.io/environment\` "prod" is production) needs its failover \`rds.ClusterInstance\`s in at least 2 zones (\`availabilityZone\`, \`minZones\`)`;

describe("aws-configure-aurora-standbys", () => {
  it("passes a compliant stack with the defaults, and so does every stack rule", async () => {
    assert.deepStrictEqual(await analyzeStack(STACK_POLICIES, STACK), []);
  });

  it("reads the reader tier the AWS back end gives, and defaults to the catalogue's minimum standbys", () => {
    assert.strictEqual(READER_PROMOTION_TIER, PROMOTION_TIER.readReplica);
    assert.deepStrictEqual(AURORA_STANDBYS_DEFAULTS, { minStandbysByPlan: { prod_ha: PLANS.prod_ha.ha.minStandbys }, minZones: 2 });
  });

  it("reports a missing standby on the cluster, naming `clusterIdentifier` and `promotionTier`", async () => {
    const ds = await analyzeStack([configureAuroraStandbys], without("orders-member-3"));
    assert.deepStrictEqual(pairs(ds), [[AURORA_STANDBYS, `${needTwo}; got 2 (\`orders-member-1\`, \`orders-member-2\`), so 1 standby`]]);
    assert.deepStrictEqual([ds[0].urn, ds[0].enforcementLevel, ds[0].message], [CLUSTER_URN, "mandatory", `${configureAuroraStandbys.description}\n${ds[0].detail}`]);
  });

  it("does not count readers (promotion tier 15) nor instances of another cluster", async () => {
    const stack = [...replace(member("orders-member-3", 15, "eu-west-1a")), member("other-member-1", 1, "eu-west-1c", { clusterIdentifier: "shop-prod-other" })];
    assert.deepStrictEqual(pairs(await analyzeStack([configureAuroraStandbys], stack)), [[AURORA_STANDBYS, `${needTwo}; got 2 (\`orders-member-1\`, \`orders-member-2\`), so 1 standby`]]);
    // Tier given as text, as AWS inputs sometimes arrive, is the same tier.
    assert.deepStrictEqual(await analyzeStack([configureAuroraStandbys], replace(member("orders-member-3", "1", "eu-west-1a"))), []);
  });

  it("reports a cluster without any instance", async () => {
    assert.deepStrictEqual(pairs(await analyzeStack([configureAuroraStandbys], [cluster()])), [[AURORA_STANDBYS, `${needTwo}; got none`]]);
  });

  it("reports failover instances in one zone in production, naming `availabilityZone`", async () => {
    const stack = replace(member("orders-member-2", 1, "eu-west-1a"));
    assert.deepStrictEqual(pairs(await analyzeStack([configureAuroraStandbys], stack)), [
      [AURORA_STANDBYS, `${zonesNeed}; got 1 zone: \`eu-west-1a\` (\`orders-member-1\`, \`orders-member-2\`, \`orders-member-3\`)`],
    ]);
    const unplaced = replace(member("orders-member-2", 1));
    assert.deepStrictEqual(pairs(await analyzeStack([configureAuroraStandbys], unplaced)), [
      [AURORA_STANDBYS, `${zonesNeed}; got 1 zone: \`eu-west-1a\` (\`orders-member-1\`, \`orders-member-3\`); no \`availabilityZone\`: \`orders-member-2\``],
    ]);
  });

  it("judges zones in production only, and only for a pg_cluster plan on Aurora", async () => {
    const oneZone = (extra: Record<string, unknown>) => [cluster(extra), ...STACK.slice(1).map((m) => (m.name === "orders-member-2" ? member("orders-member-2", 1, "eu-west-1a") : m))];
    assert.deepStrictEqual(await analyzeStack([configureAuroraStandbys], oneZone({ tags: tags("staging") })), []);
    assert.deepStrictEqual(await analyzeStack([configureAuroraStandbys], oneZone({ tags: tags("prod", "prod_ha", "staging") })), []);
    // Not judged: a plan that is not a pg_cluster plan, no plan tag, an RDS Multi-AZ DB cluster (engine postgres).
    for (const extra of [{ tags: tags("prod", "small_single") }, { tags: {} }, { engine: "postgres" }]) {
      assert.deepStrictEqual(await analyzeStack([configureAuroraStandbys], [cluster(extra)]), [], JSON.stringify(extra));
    }
  });

  it("takes `minStandbysByPlan` and `minZones` from config, and the enforcement level", async () => {
    const config: PackConfig = { [AURORA_STANDBYS]: { enforcementLevel: "advisory", minStandbysByPlan: { prod_ha: 3 }, minZones: 3 } };
    const ds = await analyzeStack([configureAuroraStandbys], STACK, config);
    assert.deepStrictEqual(pairs(ds), [
      [
        AURORA_STANDBYS,
        `${who}: plan \`prod_ha\` needs at least 3 standbys (\`minStandbysByPlan\`): 4 \`rds.ClusterInstance\`s (1 writer + 3 standbys) whose \`clusterIdentifier\` is "${ID}" and whose \`promotionTier\` is not 15 (a reader); got 3 (\`orders-member-1\`, \`orders-member-2\`, \`orders-member-3\`), so 2 standbys`,
      ],
      [AURORA_STANDBYS, `${zonesNeed.replace("at least 2 zones", "at least 3 zones")}; got 2 zones: \`eu-west-1a\` (\`orders-member-1\`, \`orders-member-3\`), \`eu-west-1b\` (\`orders-member-2\`)`],
    ]);
    assert.deepStrictEqual(ds.map((d) => d.enforcementLevel), ["advisory", "advisory"]);
    // A plan the configured map leaves out keeps the catalogue's minimum.
    assert.deepStrictEqual(await analyzeStack([configureAuroraStandbys], STACK, { [AURORA_STANDBYS]: { minStandbysByPlan: {} } }), []);
    // The schema's defaults, as the engine fills them in, judge as the code's defaults do.
    const filled = { [AURORA_STANDBYS]: { ...AURORA_STANDBYS_DEFAULTS } };
    for (const stack of [STACK, without("orders-member-3"), replace(member("orders-member-2", 1, "eu-west-1a"))]) {
      assert.deepStrictEqual(pairs(await analyzeStack([configureAuroraStandbys], stack, filled)), pairs(await analyzeStack([configureAuroraStandbys], stack)));
    }
  });

  describe("on Aurora Limitless (a sharded PgCluster): the shard group's `computeRedundancy` are the standbys", () => {
    const SHARDS = "aws:rds/shardGroup:ShardGroup";
    const limitless = () => cluster({ clusterScalabilityType: "limitless", engineVersion: "16.9-limitless", storageType: "aurora-iopt1" });
    const shardGroup = (computeRedundancy: unknown, dbClusterIdentifier: unknown = ID): ResourceFixture => ({
      type: SHARDS,
      name: "orders-shards",
      props: { dbShardGroupIdentifier: `${ID}-shards`, dbClusterIdentifier, maxAcu: 768, ...(computeRedundancy === undefined ? {} : { computeRedundancy }), publiclyAccessible: false, tags: tags() },
    });
    const needShards = `${who}: plan \`prod_ha\` needs at least 2 standbys (\`minStandbysByPlan\`): an Aurora Limitless cluster's standbys are the \`computeRedundancy\` of its \`rds.ShardGroup\` (whose \`dbClusterIdentifier\` is "${ID}")`;

    it("passes a cluster without instances whose shard group keeps 2 compute standbys (no zone check: AWS spreads them), with every stack rule", async () => {
      assert.deepStrictEqual(await analyzeStack(STACK_POLICIES, [limitless(), shardGroup(2)]), []);
    });

    it("reports too little compute redundancy, or no shard group, naming `computeRedundancy`", async () => {
      assert.deepStrictEqual(pairs(await analyzeStack([configureAuroraStandbys], [limitless(), shardGroup(1)])), [[AURORA_STANDBYS, `${needShards}; got \`computeRedundancy\` 1 on \`orders-shards\``]]);
      assert.deepStrictEqual(pairs(await analyzeStack([configureAuroraStandbys], [limitless(), shardGroup(undefined)])), [[AURORA_STANDBYS, `${needShards}; got \`computeRedundancy\` unset (0) on \`orders-shards\``]]);
      assert.deepStrictEqual(pairs(await analyzeStack([configureAuroraStandbys], [limitless(), shardGroup(2, "shop-prod-other")])), [[AURORA_STANDBYS, `${needShards}; got no shard group`]]);
    });

    it("at preview: a shard group whose cluster or redundancy is unknown may be the one, and an unknown scalability type is judged at `up`", async () => {
      for (const stack of [[limitless(), shardGroup(2, UNKNOWN.string)], [limitless(), shardGroup(0, UNKNOWN.string)], [limitless(), shardGroup(UNKNOWN.number)], [cluster({ clusterScalabilityType: UNKNOWN.string })]]) {
        assert.deepStrictEqual(await analyzeStack([configureAuroraStandbys], stack), []);
      }
    });
  });

  describe("at preview (values unknown)", () => {
    it("counts an instance whose `clusterIdentifier` or `promotionTier` is unknown as a possible standby: no violation", async () => {
      // What a fresh preview sends: the members' `clusterIdentifier` is the new cluster's id, unknown.
      const fresh = STACK.map((r) => (r.type === MEMBER ? { ...r, props: { ...r.props, clusterIdentifier: UNKNOWN.string } } : r));
      const tierLater = replace(member("orders-member-3", UNKNOWN.number, "eu-west-1a"));
      for (const stack of [fresh, tierLater]) assert.deepStrictEqual(await analyzeStack(STACK_POLICIES, stack), []);
    });

    it("still reports too few standbys when even the unknown ones could not make up the number", async () => {
      const stack = [cluster(), member("orders-member-1", 0, "eu-west-1a", { clusterIdentifier: UNKNOWN.string })];
      assert.deepStrictEqual(pairs(await analyzeStack([configureAuroraStandbys], stack)), [
        [AURORA_STANDBYS, `${needTwo}; got none, even with the 1 whose \`clusterIdentifier\` or \`promotionTier\` is unknown at preview`],
      ]);
    });

    it("skips zones when a member's zone, or whether an instance is a member, is unknown", async () => {
      const zoneLater = [cluster(), member("orders-member-1", 0, "eu-west-1a"), member("orders-member-2", 1, UNKNOWN.string), member("orders-member-3", 1, "eu-west-1a")];
      const memberLater = [...zoneLater.slice(0, 2), member("orders-member-2", 1, "eu-west-1a"), member("orders-member-3", 1, "eu-west-1a"), member("x", 1, "eu-west-1a", { clusterIdentifier: UNKNOWN.string })];
      for (const stack of [zoneLater, memberLater]) assert.deepStrictEqual(await analyzeStack([configureAuroraStandbys], stack), []);
    });

    it("skips a cluster whose identifier, engine, tags or tier are unknown", async () => {
      const alone = (extra: Record<string, unknown>) => [cluster(extra), member("orders-member-1", 0, "eu-west-1a"), member("orders-member-2", 1, "eu-west-1a")];
      for (const extra of [{ clusterIdentifier: UNKNOWN.string }, { engine: UNKNOWN.string }, { tags: UNKNOWN.object }, { tags: { ...tags(), "pgplatform.io/plan": UNKNOWN.string } }]) {
        assert.deepStrictEqual(await analyzeStack([configureAuroraStandbys], alone(extra)), [], JSON.stringify(extra));
      }
      // Tier unknown: the standbys (known) are still judged; the zones are not.
      const tierLater = { tags: { ...tags(), "pgplatform.io/environment": UNKNOWN.string } };
      assert.deepStrictEqual(pairs(await analyzeStack([configureAuroraStandbys], alone(tierLater))), [
        [AURORA_STANDBYS, `${needTwo}; got 2 (\`orders-member-1\`, \`orders-member-2\`), so 1 standby`],
      ]);
    });
  });
});
