/**
 * The pack against what the back ends really emit (issue #6's re-check once #3 and #4 landed): the
 * Kubernetes and AWS examples are previewed under mocks, and the primitives they register (the CNPG
 * Cluster, the RDS instance and Aurora cluster, the parameter group) are each judged twice: as
 * emitted (compliant: no violation) and with one setting broken (exactly the expected message). So a
 * rule that silently stopped recognizing the real resources fails here, not only on hand-written fixtures.
 */
import assert from "assert";
import { RESOURCE_POLICIES } from "../../policies/rules";
import { Seen } from "./quotas/capture";
import { ResourceFixture, analyzeResource } from "./quotas/harness";
import { preview, runExample } from "./previewHarness";
import { STACK_POLICIES } from "../../policies/rules/quotas";
import { AURORA_STANDBYS } from "../../policies/rules/quotas/aws-configure-aurora-standbys";
import { SCHEDULED_BACKUPS } from "../../policies/rules/quotas/kubernetes-configure-scheduled-backups";
import { analyzeStack } from "./quotas/harness";

/** The mandatory diagnostics the resource rules give one resource, as (policy, message) pairs. */
async function violations(r: ResourceFixture): Promise<[string, string][]> {
  const out = await analyzeResource(RESOURCE_POLICIES, r);
  return out.filter((d) => d.enforcementLevel === "mandatory").map((d) => [d.policyName, d.detail]);
}

/** The one resource of `type` named `name` the program registered. */
function find(seen: Seen[], type: string, name: string): ResourceFixture {
  const hit = seen.find((s) => s.analyze.type === type && s.analyze.name === name);
  assert.ok(hit, `${type} ${name} is registered; got ${seen.map((s) => `${s.analyze.type} ${s.analyze.name}`).join(", ")}`);
  return hit.analyze;
}

/** A deep copy of `r` with `mutate` applied to its props. */
function broken(r: ResourceFixture, mutate: (props: any, r: ResourceFixture) => void): ResourceFixture {
  const copy = JSON.parse(JSON.stringify(r));
  mutate(copy.props, copy);
  return copy;
}

const CNPG = "kubernetes:postgresql.cnpg.io/v1:Cluster";

describe("the pack against the resources the back ends emit", () => {
  let k8s: Seen[];
  let aurora: Seen[];
  let rds: Seen[];

  before(async () => {
    k8s = await preview(runExample("k8s-ha-cluster"));
    aurora = await preview(runExample("aws-prod-ha-aurora"));
    rds = await preview(runExample("aws-small-prod"));
  });

  it("the prod_ha CNPG Cluster as emitted passes; without its archiver, requests, protection or a standby it does not", async () => {
    const cluster = find(k8s, CNPG, "orders-cluster");
    assert.deepStrictEqual(await violations(cluster), []);
    const who = 'CNPG Cluster "orders-cluster"';
    const prod = "a production cluster (label `pgplatform.io/environment-tier` is production)";
    assert.deepStrictEqual(await violations(broken(cluster, (p) => delete p.spec.plugins)), [
      ["pgplatform-configure-prod-ha-resilience", `${who}: plan \`prod_ha\` needs a WAL archiver in \`spec.plugins\` (\`isWALArchiver: true\`); got nothing`],
      ["kubernetes-configure-backup-plugin", `${who}: ${prod} needs \`spec.plugins\` to have \`barman-cloud.cloudnative-pg.io\` with \`isWALArchiver: true\`; got nothing`],
    ]);
    assert.deepStrictEqual(await violations(broken(cluster, (p) => delete p.spec.resources.requests)), [
      ["kubernetes-configure-resource-requests", `${who}: ${prod} needs \`spec.resources.requests.cpu\` set; got nothing`],
      ["kubernetes-configure-resource-requests", `${who}: ${prod} needs \`spec.resources.requests.memory\` set; got nothing`],
    ]);
    assert.deepStrictEqual(await violations(broken(cluster, (_p, r) => ((r as any).protect = false))), [
      ["pgplatform-configure-prod-ha-resilience", `${who}: plan \`prod_ha\` needs the \`protect\` resource option; got false`],
    ]);
    assert.deepStrictEqual(await violations(broken(cluster, (p) => (p.spec.instances = 2))), [
      ["pgplatform-configure-prod-ha-resilience", `${who}: plan \`prod_ha\` needs \`spec.instances\` >= 3 (1 primary + 2 standbys); got 2`],
    ]);
  });

  it("the RDS instance, the Aurora cluster and their parameter groups as emitted pass; unencrypted, public or without force_ssl they do not", async () => {
    const instance = find(rds, "aws:rds/instance:Instance", "billing-instance");
    const cluster = find(aurora, "aws:rds/cluster:Cluster", "orders-cluster");
    assert.deepStrictEqual(await violations(instance), []);
    assert.deepStrictEqual(await violations(cluster), []);
    const pgs = rds.filter((s) => s.analyze.type === "aws:rds/parameterGroup:ParameterGroup").map((s) => s.analyze);
    const cpgs = aurora.filter((s) => s.analyze.type === "aws:rds/clusterParameterGroup:ClusterParameterGroup").map((s) => s.analyze);
    assert.deepStrictEqual([pgs.map((p) => p.name), cpgs.map((p) => p.name)], [["billing-parameter-group"], ["orders-cluster-parameter-group"]]);
    for (const pg of [...pgs, ...cpgs]) assert.deepStrictEqual(await violations(pg), []);
    const sslOff = (p: any) => (p.parameters = p.parameters.map((x: any) => (x.name === "rds.force_ssl" ? { ...x, value: "0" } : x)));
    const encryption = "`storageEncrypted` must be true (storage encrypted at rest); got false";
    assert.deepStrictEqual(await violations(broken(instance, (p) => (p.storageEncrypted = false))), [["aws-enable-storage-encryption", `rds.Instance "billing-instance": ${encryption}`]]);
    assert.deepStrictEqual(await violations(broken(cluster, (p) => (p.storageEncrypted = false))), [["aws-enable-storage-encryption", `rds.Cluster "orders-cluster": ${encryption}`]]);
    assert.deepStrictEqual(await violations(broken(instance, (p) => (p.publiclyAccessible = true))), [
      [
        "pgplatform-disallow-public-access",
        'rds.Instance "billing-instance": public access (`publiclyAccessible`) is only allowed in a `dev` environment (tag `pgplatform.io/environment-tier` is production); got true',
      ],
    ]);
    const ssl = "`rds.force_ssl` must be 1 in `parameters` (connections without TLS are refused); got \"0\"";
    assert.deepStrictEqual(await violations(broken(pgs[0], sslOff)), [["aws-enable-force-ssl", `rds.ParameterGroup "billing-parameter-group": ${ssl}`]]);
    assert.deepStrictEqual(await violations(broken(cpgs[0], sslOff)), [["aws-enable-force-ssl", `rds.ClusterParameterGroup "orders-cluster-parameter-group": ${ssl}`]]);
  });
});

/**
 * The stack rules over several resources, against the same examples: `AnalyzeStack` gets every
 * resource as the engine holds it at preview (components' outputs, custom resources' inputs).
 */
describe("the stack rules against the resources the back ends emit", () => {
  let k8s: Seen[];
  let aurora: Seen[];
  let sharded: Seen[];

  before(async () => {
    k8s = await preview(runExample("k8s-ha-cluster"));
    aurora = await preview(runExample("aws-prod-ha-aurora"));
    sharded = await preview(runExample("aws-sharded-cluster"));
  });

  /** The mandatory diagnostics the stack rules give a stack, as (policy, message, urn). */
  async function stackViolations(stack: ResourceFixture[]): Promise<[string, string, string][]> {
    const out = await analyzeStack(STACK_POLICIES, stack);
    return out.filter((d) => d.enforcementLevel === "mandatory").map((d) => [d.policyName, d.detail, d.urn]);
  }
  const stackOf = (seen: Seen[], drop: (r: ResourceFixture) => boolean = () => false) => seen.map((s) => s.stack).filter((r) => !drop(r));

  it("the Aurora Limitless cluster and its shard group as emitted pass every rule; with 1 compute standby per shard it does not", async () => {
    const cluster = find(sharded, "aws:rds/cluster:Cluster", "events-cluster");
    assert.deepStrictEqual(await violations(cluster), []);
    assert.deepStrictEqual(sharded.filter((s) => s.stack.type === "aws:rds/clusterInstance:ClusterInstance"), [], "a Limitless cluster has no instances");
    assert.deepStrictEqual(await stackViolations(stackOf(sharded)), []);
    const id = (cluster.props as any).clusterIdentifier;
    const lessRedundant = stackOf(sharded).map((r) => (r.type === "aws:rds/shardGroup:ShardGroup" ? broken(r, (p) => (p.computeRedundancy = 1)) : r));
    assert.deepStrictEqual(await stackViolations(lessRedundant), [
      [
        AURORA_STANDBYS,
        `rds.Cluster "events-cluster": plan \`prod_ha\` needs at least 2 standbys (\`minStandbysByPlan\`): an Aurora Limitless cluster's standbys are the \`computeRedundancy\` of its \`rds.ShardGroup\` (whose \`dbClusterIdentifier\` is "${id}"); got \`computeRedundancy\` 1 on \`events-shard-group\``,
        cluster.urn!,
      ],
    ]);
  });

  it("the Aurora cluster with its ClusterInstances as emitted passes; without a standby, or in one zone, it does not", async () => {
    const cluster = find(aurora, "aws:rds/cluster:Cluster", "orders-cluster");
    const members = aurora.filter((s) => s.stack.type === "aws:rds/clusterInstance:ClusterInstance").map((s) => [s.stack.name, (s.stack.props as any).promotionTier]);
    // The PgCluster's writer and 2 standbys, and the ReadReplicaSet's 2 readers in tier 15.
    assert.deepStrictEqual(members, [["orders-member-1", 0], ["orders-member-2", 1], ["orders-member-3", 1], ["orders-reads-member-1", 15], ["orders-reads-member-2", 15]]);
    assert.deepStrictEqual(await stackViolations(stackOf(aurora)), []);
    const id = (cluster.props as any).clusterIdentifier;
    const who = 'rds.Cluster "orders-cluster"';
    assert.deepStrictEqual(await stackViolations(stackOf(aurora, (r) => r.name === "orders-member-3")), [
      [
        AURORA_STANDBYS,
        `${who}: plan \`prod_ha\` needs at least 2 standbys (\`minStandbysByPlan\`): 3 \`rds.ClusterInstance\`s (1 writer + 2 standbys) whose \`clusterIdentifier\` is "${id}" and whose \`promotionTier\` is not 15 (a reader); got 2 (\`orders-member-1\`, \`orders-member-2\`), so 1 standby`,
        cluster.urn!,
      ],
    ]);
    const oneZone = stackOf(aurora).map((r) => (r.name === "orders-member-2" ? broken(r, (p) => (p.availabilityZone = "eu-west-1a")) : r));
    assert.deepStrictEqual(await stackViolations(oneZone), [
      [
        AURORA_STANDBYS,
        `${who}: plan \`prod_ha\` in a production environment (tag \`pgplatform.io/environment-tier\` is production) needs its failover \`rds.ClusterInstance\`s in at least 2 zones (\`availabilityZone\`, \`minZones\`); got 1 zone: \`eu-west-1a\` (\`orders-member-1\`, \`orders-member-2\`, \`orders-member-3\`)`,
        cluster.urn!,
      ],
    ]);
  });

  it("the prod_ha CNPG Cluster with its ScheduledBackup as emitted passes; without it, or suspended, it does not", async () => {
    const cluster = find(k8s, CNPG, "orders-cluster");
    const scheduled = k8s.filter((s) => s.stack.type === "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup").map((s) => s.stack);
    assert.deepStrictEqual(scheduled.map((r) => [r.name, (r.props as any).spec.schedule, (r.props as any).spec.cluster.name]), [["orders-scheduled-backup", "0 0 * * * *", "orders"]]);
    // The ReadReplicaSet's replica cluster (`spec.replica.enabled`) takes no backups of its own and is not judged.
    assert.strictEqual((find(k8s, CNPG, "orders-reads-cluster").props as any).spec.replica.enabled, true);
    assert.deepStrictEqual(await stackViolations(stackOf(k8s)), []);
    const need =
      'CNPG Cluster "orders-cluster": plan `prod_ha` takes backups, so a production cluster (label `pgplatform.io/environment-tier` is production) needs a `ScheduledBackup` in namespace `shop` ' +
      'with `spec.cluster.name` "orders", a `spec.schedule` that fires at least daily and `spec.suspend` not true';
    assert.deepStrictEqual(await stackViolations(stackOf(k8s, (r) => r.name === "orders-scheduled-backup")), [[SCHEDULED_BACKUPS, `${need}; got none`, cluster.urn!]]);
    const suspended = stackOf(k8s).map((r) => (r.name === "orders-scheduled-backup" ? broken(r, (p) => (p.spec.suspend = true)) : r));
    assert.deepStrictEqual(await stackViolations(suspended), [[SCHEDULED_BACKUPS, `${need}; got \`ScheduledBackup\` "orders-scheduled-backup" has \`spec.suspend\` true`, cluster.urn!]]);
  });
});
