/**
 * A real local ReadReplicaSet follows its source's pause, through the replica provider's own
 * methods and in Pulumi's order (the source is updated before the set: pause source first, resume
 * source first). Paused: no process of the set runs (HAProxy, PgBouncer, each replica's Patroni and
 * PostgreSQL), status PENDING with every replica `stopped`, the ports kept, read reports no drift,
 * a process started behind its back is drift, changes are refused naming each input. Between the
 * source's pause and the set's, the replicas run without an upstream and still serve. Resumed: a row
 * written before the pause is served by the set's read port, and a row written after resume streams
 * to it; resume and change in one update resumes, then changes. On a single: its slots are kept while
 * paused, and deleting the set while the single is paused still drops them.
 */
import assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { waitUntil } from "../../../../components/backends/local/cluster/daemon";
import { startHaproxy } from "../../../../components/backends/local/cluster/processes";
import { instancePaths } from "../../../../components/backends/local/instance";
import { runningPostmaster } from "../../../../components/backends/local/process";
import { slotOf } from "../../../../components/backends/local/replicas/single";
import { replicasPaths } from "../../../../components/backends/local/replicas/spec";
import { LocalServerSpec, createServer, destroyServer, updateServer } from "../../../../components/backends/local/server";
import { serviceUser } from "../../../../components/backends/local/serviceUser";
import { LOCAL_CLUSTER_KIND, localClusterProvider } from "../../../../components/providers/localCluster";
import { LOCAL_REPLICAS_KIND, localReplicasProvider } from "../../../../components/providers/localReplicas";
import { processesMentioning, tempRoot } from "../../../harness/postgres";
import { clusterSpec, sql } from "../cluster/support";
import { sourceSingleSpec } from "./support";

const P = localReplicasProvider;
const refused = (k: string) => ({
  property: k,
  reason: `\`${k}\` cannot change while the replica set's source is paused (\`lifecycle.state: paused\`: no replica runs to apply it to); resume the source first (\`lifecycle.state: active\`), in the same update or before`,
});

/** What the outputs of a paused set must say: PENDING, no drift, every replica stopped and out of the pool, the ports of `before`. */
function assertPaused(props: any, before: any): void {
  assert.deepStrictEqual(
    { status: props.status, drift: props.drift, readPort: props.readPort, poolerPort: props.poolerPort, layout: props.layout },
    { status: "PENDING", drift: [], readPort: before.readPort, poolerPort: before.poolerPort, layout: before.layout },
  );
  assert.deepStrictEqual(
    props.replicaStates,
    before.layout.members.map((m: any) => ({ name: m.name, host: "127.0.0.1", port: m.pgPort, state: "stopped", inPool: false, ...(m.endpointPort ? { endpointPort: m.endpointPort } : {}) })),
  );
}

describe("a local ReadReplicaSet follows its source's pause (real processes)", function () {
  this.timeout(300_000);

  describe("on a PgCluster (nofailover Patroni members, HAProxy, PgBouncer)", () => {
    let dataRoot: string;
    let cInputs: any;
    let cProps: any;
    let inputs: any;
    let props: any;
    const app = (port: number, text: string) => sql(port, "app", cInputs.password, "app", text);

    before(async () => {
      dataRoot = tempRoot();
      cInputs = { kind: LOCAL_CLUSTER_KIND, resourceKind: "pg_cluster", storageGb: 10, ...clusterSpec(dataRoot, { standbys: 1, syncStandbys: 0 }) };
      cProps = (await localClusterProvider.create!(cInputs)).outs;
      inputs = {
        kind: LOCAL_REPLICAS_KIND,
        setId: `${cInputs.resourceId}-reads`,
        clusterId: cInputs.resourceId,
        dataRoot,
        runAs: "postgres",
        primaryPort: cProps.writePort,
        superuser: "postgres",
        superuserPassword: cInputs.superuserPassword,
        databaseName: "app",
        username: "app",
        replicas: 1,
        lagPolicy: { maxSeconds: 30 },
        endpointStrategy: "per_replica",
        pooling: { enabled: true, mode: "session", maxClientConnections: 20, defaultPoolSize: 5 },
        bindAddress: "127.0.0.1",
        sourceState: "active",
      };
      props = (await P.create!(inputs)).outs;
    });

    after(async () => {
      if (inputs) await P.delete!(inputs.setId, props ?? inputs);
      if (cInputs) await localClusterProvider.delete!(cInputs.resourceId, cProps ?? cInputs);
      fs.rmSync(dataRoot, { recursive: true, force: true });
      assert.deepStrictEqual(processesMentioning(dataRoot), [], "no process of the cluster or the set is left");
    });

    it("pauses after the cluster (every process stopped, PENDING, ports kept), refuses changes, resumes with the data and streams again", async () => {
      const setDir = replicasPaths(dataRoot, inputs.setId).dir;
      const created = props;
      const [r0] = created.layout.members;
      await app(cProps.writePort, "CREATE TABLE kept AS SELECT g AS id FROM generate_series(1, 100) g");
      await waitUntil("the row to reach the read port", 30_000, async () => (await app(props.readPort, "SELECT count(*)::int AS n FROM kept"))[0].n === 100);

      // Pulumi's order: the cluster pauses first; the set's replica then runs without an upstream, and still serves.
      cProps = (await localClusterProvider.update!(cInputs.resourceId, cProps, (cInputs = { ...cInputs, paused: true }))).outs;
      assert.strictEqual(cProps.status, "PENDING");
      assert.deepStrictEqual(await app(r0.pgPort, "SELECT count(*)::int AS n, pg_is_in_recovery() AS r FROM kept"), [{ n: 100, r: true }]);

      const paused = { ...inputs, sourceState: "paused" };
      assert.deepStrictEqual((await P.check!(props, paused)).failures, []);
      assert.deepStrictEqual(await P.diff!(inputs.setId, props, paused), { changes: true, replaces: [], deleteBeforeReplace: true });
      props = (await P.update!(inputs.setId, props, (inputs = paused))).outs;
      assert.deepStrictEqual(processesMentioning(setDir), [], "no process of the set runs");
      assertPaused(props, created);
      const read = (await P.read!(inputs.setId, props)).props;
      assert.deepStrictEqual(read, props, "a paused set is not drift");
      assert.deepStrictEqual(await P.diff!(inputs.setId, read, paused), { changes: false, replaces: [], deleteBeforeReplace: true });

      // Changes while paused are refused, naming each input; labels and the superuser password may change.
      const changed = { ...paused, replicas: 2, lagPolicy: { maxBytes: 1024 }, pooling: { ...paused.pooling, enabled: false }, labels: { team: "a" } };
      assert.deepStrictEqual((await P.check!(props, changed)).failures, [refused("replicas"), refused("lagPolicy"), refused("pooling")]);
      assert.deepStrictEqual((await P.check!(props, { ...changed, sourceState: "active" })).failures, [], "resuming and changing at once is allowed");
      assert.deepStrictEqual((await P.check!({}, { ...paused, setId: "other-reads" })).failures, [
        {
          property: "sourceState",
          reason: "the local replica set `other-reads` cannot be created while its source is paused (`lifecycle.state: paused`: nothing runs to copy or stream from); resume the source first (`lifecycle.state: active`)",
        },
      ]);

      // HAProxy started behind pgplatform's back is drift (FAILED), stopped by the next update.
      const p = replicasPaths(dataRoot, inputs.setId);
      await startHaproxy(p.haproxyCfg, p.haproxyPid, p.haproxyLog, p.dir, serviceUser("postgres"), created.readPort);
      const drifted = (await P.read!(inputs.setId, props)).props;
      assert.deepStrictEqual({ status: drifted.status, drift: drifted.drift }, { status: "FAILED", drift: ["haproxy running while paused"] });
      assert.strictEqual((await P.diff!(inputs.setId, drifted, paused)).changes, true);
      props = (await P.update!(inputs.setId, drifted, paused)).outs;
      assertPaused(props, created);
      assert.deepStrictEqual(processesMentioning(setDir), []);

      // Resume: the cluster first, then the set with a lag policy change in the same update (resumed, then changed).
      cProps = (await localClusterProvider.update!(cInputs.resourceId, cProps, (cInputs = { ...cInputs, paused: false }))).outs;
      assert.strictEqual(cProps.status, "RUNNING");
      const resumed = { ...inputs, sourceState: "active", lagPolicy: { maxBytes: 16 * 1024 * 1024 } };
      props = (await P.update!(inputs.setId, props, (inputs = resumed))).outs;
      assert.deepStrictEqual({ status: props.status, drift: props.drift, readPort: props.readPort, poolerPort: props.poolerPort }, { status: "RUNNING", drift: [], readPort: created.readPort, poolerPort: created.poolerPort });
      assert.deepStrictEqual(props.replicaStates.map((r: any) => [r.name, r.inPool]), [[r0.name, true]]);
      assert.match(fs.readFileSync(p.haproxyCfg, "utf8"), /option httpchk OPTIONS \/replica\?lag=16777216\n/);
      assert.deepStrictEqual(await app(props.readPort, "SELECT count(*)::int AS n, pg_is_in_recovery() AS r FROM kept"), [{ n: 100, r: true }], "the row written before the pause");
      await app(cProps.writePort, "INSERT INTO kept SELECT g FROM generate_series(101, 150) g");
      await waitUntil("the rows written after resume to stream to the set", 30_000, async () => (await app(props.readPort, "SELECT count(*)::int AS n FROM kept"))[0].n === 150);
      assert.deepStrictEqual(await app(props.poolerPort, "SELECT count(*)::int AS n FROM kept"), [{ n: 150 }], "through PgBouncer too");
      assert.deepStrictEqual(await app(r0.endpointPort, "SELECT count(*)::int AS n FROM kept"), [{ n: 150 }], "and the replica's own port");
    });
  });

  describe("on a PgSingle (pg_basebackup -R copies)", () => {
    let dataRoot: string;
    let ss: LocalServerSpec;
    let port: number;
    let inputs: any;
    let props: any;
    const app = (p: number, text: string) => sql(p, "app", ss.password, "app", text);
    const slotDirs = () => fs.readdirSync(path.join(instancePaths(dataRoot, ss.resourceId).dataDir, "pg_replslot")).sort();

    before(async () => {
      dataRoot = tempRoot();
      ss = sourceSingleSpec(dataRoot);
      const server = await createServer(ss);
      port = server.port;
      inputs = {
        kind: LOCAL_REPLICAS_KIND,
        setId: `${ss.resourceId}-reads`,
        clusterId: ss.resourceId,
        dataRoot,
        runAs: "postgres",
        primaryPort: port,
        superuser: "postgres",
        superuserPassword: ss.superuserPassword,
        databaseName: "app",
        username: "app",
        replicas: 1,
        lagPolicy: { maxSeconds: 30 },
        endpointStrategy: "single",
        pooling: { enabled: false, mode: "session", maxClientConnections: 100, defaultPoolSize: 20 },
        bindAddress: "127.0.0.1",
        sourceKind: "single",
        binDir: server.binDir,
        sourceState: "active",
      };
      await app(port, "CREATE TABLE kept AS SELECT g AS id FROM generate_series(1, 100) g");
      props = (await P.create!(inputs)).outs;
    });

    after(async () => {
      if (inputs && props) await P.delete!(inputs.setId, props);
      if (ss) await destroyServer(dataRoot, ss.resourceId);
      fs.rmSync(dataRoot, { recursive: true, force: true });
      assert.deepStrictEqual(processesMentioning(dataRoot), [], "no process of the single or the set is left");
    });

    const pauseSingle = async (paused: boolean) => {
      const state = await updateServer({ ...ss, port }, (ss = { ...ss, paused }));
      assert.strictEqual(state.status, paused ? "PENDING" : "RUNNING");
    };

    it("pauses after the single (replicas stopped with pg_ctl, slots kept), resumes and scales in one update, streams again", async () => {
      const created = props;
      const [r0] = created.layout.members;
      await waitUntil("the rows to reach the read port", 30_000, async () => (await app(props.readPort, "SELECT count(*)::int AS n FROM kept"))[0].n === 100);
      await pauseSingle(true);
      assert.deepStrictEqual(await app(r0.pgPort, "SELECT count(*)::int AS n, pg_is_in_recovery() AS r FROM kept"), [{ n: 100, r: true }], "the replica serves without its upstream");

      const paused = { ...inputs, sourceState: "paused" };
      props = (await P.update!(inputs.setId, props, (inputs = paused))).outs;
      assert.deepStrictEqual(processesMentioning(dataRoot), [], "no process of the single or its set runs");
      assertPaused(props, created);
      assert.deepStrictEqual(slotDirs(), [slotOf(inputs.setId, r0.name)], "the single keeps the replica's slot");
      assert.deepStrictEqual((await P.read!(inputs.setId, props)).props, props, "a paused set is not drift");
      assert.deepStrictEqual((await P.check!(props, { ...paused, replicas: 2, endpointStrategy: "per_replica" })).failures, [refused("replicas"), refused("endpointStrategy")]);

      // A replica started behind pgplatform's back is drift.
      const { execFileSync } = require("child_process");
      const rp = path.join(replicasPaths(dataRoot, inputs.setId).members, r0.name);
      execFileSync("runuser", ["-u", "postgres", "--", path.join(inputs.binDir, "pg_ctl"), "-D", path.join(rp, "data"), "-l", path.join(rp, "postgres.log"), "-w", "-s", "start"]);
      const drifted = (await P.read!(inputs.setId, props)).props;
      assert.deepStrictEqual({ status: drifted.status, drift: drifted.drift, state: drifted.replicaStates[0].state }, { status: "FAILED", drift: [`replica ${r0.name}: postgres running while paused`], state: "running while paused" });
      props = (await P.update!(inputs.setId, drifted, paused)).outs;
      assertPaused(props, created);

      // Resume the single, then the set with a second replica in the same update.
      await pauseSingle(false);
      props = (await P.update!(inputs.setId, props, (inputs = { ...paused, sourceState: "active", replicas: 2 }))).outs;
      assert.deepStrictEqual({ status: props.status, drift: props.drift, readPort: props.readPort }, { status: "RUNNING", drift: [], readPort: created.readPort });
      assert.deepStrictEqual(props.replicaStates.map((r: any) => [r.name, r.state]), [[r0.name, "streaming"], [`${inputs.setId}-r1`, "streaming"]]);
      assert.deepStrictEqual(props.layout.members[0], r0, "the first replica kept its port");
      assert.deepStrictEqual(await app(r0.pgPort, "SELECT count(*)::int AS n FROM kept"), [{ n: 100 }], "the row written before the pause");
      await app(port, "INSERT INTO kept SELECT g FROM generate_series(101, 150) g");
      await waitUntil("the rows written after resume to reach both replicas", 30_000, async () =>
        (await Promise.all(props.layout.members.map(async (m: any) => (await app(m.pgPort, "SELECT count(*)::int AS n FROM kept"))[0].n))).every((n) => n === 150),
      );
      assert.deepStrictEqual(await app(props.readPort, "SELECT count(*)::int AS n, pg_is_in_recovery() AS r FROM kept"), [{ n: 150, r: true }]);
    });

    it("deleting the set while the single is paused still drops its slots, and leaves the single stopped", async () => {
      await pauseSingle(true);
      props = (await P.update!(inputs.setId, props, (inputs = { ...inputs, sourceState: "paused" }))).outs;
      assert.strictEqual(slotDirs().length, 2);
      await P.delete!(inputs.setId, props);
      props = undefined;
      assert.deepStrictEqual(slotDirs(), []);
      assert.strictEqual(runningPostmaster(instancePaths(dataRoot, ss.resourceId).dataDir), undefined, "the single is stopped again");
      assert.ok(!fs.existsSync(replicasPaths(dataRoot, inputs.setId).dir));
      await pauseSingle(false);
      assert.deepStrictEqual(await sql(port, "postgres", ss.superuserPassword, "postgres", "SELECT count(*)::int AS n FROM pg_replication_slots"), [{ n: 0 }]);
    });
  });
});
