/**
 * Pausing and resuming a real local cluster (`lifecycle.state: paused`), through the provider's
 * own methods: pause stops every process of the cluster (etcd, each Patroni and PostgreSQL,
 * HAProxy) and read reports PENDING with no drift; a process started behind its back is drift;
 * changes while paused are refused; resume brings the same write endpoint back under the same
 * leader, on the same timeline, with the data intact and taking writes.
 */
import assert from "assert";
import * as fs from "fs";
import { clusterPaths } from "../../../../components/backends/local/cluster/spec";
import { startEtcd } from "../../../../components/backends/local/cluster/processes";
import { serviceUser } from "../../../../components/backends/local/serviceUser";
import { LOCAL_CLUSTER_KIND, localClusterProvider } from "../../../../components/providers/localCluster";
import { processesMentioning, tempRoot } from "../../../harness/postgres";
import { clusterSpec, sql } from "./support";

describe("local cluster pause and resume (real Patroni, etcd, HAProxy)", function () {
  this.timeout(180_000);
  let dataRoot: string;
  let inputs: any;
  let props: any;

  before(async () => {
    dataRoot = tempRoot();
    inputs = { kind: LOCAL_CLUSTER_KIND, resourceKind: "pg_cluster", storageGb: 10, ...clusterSpec(dataRoot, { standbys: 1, syncStandbys: 1 }) };
    props = (await localClusterProvider.create!(inputs)).outs;
  });

  after(async () => {
    if (inputs) await localClusterProvider.delete!(inputs.resourceId, props ?? inputs);
    fs.rmSync(dataRoot, { recursive: true, force: true });
    assert.deepStrictEqual(processesMentioning(dataRoot), [], "no process of the cluster is left");
  });

  it("pauses (every process stopped, PENDING), refuses changes while paused, resumes on the same endpoint with the data", async () => {
    const dir = clusterPaths(dataRoot, inputs.resourceId).dir;
    await sql(props.writePort, "app", inputs.password, "app", "CREATE TABLE kept (v int); INSERT INTO kept SELECT generate_series(1, 1000)");
    const leader = props.primary;
    const timeline = props.members.find((m: any) => m.name === leader).timeline;
    assert.ok(processesMentioning(dir).length >= 5, "etcd, 2 Patroni, 2 postmasters (and their backends), HAProxy run");

    const paused = { ...inputs, paused: true };
    assert.deepStrictEqual((await localClusterProvider.diff!(inputs.resourceId, props, paused)).changes, true);
    props = (await localClusterProvider.update!(inputs.resourceId, props, paused)).outs;
    assert.deepStrictEqual(processesMentioning(dir), [], "pause stops every process of the cluster");
    assert.deepStrictEqual(
      { status: props.status, drift: props.drift, running: props.running, primary: props.primary, writePort: props.writePort, readPort: props.readPort },
      { status: "PENDING", drift: [], running: false, primary: "", writePort: props.layout.ports.write, readPort: props.layout.ports.read },
    );
    assert.deepStrictEqual(props.members.map((m: any) => [m.name, m.role, m.state]), [
      ["node0", leader === "node0" ? "primary" : "standby", "stopped"],
      ["node1", leader === "node1" ? "primary" : "standby", "stopped"],
    ]);
    const read = (await localClusterProvider.read!(inputs.resourceId, props)).props;
    assert.deepStrictEqual(read, props, "a paused cluster is not drift");
    assert.deepStrictEqual(await localClusterProvider.diff!(inputs.resourceId, read, paused), { changes: false, replaces: [], deleteBeforeReplace: false });

    // Changes while paused are refused, naming each input; labels may change.
    const checked = await localClusterProvider.check!(props, { ...paused, standbys: 2, parameters: { ...inputs.parameters, work_mem: "8MB" }, labels: { a: "b" } });
    assert.deepStrictEqual(checked.failures, [
      { property: "parameters", reason: "`parameters` cannot change while the cluster is paused (`lifecycle.state: paused`: nothing runs to apply it to); resume it first (`lifecycle.state: active`), in the same update or before" },
      { property: "standbys", reason: "`standbys` cannot change while the cluster is paused (`lifecycle.state: paused`: nothing runs to apply it to); resume it first (`lifecycle.state: active`), in the same update or before" },
    ]);
    assert.deepStrictEqual((await localClusterProvider.check!(props, { ...inputs, standbys: 2 })).failures, [], "resuming and scaling at once is allowed");

    // Something started behind pgplatform's back is drift, stopped by the next update.
    await startEtcd(dataRoot, inputs.resourceId, props.layout, serviceUser("postgres"));
    const drifted = (await localClusterProvider.read!(inputs.resourceId, props)).props;
    assert.deepStrictEqual({ status: drifted.status, drift: drifted.drift }, { status: "FAILED", drift: ["etcd running while paused"] });
    props = (await localClusterProvider.update!(inputs.resourceId, drifted, paused)).outs;
    assert.deepStrictEqual({ status: props.status, drift: props.drift }, { status: "PENDING", drift: [] });
    assert.deepStrictEqual(processesMentioning(dir), []);

    // Resume: the same endpoint, the same leader and timeline (no promotion), the data, writes.
    props = (await localClusterProvider.update!(inputs.resourceId, props, inputs)).outs;
    assert.deepStrictEqual({ status: props.status, drift: props.drift, primary: props.primary }, { status: "RUNNING", drift: [], primary: leader });
    assert.deepStrictEqual(props.members.map((m: any) => [m.state, m.timeline]), [["running", timeline], ["running", timeline]]);
    assert.deepStrictEqual(props.history, []);
    assert.deepStrictEqual(await sql(props.writePort, "app", inputs.password, "app", "INSERT INTO kept VALUES (1001) RETURNING (SELECT count(*) FROM kept) AS before"), [{ before: "1000" }]);
    assert.deepStrictEqual(await sql(props.writePort, "app", inputs.password, "app", "SELECT count(*)::int AS n, pg_is_in_recovery() AS r FROM kept"), [{ n: 1001, r: false }]);
    assert.strictEqual(fs.existsSync(`${dir}/paused.json`), false);
  });
});
