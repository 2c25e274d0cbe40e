/**
 * The subject normalizers: the view each resource type gives, and the promise that an unknown
 * preview value is never swallowed (it reaches the SDK, which skips only the rules that read it).
 */
import * as assert from "assert";
import * as path from "path";
import { DbSubject, FACT_NAMES, subjectOf } from "../../../policies/rules/subjects";
import { RESOURCE_POLICIES } from "../../../policies/rules";
import { UNKNOWN, TestResource, analyze } from "./harness";
import { LOCAL_CLUSTER_KIND } from "../../../components/providers/localCluster";
import { LOCAL_SERVER_KIND } from "../../../components/providers/localServer";
import { COMPLIANT, cnpgCluster, localCluster, localServer, mutate, pgCluster, pgSingle, rdsInstance, rdsMultiAzCluster } from "./fixtures";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const proxy = require(path.resolve(__dirname, "../../../policies/node_modules/@pulumi/policy/proxy"));

/** The subject of a fixture with its props behind the SDK's own unknown-checking proxy. */
function proxied(r: TestResource): DbSubject {
  const props = proxy.unknownCheckingProxy(JSON.parse(JSON.stringify(r.props)));
  return subjectOf({ type: r.type, name: r.name, props, opts: { protect: r.protect } })!;
}

/** Every fact a subject shows, by name (facts it does not show are left out). */
function factsOf(s: DbSubject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of FACT_NAMES) if (s.read(f)) out[f] = s[f];
  return out;
}

/** Every path inside a fixture's props (objects, arrays and leaves), as lists of keys. */
function pathsOf(v: unknown, prefix: string[] = []): string[][] {
  if (v === null || typeof v !== "object") return [];
  return Object.entries(v).flatMap(([k, x]) => [[...prefix, k], ...pathsOf(x, [...prefix, k])]);
}

describe("policies: subjects", () => {
  it("reads PgSingle args with the plan catalogue's defaults for what they leave out", () => {
    const s = proxied(pgSingle);
    assert.deepStrictEqual([s.origin, s.type, s.name, s.label, s.role], ["component", "pgplatform:index:PgSingle", "billing", 'PgSingle "billing"', "database"]);
    assert.deepStrictEqual(factsOf(s), {
      kind: "pg_single", backend: undefined, plan: "small_single", projectId: "shop", environmentId: "prod", tier: "production", version: "17",
      storageGb: 50, autoscaleMaxGb: 200, instanceClass: "db.t4g.small", cpu: "500m", memory: "1Gi", pitr: true, backupEnabled: true,
      backupSchedule: "daily", retentionDays: 7, deletionProtection: true, publicAccess: false,
      allowedCidrs: [{ field: "network.allowedCidrs[0]", text: "10.0.0.0/16", cidr: "10.0.0.0/16", ports: undefined }],
    });
    assert.deepStrictEqual([proxied(pgCluster).standbys, proxied(pgCluster).multiAz, proxied(pgCluster).version], [2, true, "17"]);
  });

  it("reads primitives from their props, labels or tags, and the protect option", () => {
    assert.deepStrictEqual(factsOf(proxied(localServer)), {
      kind: "pg_single", backend: "local", plan: "small_single", projectId: "shop", environmentId: "prod", tier: "production", version: "17",
      storageGb: 50, deletionProtection: true,
      allowedCidrs: [
        { field: "allowedCidrs[0]", text: "127.0.0.1/32", cidr: "127.0.0.1/32", ports: undefined },
        { field: "allowedCidrs[1]", text: "10.0.0.0/16", cidr: "10.0.0.0/16", ports: undefined },
      ],
    });
    assert.deepStrictEqual(factsOf(proxied(localCluster)), {
      kind: "pg_cluster", backend: "local", plan: "prod_ha", projectId: "shop", environmentId: "prod", tier: "production", version: "15",
      storageGb: 200, standbys: 2, syncStandbys: 1, deletionProtection: true,
      allowedCidrs: [{ field: "allowedCidrs[0]", text: "127.0.0.1/32", cidr: "127.0.0.1/32", ports: undefined }],
    });
    assert.strictEqual(proxied(localCluster).label, 'LocalCluster "orders-cluster"');
    // The fixtures carry the kinds the local providers really register.
    assert.deepStrictEqual([localServer.props.kind, localCluster.props.kind], [LOCAL_SERVER_KIND, LOCAL_CLUSTER_KIND]);
    const rds = proxied(rdsInstance);
    assert.deepStrictEqual([rds.label, rds.role, rds.version, rds.standbys, rds.retentionDays, rds.pitr, rds.storageEncrypted], ['rds.Instance "billing"', "database", "17", 0, 7, true, true]);
    const multiAz = proxied(rdsMultiAzCluster);
    assert.deepStrictEqual([multiAz.kind, multiAz.standbys, multiAz.multiAz, multiAz.instanceClass, multiAz.storageGb], ["pg_cluster", 2, true, "db.r7g.large", 200]);
    const cnpg = proxied(cnpgCluster);
    assert.deepStrictEqual(
      [cnpg.label, cnpg.version, cnpg.storageGb, cnpg.standbys, cnpg.multiAz, cnpg.walArchiver, cnpg.pitr, cnpg.legacyBackup, cnpg.cpu, cnpg.memory, cnpg.deletionProtection],
      ['CNPG Cluster "orders"', "17", 200, 2, true, "barman-cloud.cloudnative-pg.io", true, false, "2", "8Gi", true],
    );
  });

  it("returns no subject for resources no rule judges", () => {
    const others: TestResource[] = [
      { type: "random:index/randomPassword:RandomPassword", name: "pw", props: { length: 32 } },
      { type: "pulumi-nodejs:dynamic/pgplatform:Role", name: "role", props: { kind: "pgplatform:sql:role" } },
      { type: "aws:rds/instance:Instance", name: "mysql", props: { engine: "mysql" } },
      { type: "aws:ec2/securityGroupRule:SecurityGroupRule", name: "out", props: { type: "egress" } },
      { type: "pgplatform:index:TenantDatabase", name: "acme", props: { tenantId: "acme" } },
    ];
    for (const r of others) assert.strictEqual(subjectOf({ ...r, props: r.props }), undefined, r.type);
  });

  it("lets the SDK's unknown-value error through, for the facts that read the unknown value only", () => {
    const s = proxied(mutate(pgCluster, "standbys", UNKNOWN));
    assert.throws(() => s.standbys, proxy.UnknownValueError);
    assert.throws(() => s.read("standbys"), proxy.UnknownValueError);
    assert.deepStrictEqual([s.plan, s.tier, s.multiAz], ["prod_ha", "production", true]);
    const rds = proxied(mutate(rdsInstance, "tags", UNKNOWN));
    assert.throws(() => rds.plan, proxy.UnknownValueError);
    assert.deepStrictEqual([rds.version, rds.storageEncrypted], ["17", true]);
  });

  it("tells a replica apart while its source is unknown at preview", async () => {
    const replica = mutate(rdsInstance, "replicateSourceDb", UNKNOWN);
    assert.strictEqual(proxied(replica).role, "replica");
    const r = await analyze(RESOURCE_POLICIES, replica);
    assert.deepStrictEqual([r.violations, r.skipped], [[], []]);
  });

  it("never turns an unknown value into a violation or an error, wherever it sits", async () => {
    let runs = 0;
    for (const [name, fixture] of Object.entries(COMPLIANT)) {
      for (const p of pathsOf(fixture.props)) {
        const r = await analyze(RESOURCE_POLICIES, mutate(fixture, p, UNKNOWN));
        assert.deepStrictEqual(r.violations, [], `${name}: ${p.join(".")} unknown`);
        runs++;
      }
    }
    assert.ok(runs > 150, `only ${runs} unknown positions tried`);
  });
});
