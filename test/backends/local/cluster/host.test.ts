/**
 * The LocalCluster provider as `pulumi up` runs it: serialized into the program and driven over
 * gRPC through the SDK's own dynamic-provider host, against real processes. Check refuses unsound
 * Patroni timing; create, read, diff; a killed standby shows up as drift that update repairs while
 * it also scales up and changes a parameter; a switchover lands in the catalogue as a failover
 * record; delete leaves nothing. The host never prints a password.
 */
import assert from "assert";
import * as fs from "fs";
import { runningPostmaster } from "../../../../components/backends/local/process";
import { memberAction } from "../../../../components/backends/local/cluster/patroni";
import { memberPid } from "../../../../components/backends/local/cluster/processes";
import { memberPaths } from "../../../../components/backends/local/cluster/spec";
import { waitUntil } from "../../../../components/backends/local/cluster/daemon";
import { upsertRecord, withCatalog } from "../../../../components/catalog/store";
import { LOCAL_CLUSTER_KIND, localClusterProvider } from "../../../../components/providers/localCluster";
import { SqlConnection, closePools } from "../../../../components/providers/sql/connection";
import { dbResourceData, freshDatabase, sql as catalogSql } from "../../../catalog/support";
import { TestPostgres, processesMentioning, startTestPostgres, tempRoot } from "../../../harness/postgres";
import { ProviderHost, makeUrn, serializeProvider } from "../../../harness/providerHost";
import { clusterSpec, sql } from "./support";

const TYPE = "pulumi-nodejs:dynamic/pgplatform:LocalCluster";

describe("localClusterProvider through the SDK's dynamic-provider host", function () {
  this.timeout(240_000);
  let host: ProviderHost;
  let dataRoot: string;
  let providerText: string;
  let catalogPg: TestPostgres;
  let catalog: SqlConnection;
  let created: { id: string; properties: Record<string, any> } | undefined;
  const urn = makeUrn(TYPE, "orders-cluster");

  before(async () => {
    dataRoot = tempRoot();
    providerText = await serializeProvider(localClusterProvider);
    catalogPg = await startTestPostgres();
    catalog = await freshDatabase(catalogPg);
    host = await ProviderHost.start();
  });

  after(async () => {
    if (created) await host.delete(urn, created.id, created.properties).catch(() => undefined);
    await host.stop();
    await closePools();
    await catalogPg?.stop();
    fs.rmSync(dataRoot, { recursive: true, force: true });
  });

  it("serializes without the validation library, requiring pg inside its methods", () => {
    assert.doesNotMatch(providerText, /zod/);
    assert.match(providerText, /require\("pg"\)/);
  });

  it("checks, creates, reads, repairs drift while scaling, records a switchover in the catalogue, deletes", async () => {
    const spec = clusterSpec(dataRoot, { standbys: 1, syncStandbys: 1 });
    const inputs = { kind: LOCAL_CLUSTER_KIND, resourceKind: "pg_cluster", storageGb: 10, catalog: { connection: catalog }, ...spec, __provider: providerText };
    const secrets = [spec.superuserPassword, spec.replicationPassword, spec.password, catalog.password];

    const bad = await host.check(urn, {}, { ...inputs, timing: { ttl: 2, loopWait: 1, retryTimeout: 1 } });
    assert.deepStrictEqual(bad.failures, [
      { property: "timing", reason: "`timing.retryTimeout` must be at least 2 s (with less, Patroni 3.0.2's etcd3 client never takes the leader lock, so no standby takes over); got 1" },
      { property: "timing", reason: "`timing.ttl` must be more than `loopWait` + `retryTimeout` (2 s), so a primary that cannot renew its leader key demotes itself before the key expires; got 2" },
    ]);
    const checked = await host.check(urn, {}, inputs);
    assert.deepStrictEqual(checked.failures, []);

    created = await host.create(urn, checked.inputs);
    let props = created.properties;
    assert.strictEqual(created.id, spec.resourceId);
    assert.deepStrictEqual({ status: props.status, drift: props.drift, primary: props.primary, recorded: props.failoversRecorded }, { status: "RUNNING", drift: [], primary: "node0", recorded: -1 });
    assert.deepStrictEqual(props.members.map((m: any) => [m.name, m.role, m.state]), [["node0", "primary", "running"], ["node1", "standby", "running"]]);
    assert.deepStrictEqual(await sql(props.writePort, "app", spec.password, "app", "SELECT current_user AS u, pg_is_in_recovery() AS r"), [{ u: "app", r: false }]);

    const read = await host.read(urn, created.id, props);
    assert.deepStrictEqual(read.properties, props);
    assert.deepStrictEqual(await host.diff(urn, created.id, read.properties, checked.inputs), { changes: false, replaces: [], deleteBeforeReplace: false, diffs: [] });

    // A standby dies (Patroni and its postmaster): read reports it; the endpoints still serve.
    const dir = props.instanceDir;
    const pm = runningPostmaster(memberPaths(dir, "node1").dataDir)!;
    process.kill(memberPid(dir, "node1")!, "SIGKILL");
    process.kill(pm.pid, "SIGKILL");
    await waitUntil("Patroni to see node1 gone", 30_000, async () => (await host.read(urn, created!.id, props)).properties.drift.includes("member node1: patroni stopped"));
    const drifted = (await host.read(urn, created.id, props)).properties;
    assert.deepStrictEqual({ status: drifted.status, drift: drifted.drift }, { status: "RUNNING", drift: ["member node1: patroni stopped"] });
    assert.strictEqual((await host.diff(urn, created.id, drifted, checked.inputs)).changes, true);

    // Update: node1 restarted, a third member added, a parameter changed through Patroni's dynamic configuration.
    const news = { ...checked.inputs, standbys: 2, parameters: { ...spec.parameters, work_mem: "8MB" } };
    props = await host.update(urn, created.id, drifted, news);
    created = { id: created.id, properties: props };
    assert.deepStrictEqual({ status: props.status, drift: props.drift }, { status: "RUNNING", drift: [] });
    assert.deepStrictEqual(props.members.map((m: any) => [m.name, m.state]), [["node0", "running"], ["node1", "running"], ["node2", "running"]]);
    for (const m of props.layout.members) {
      assert.deepStrictEqual(await sql(m.pgPort, "postgres", spec.superuserPassword, "postgres", "SELECT current_setting('work_mem') AS w"), [{ w: "8MB" }], `${m.name} runs the new work_mem`);
    }

    // The PgCluster's own record exists (as its CatalogRecord would write it), then a planned switchover.
    await withCatalog(catalog, (c) => upsertRecord(c, "db_resource", spec.resourceId, dbResourceData({ kind: "pg_cluster", plan: "prod_ha" })));
    await memberAction(props.layout.members[0], "/switchover", spec.superuserPassword, { leader: "node0", candidate: "node1" });
    // Patroni writes the history key on the new primary's next HA loop after the promotion.
    await waitUntil("node1 to lead, with a history", 30_000, async () => {
      const p = (await host.read(urn, created!.id, props)).properties;
      return p.primary === "node1" && p.history.length === 1;
    });
    const after = (await host.read(urn, created.id, props)).properties;
    assert.strictEqual(after.failoversRecorded, 1);
    assert.deepStrictEqual(after.history.map((h: any) => [h.timeline, h.newLeader]), [[1, "node1"]]);
    const rows = await catalogSql(catalog, "SELECT id, resource_id, failover_type, to_member, timeline, lsn, status FROM pgplatform_catalog.failovers");
    assert.deepStrictEqual(rows, [
      { id: `${spec.resourceId}-tl2`, resource_id: spec.resourceId, failover_type: "failover", to_member: "node1", timeline: "2", lsn: after.history[0].lsn, status: "DONE" },
    ]);
    assert.deepStrictEqual(await sql(props.writePort, "app", spec.password, "app", "SELECT inet_server_port() AS p"), [{ p: props.layout.members[1].pgPort }], "the write endpoint follows the new primary");

    await host.delete(urn, created.id, after);
    created = undefined;
    assert.strictEqual(fs.existsSync(dir), false);
    assert.deepStrictEqual(processesMentioning(dir), []);
    for (const s of secrets) assert.ok(!host.stderr().includes(s), "the host never prints a password");
  });
});
