/**
 * A real local cluster (Patroni, etcd, HAProxy; one primary and one standby, then a second) confines restarts for
 * changed parameters to its maintenance window, through the provider's own methods: outside the
 * window a restart-only change is written into Patroni's configuration, a reload-only one applies,
 * no running member restarts (postmaster start times unchanged) while a standby added by the same
 * update is restarted at once (nothing served with its old values), and `pendingRestart` lists the
 * setting (not drift, no update planned); a later run inside the window plans an update and
 * restarts the pending standby and the replica a ReadReplicaSet added to the cluster's Patroni,
 * then the primary, under the same leader, with the new value live; `applyImmediately` restarts
 * every member at once outside the window. The clock is set through the test-only environment variable.
 */
import assert from "assert";
import * as fs from "fs";
import { TEST_NOW_ENV } from "../../../../components/backends/local/maintenance/window";
import { LocalReplicasSpec } from "../../../../components/backends/local/replicas/spec";
import { LocalReplicasState, createReplicas, destroyReplicas } from "../../../../components/backends/local/replicas/replicas";
import { LOCAL_CLUSTER_KIND, localClusterProvider as provider } from "../../../../components/providers/localCluster";
import { processesMentioning, tempRoot } from "../../../harness/postgres";
import { clusterSpec, sql } from "./support";

const WINDOW = "sun:04:00-sun:05:00";
const OUTSIDE = "2026-11-25T12:00:00Z"; // a Wednesday
const INSIDE = "2026-11-29T04:30:00Z"; // a Sunday, 04:30 UTC
const NO_CHANGES = { changes: false, replaces: [], deleteBeforeReplace: false };
const CHANGES = { changes: true, replaces: [], deleteBeforeReplace: false };

/** What one member runs: its postmaster's start time and the settings under test. */
interface MemberFacts {
  started: string;
  maxConnections: string;
  workMem: string;
  sharedBuffers: string;
  pending: string[];
}

describe("local cluster restarts confined to the maintenance window (real Patroni, etcd, HAProxy)", function () {
  this.timeout(240_000);
  let dataRoot: string;
  let inputs: any;
  let props: any;
  let replicas: LocalReplicasState | undefined;
  let replicasSpec: LocalReplicasSpec | undefined;
  const saved = process.env[TEST_NOW_ENV];

  before(async () => {
    dataRoot = tempRoot();
    process.env[TEST_NOW_ENV] = OUTSIDE;
    inputs = { kind: LOCAL_CLUSTER_KIND, resourceKind: "pg_cluster", storageGb: 10, ...clusterSpec(dataRoot, { standbys: 1, syncStandbys: 1, maintenanceWindow: WINDOW }) };
    props = (await provider.create!(inputs)).outs;
    assert.deepStrictEqual([props.status, props.pendingRestart, props.pendingValues], ["RUNNING", [], {}]);
    // A ReadReplicaSet's replica joins the cluster's Patroni scope (nofailover): it takes the cluster's configuration too.
    replicasSpec = {
      setId: `${inputs.resourceId}-reads`, clusterId: inputs.resourceId, dataRoot, runAs: "postgres", primaryPort: props.writePort, superuser: "postgres",
      superuserPassword: inputs.superuserPassword, databaseName: "app", username: "app", replicas: 1, lagPolicy: { maxBytes: 16 * 1024 * 1024 },
      endpointStrategy: "single", pooling: { enabled: false, mode: "transaction", maxClientConnections: 50, defaultPoolSize: 5 }, bindAddress: "127.0.0.1",
    };
    replicas = await createReplicas(replicasSpec);
  });

  after(async () => {
    if (saved === undefined) delete process.env[TEST_NOW_ENV];
    else process.env[TEST_NOW_ENV] = saved;
    if (replicasSpec) await destroyReplicas(dataRoot, replicasSpec.setId);
    if (inputs) await provider.delete!(inputs.resourceId, props ?? inputs);
    fs.rmSync(dataRoot, { recursive: true, force: true });
    assert.deepStrictEqual(processesMentioning(dataRoot), [], "no process of the cluster is left");
  });

  /** Each member's facts (the cluster's, then the replica as `replica`), read on the member itself. */
  async function facts(): Promise<Record<string, MemberFacts>> {
    const out: Record<string, MemberFacts> = {};
    for (const m of [...props.layout.members, { ...replicas!.layout.members[0], name: "replica" }]) {
      const [row] = await sql(
        m.pgPort, "postgres", inputs.superuserPassword, "postgres",
        "SELECT pg_postmaster_start_time()::text AS started, current_setting('max_connections') AS mc, current_setting('work_mem') AS wm, current_setting('shared_buffers') AS sb, " +
          "ARRAY(SELECT name::text FROM pg_settings WHERE pending_restart ORDER BY name) AS pending",
      );
      out[m.name] = { started: row.started, maxConnections: row.mc, workMem: row.wm, sharedBuffers: row.sb, pending: row.pending };
    }
    return out;
  }

  async function update(news: any): Promise<void> {
    props = (await provider.update!(inputs.resourceId, props, news)).outs;
    inputs = news;
  }

  it("outside the window writes a restart-only change, applies a reload-only one, restarts only a new member, and reports it pending", async () => {
    const before = await facts();
    const leader = props.primary;
    await update({ ...inputs, standbys: 2, parameters: { ...inputs.parameters, max_connections: "50", work_mem: "8MB" } });
    const now = await facts();
    for (const name of ["node0", "node1", "replica"]) {
      assert.deepStrictEqual(now[name], { ...before[name], workMem: "8MB", pending: ["max_connections"] }, `${name}: not restarted, work_mem live, max_connections 40 until its restart`);
    }
    assert.deepStrictEqual({ ...now.node2, started: "" }, { started: "", maxConnections: "50", workMem: "8MB", sharedBuffers: "32MB", pending: [] }, "the new standby runs the new value");
    assert.deepStrictEqual(
      { status: props.status, drift: props.drift, primary: props.primary, pendingRestart: props.pendingRestart, pendingValues: props.pendingValues },
      { status: "RUNNING", drift: [], primary: leader, pendingRestart: ["max_connections"], pendingValues: { max_connections: "50" } },
    );
    assert.deepStrictEqual(props.members.map((m: any) => [m.name, m.pendingRestart]), [["node0", true], ["node1", true], ["node2", false]]);
    // read finds it live (Patroni and each member know it); it is not drift, and outside the window no update is planned.
    const read = (await provider.read!(inputs.resourceId, props)).props;
    assert.deepStrictEqual([read.pendingRestart, read.drift, read.members.map((m: any) => m.pendingRestart)], [["max_connections"], [], [true, true, false]]);
    assert.deepStrictEqual(await provider.diff!(inputs.resourceId, read, inputs), NO_CHANGES);
    // A further change is planned though.
    assert.deepStrictEqual(await provider.diff!(inputs.resourceId, read, { ...inputs, parameters: { ...inputs.parameters, max_connections: "60" } }), CHANGES);
    props = read;
  });

  it("inside the window the next run plans an update and restarts the pending standby and set replica, then the primary, with the new value live", async () => {
    process.env[TEST_NOW_ENV] = INSIDE;
    assert.deepStrictEqual(await provider.diff!(inputs.resourceId, props, inputs), CHANGES);
    const before = await facts();
    const leader = props.primary;
    assert.strictEqual(leader, "node0");
    await update(inputs);
    const now = await facts();
    for (const name of ["node0", "node1", "replica"]) {
      assert.notStrictEqual(now[name].started, before[name].started, `${name} restarted`);
      assert.deepStrictEqual({ ...now[name], started: "" }, { ...before[name], started: "", maxConnections: "50", pending: [] }, `${name} runs the new max_connections`);
    }
    assert.deepStrictEqual(now.node2, before.node2, "node2 held nothing for a restart: not restarted");
    for (const name of ["node1", "replica"]) assert.ok(now[name].started < now.node0.started, `${name} (${now[name].started}) restarted before the primary (${now.node0.started})`);
    assert.deepStrictEqual(
      { status: props.status, drift: props.drift, primary: props.primary, pendingRestart: props.pendingRestart, pendingValues: props.pendingValues, history: props.history },
      { status: "RUNNING", drift: [], primary: leader, pendingRestart: [], pendingValues: {}, history: [] },
    );
    assert.deepStrictEqual(props.members.map((m: any) => m.pendingRestart), [false, false, false]);
    assert.deepStrictEqual(await provider.diff!(inputs.resourceId, props, inputs), NO_CHANGES);
    assert.deepStrictEqual(await sql(props.writePort, "app", inputs.password, "app", "SELECT current_setting('max_connections') AS mc, pg_is_in_recovery() AS r"), [{ mc: "50", r: false }]);
  });

  it("with `applyImmediately` restarts every member at once outside the window", async () => {
    process.env[TEST_NOW_ENV] = OUTSIDE;
    const news = { ...inputs, applyImmediately: true, parameters: { ...inputs.parameters, shared_buffers: "48MB" } };
    assert.deepStrictEqual(await provider.diff!(inputs.resourceId, props, news), CHANGES);
    const before = await facts();
    await update(news);
    const now = await facts();
    for (const name of ["node0", "node1", "node2", "replica"]) {
      assert.notStrictEqual(now[name].started, before[name].started, `${name} restarted`);
      assert.deepStrictEqual({ ...now[name], started: "" }, { ...before[name], started: "", sharedBuffers: "48MB", pending: [] });
    }
    assert.deepStrictEqual([props.status, props.drift, props.pendingRestart], ["RUNNING", [], []]);
    assert.deepStrictEqual(await provider.diff!(inputs.resourceId, props, inputs), NO_CHANGES);
  });
});
