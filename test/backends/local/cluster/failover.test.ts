/**
 * Failover of a real local cluster (Patroni + etcd + HAProxy, PostgreSQL 15, sync mode): writers
 * keep persistent connections to the write endpoint while the primary's Patroni and postmaster
 * are killed with SIGKILL, three times (the killed node rejoins in between). No acknowledged commit
 * may be lost, and the same endpoint must take writes again each time.
 */
import assert from "assert";
import * as fs from "fs";
import { LocalClusterState, awaitMembers, awaitSync, clusterContext, createCluster, destroyCluster, inspectCluster } from "../../../../components/backends/local/cluster/cluster";
import { LocalClusterSpec } from "../../../../components/backends/local/cluster/spec";
import { repairCluster } from "../../../../components/backends/local/cluster/update";
import { Writers, gone, killPrimary } from "../../../../bench/failover/writer";
import { processesMentioning, tempRoot } from "../../../harness/postgres";
import { clusterSpec, sql } from "./support";

describe("local cluster failover (real Patroni, etcd, HAProxy)", function () {
  this.timeout(240_000);
  let dataRoot: string;
  let spec: LocalClusterSpec;
  let state: LocalClusterState;

  before(async () => {
    dataRoot = tempRoot();
    spec = clusterSpec(dataRoot);
    state = await createCluster(spec);
  });

  after(async () => {
    if (spec) await destroyCluster(dataRoot, spec.resourceId);
    fs.rmSync(dataRoot, { recursive: true, force: true });
    assert.deepStrictEqual(processesMentioning(dataRoot), [], "no process of the cluster is left");
  });

  it("starts 1 primary + 2 standbys, one of them synchronous, behind a write and a read port", async () => {
    assert.strictEqual(state.status, "RUNNING");
    assert.deepStrictEqual(state.drift, []);
    assert.deepStrictEqual(state.members.map((m) => m.role).sort(), ["primary", "standby", "standby"]);
    const [w] = await sql(state.writePort, "app", spec.password, "app", "SELECT pg_is_in_recovery() AS r, current_setting('synchronous_standby_names') AS s");
    assert.strictEqual(w.r, false);
    assert.match(w.s, /^"?node\d"?$/, "Patroni names one synchronous standby");
    const [r] = await sql(state.readPort, "app", spec.password, "app", "SELECT pg_is_in_recovery() AS r");
    assert.strictEqual(r.r, true, "the read port reaches a standby");
  });

  it("loses no acknowledged commit over 3 kills of the primary, and the write endpoint takes writes again each time", async () => {
    const writers = new Writers({ port: state.writePort, user: "app", password: spec.password, database: "app" }, "failover_probe");
    await writers.start(4);
    const { user } = clusterContext(spec);
    const killed: string[] = [];
    const outages: number[] = [];
    try {
      for (let k = 0; k < 3; k++) {
        await new Promise((r) => setTimeout(r, 1_000));
        const before = writers.acks.length;
        const kill = await killPrimary(spec, state.layout);
        killed.push(kill.member);
        const back = await writers.firstWriteAfter(kill.at, 60_000);
        outages.push((back - kill.at) / 1000);
        assert.ok(gone(kill.patroniPid) && gone(kill.postmasterPid), "both processes were killed");
        assert.ok(writers.acks.length > before, "writes continue");
        // The killed node rejoins (rewound if it must) and a synchronous standby is back before the next kill.
        await repairCluster(spec, state.layout, user);
        await awaitMembers(state.layout, state.layout.members.map((m) => m.name));
        await awaitSync(state.layout, spec.syncStandbys);
      }
    } finally {
      await writers.stop();
    }
    console.log(`      outages: ${outages.map((o) => `${o.toFixed(2)} s`).join(", ")}; ${writers.acks.length} commits acknowledged`);
    assert.deepStrictEqual(await writers.lost(), [], "every acknowledged commit is on the new primary");
    // A rejoined member may still be starting on a loaded machine: read until the cluster settles (30 s at most).
    let now = (await inspectCluster(spec))!;
    for (const end = Date.now() + 30_000; now.drift.length > 0 && Date.now() < end; now = (await inspectCluster(spec))!) {
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.strictEqual(now.history.length, 3, "Patroni's history holds the 3 failovers");
    assert.deepStrictEqual(now.history.map((h) => h.timeline), [1, 2, 3]);
    assert.notStrictEqual(now.primary, killed[2], "the last killed node is not the primary");
    assert.deepStrictEqual(now.drift, []);
    assert.ok(outages.every((o) => o < 30), `every outage is bounded: ${outages.join(", ")}`);
  });
});
