/**
 * Soft delete of a real local cluster (`deletionPolicy: soft`), through the provider's own methods:
 * every process stops (Patroni's maintenance mode first, as a pause), the directory (members' data,
 * etcd, configurations, ports) is kept and listed in the trash with `purgeAfter` = deletion +
 * retention; the engine no longer sees it; the id cannot be taken by a new cluster or server while
 * kept (nor a kept single's id by a cluster); once the retention is over (the entry's time written in
 * the past) the next create purges it all and the id is free again; hard delete stays as it was.
 * One cluster with one standby, then one single-node cluster.
 */
import assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { keptPaths } from "../../../../components/backends/local/cluster/softDelete";
import { clusterPaths, memberPaths } from "../../../../components/backends/local/cluster/spec";
import { instancePaths } from "../../../../components/backends/local/instance";
import { pendingPurge, purgeExpired, trashDir } from "../../../../components/backends/local/softDelete";
import { LOCAL_CLUSTER_KIND, localClusterProvider } from "../../../../components/providers/localCluster";
import { localServerProvider } from "../../../../components/providers/localServer";
import { processesMentioning, tempRoot } from "../../../harness/postgres";
import { serverInputs } from "../../../providers/support";
import { clusterSpec, sql } from "./support";

const DAY = 86_400_000;

describe("local cluster soft delete (real Patroni, etcd, HAProxy)", function () {
  this.timeout(180_000);
  let dataRoot: string;
  let inputs: any;
  let props: any;
  let live: any[] = []; // provider outputs still to delete hard at the end

  before(async () => {
    dataRoot = tempRoot();
    inputs = { kind: LOCAL_CLUSTER_KIND, resourceKind: "pg_cluster", storageGb: 10, ...clusterSpec(dataRoot, { standbys: 1, syncStandbys: 1, backupAccess: true }), deletionPolicy: "soft", softDeleteRetentionDays: 3 };
    props = (await localClusterProvider.create!(inputs)).outs;
  });

  after(async () => {
    for (const o of live) await (o.kind === LOCAL_CLUSTER_KIND ? localClusterProvider : localServerProvider).delete!(o.resourceId, { ...o, deletionPolicy: "hard" }).catch(() => undefined);
    if (inputs && fs.existsSync(clusterPaths(dataRoot, inputs.resourceId).dir)) await localClusterProvider.delete!(inputs.resourceId, { ...(props ?? inputs), deletionPolicy: "hard" });
    fs.rmSync(dataRoot, { recursive: true, force: true });
    assert.deepStrictEqual(processesMentioning(dataRoot), [], "no process is left");
  });

  it("stops every process, keeps the directory and lists it until now + retention; the engine no longer sees it; a second delete moves nothing", async () => {
    const p = clusterPaths(dataRoot, inputs.resourceId);
    await sql(props.writePort, "app", inputs.password, "app", "CREATE TABLE kept (v int); INSERT INTO kept SELECT generate_series(1, 100)");
    assert.ok(processesMentioning(p.dir).length >= 5, "etcd, 2 Patroni, 2 postmasters, HAProxy run");
    const leader = props.primary;

    const before = Date.now();
    await localClusterProvider.delete!(inputs.resourceId, props);
    const after = Date.now();
    assert.deepStrictEqual(processesMentioning(p.dir), [], "every process of the cluster is stopped");
    assert.deepStrictEqual(processesMentioning(dataRoot), []);
    for (const kept of [p.marker, p.etcdData, p.haproxyCfg, ...["node0", "node1"].flatMap((n) => [memberPaths(p.dir, n).config, path.join(memberPaths(p.dir, n).dataDir, "PG_VERSION")])]) {
      assert.ok(fs.existsSync(kept), `${kept} is kept`);
    }
    assert.deepStrictEqual(JSON.parse(fs.readFileSync(p.marker, "utf8")).layout, props.layout, "the ports are kept in the marker");
    assert.strictEqual(JSON.parse(fs.readFileSync(path.join(p.dir, "paused.json"), "utf8")).leader, leader, "the last leader is named (Patroni's maintenance mode, no failover)");
    assert.strictEqual(fs.existsSync(path.join(memberPaths(p.dir, leader).dataDir, "standby.signal")), false, "the leader's data is still a primary's");

    const entry = pendingPurge(dataRoot, "cluster", inputs.resourceId)!;
    assert.deepStrictEqual({ kind: entry.kind, resourceId: entry.resourceId, paths: entry.paths }, { kind: "cluster", resourceId: inputs.resourceId, paths: keptPaths(dataRoot, inputs.resourceId) });
    assert.strictEqual(path.dirname(entry.paths[1]), path.join(dataRoot, ".sockets"));
    assert.ok(fs.existsSync(entry.paths[1]), "the private socket directory is kept");
    const deletedAt = Date.parse(entry.deletedAt);
    assert.ok(deletedAt >= before && deletedAt <= after, `deletedAt ${entry.deletedAt} is the time of the delete`);
    assert.strictEqual(Date.parse(entry.purgeAfter) - deletedAt, 3 * DAY);
    assert.deepStrictEqual(fs.readdirSync(trashDir(dataRoot)), [`cluster-${inputs.resourceId}.json`]);

    assert.deepStrictEqual(await localClusterProvider.read!(inputs.resourceId, props), { id: "", props: {} }, "the engine no longer sees it");
    await localClusterProvider.delete!(inputs.resourceId, props);
    assert.deepStrictEqual(pendingPurge(dataRoot, "cluster", inputs.resourceId), entry, "a repeated delete keeps the first purge time");
    assert.deepStrictEqual(processesMentioning(p.dir), []);
  });

  it("refuses the kept id to a new cluster and to a new server, and a kept single's id to a cluster, starting nothing", async () => {
    const p = clusterPaths(dataRoot, inputs.resourceId);
    const entry = pendingPurge(dataRoot, "cluster", inputs.resourceId)!;
    const kept = (what: string, id: string, dir: string, e: { deletedAt: string; purgeAfter: string }) =>
      `\`${id}\` was soft-deleted on ${e.deletedAt} and its data is kept in ${dir} until ${e.purgeAfter}; ` +
      `a new ${what} cannot take its place before then: restore a clone from its backups (\`restore\`), or remove ${dir} by hand to give up the kept data`;

    const again = { ...inputs, ...clusterSpec(dataRoot, { resourceId: inputs.resourceId, standbys: 0, syncStandbys: 0 }) };
    await assert.rejects(localClusterProvider.create!(again), { message: kept("cluster", inputs.resourceId, p.dir, entry) });
    await assert.rejects(localServerProvider.create!(serverInputs(dataRoot, { resourceId: inputs.resourceId })), { message: kept("server", inputs.resourceId, p.dir, entry) });
    assert.deepStrictEqual(processesMentioning(p.dir), [], "nothing was started");
    assert.deepStrictEqual(JSON.parse(fs.readFileSync(p.marker, "utf8")).layout, props.layout, "the kept cluster is untouched");
    assert.deepStrictEqual(pendingPurge(dataRoot, "cluster", inputs.resourceId), entry);

    // A soft-deleted single blocks a cluster under its id the same way (both live in <dataRoot>/<id>).
    const single = (await localServerProvider.create!(serverInputs(dataRoot))).outs;
    live.push(single);
    await localServerProvider.delete!(single.resourceId, { ...single, deletionPolicy: "soft", softDeleteRetentionDays: 2 });
    live = [];
    const singleDir = instancePaths(dataRoot, single.resourceId).instanceDir;
    const singleEntry = pendingPurge(dataRoot, "server", single.resourceId)!;
    await assert.rejects(localClusterProvider.create!({ ...again, resourceId: single.resourceId }), { message: kept("cluster", single.resourceId, singleDir, singleEntry) });
    assert.deepStrictEqual(processesMentioning(singleDir), []);

    // Its directory removed by hand (the kept data given up): the entry is dropped at the next create, so the purge never takes the new server's directory.
    fs.rmSync(singleDir, { recursive: true, force: true });
    const reborn = (await localServerProvider.create!(serverInputs(dataRoot, { resourceId: single.resourceId }))).outs;
    live.push(reborn);
    assert.strictEqual(reborn.status, "RUNNING");
    assert.strictEqual(pendingPurge(dataRoot, "server", single.resourceId), undefined, "the stale entry is gone");
    assert.deepStrictEqual(purgeExpired(dataRoot, new Date(Date.parse(singleEntry.purgeAfter) + 1_000)), [], "nothing expired: the kept cluster still has a day left");
    assert.ok(fs.existsSync(instancePaths(dataRoot, single.resourceId).dataDir), "the new server's directory stays");
    await localServerProvider.delete!(reborn.resourceId, reborn);
    live = [];
  });

  it("is not purged before its time; once it is past, the next create on the data root purges it and takes the id; hard delete removes everything at once", async () => {
    const p = clusterPaths(dataRoot, inputs.resourceId);
    const entry = pendingPurge(dataRoot, "cluster", inputs.resourceId)!;
    assert.deepStrictEqual(purgeExpired(dataRoot, new Date(Date.parse(entry.purgeAfter) - 60_000)), [], "not before its time");
    assert.ok(fs.existsSync(p.marker));

    // The retention over (its time written in the past): the next create on the data root purges it first, then takes the id.
    const past = { ...entry, purgeAfter: new Date(Date.now() - 1_000).toISOString() };
    fs.writeFileSync(path.join(trashDir(dataRoot), `cluster-${inputs.resourceId}.json`), JSON.stringify(past, null, 2) + "\n");
    const again = { ...inputs, ...clusterSpec(dataRoot, { resourceId: inputs.resourceId, standbys: 0, syncStandbys: 0 }), deletionPolicy: "hard" };
    props = (await localClusterProvider.create!(again)).outs;
    inputs = again;
    assert.strictEqual(pendingPurge(dataRoot, "cluster", inputs.resourceId), undefined, "the entry is purged");
    assert.deepStrictEqual(fs.readdirSync(trashDir(dataRoot)), []);
    assert.strictEqual(fs.existsSync(path.join(p.dir, "paused.json")), false, "the kept directory was removed, not reused");
    assert.deepStrictEqual({ status: props.status, members: props.members.map((m: any) => m.name) }, { status: "RUNNING", members: ["node0"] });
    assert.deepStrictEqual(await sql(props.writePort, "app", inputs.password, "app", "SELECT to_regclass('kept') IS NULL AS fresh"), [{ fresh: true }], "a new, empty cluster");

    // Hard delete: every process stopped, the directory and socket directory removed, nothing listed.
    await localClusterProvider.delete!(inputs.resourceId, props);
    assert.deepStrictEqual(processesMentioning(p.dir), []);
    for (const gone of keptPaths(dataRoot, inputs.resourceId)) assert.strictEqual(fs.existsSync(gone), false, `${gone} is removed`);
    assert.strictEqual(pendingPurge(dataRoot, "cluster", inputs.resourceId), undefined);
    props = undefined;
    inputs = undefined;
  });
});
