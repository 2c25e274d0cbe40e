/**
 * Streaming replicas of a real local pg_single (PostgreSQL 15): each is `pg_basebackup -R` of the
 * single with its own slot, running its own hot-standby PostgreSQL; the set's HAProxy keeps in the
 * read pool only replicas within the lag policy (the external check: replay position against the
 * single's current WAL position, in bytes and in seconds). Without Patroni nothing resumes a paused
 * replay, so `pg_wal_replay_pause()` holds by itself. Also: per-replica endpoints, PgBouncer, drift
 * (a dead replica) and its repair, scale down (its slot dropped), delete (slots dropped, nothing left).
 */
import assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { LocalServerSpec, LocalServerState, createServer, destroyServer } from "../../../../components/backends/local/server";
import { haproxyServers, LocalReplicasState } from "../../../../components/backends/local/replicas/replicas";
import { createSingleReplicas, destroySingleReplicas, inspectSingleReplicas, slotOf, slotPrefix, updateSingleReplicas } from "../../../../components/backends/local/replicas/single";
import { LocalReplicasSpec, replicasPaths } from "../../../../components/backends/local/replicas/spec";
import { waitUntil } from "../../../../components/backends/local/cluster/daemon";
import { memberPaths } from "../../../../components/backends/local/cluster/spec";
import { runningPostmaster } from "../../../../components/backends/local/process";
import { lookupUser } from "../../../../components/backends/local/serviceUser";
import { processesMentioning, tempRoot } from "../../../harness/postgres";
import { sql } from "../cluster/support";
import { sourceSingleSpec } from "./support";

describe("local replicas of a PgSingle: pg_basebackup -R, lag policy, endpoints, drift (real processes)", function () {
  this.timeout(120_000);
  let dataRoot: string;
  let ss: LocalServerSpec;
  let server: LocalServerState;
  let spec: LocalReplicasSpec;
  let state: LocalReplicasState;
  const su = (port: number, text: string, params: unknown[] = []) => sql(port, "postgres", ss.superuserPassword, "postgres", text, params);
  const app = (port: number, text: string) => sql(port, "app", ss.password, "app", text);
  const inPool = async (name: string) => (await inspectSingleReplicas(spec))!.replicaStates.find((r) => r.name === name)!.inPool;
  const slots = async () => (await su(server.port, "SELECT slot_name AS s, active AS a FROM pg_replication_slots ORDER BY 1")).map((r) => [r.s, r.a]);

  before(async () => {
    dataRoot = tempRoot();
    ss = sourceSingleSpec(dataRoot);
    server = await createServer(ss);
    spec = {
      setId: `${ss.resourceId}-reads`,
      clusterId: ss.resourceId,
      dataRoot,
      runAs: "postgres",
      primaryPort: server.port,
      superuser: "postgres",
      superuserPassword: ss.superuserPassword,
      databaseName: "app",
      username: "app",
      replicas: 2,
      lagPolicy: { maxBytes: 1024 * 1024 },
      endpointStrategy: "per_replica",
      pooling: { enabled: true, mode: "transaction", maxClientConnections: 50, defaultPoolSize: 5 },
      bindAddress: "127.0.0.1",
      sourceKind: "single",
      binDir: server.binDir,
    };
    await app(server.port, "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 10) g");
    state = await createSingleReplicas(spec);
  });

  after(async () => {
    if (spec) {
      await destroySingleReplicas(spec);
      assert.deepStrictEqual(await slots(), [], "delete drops the set's replication slots on the single");
      assert.ok(!fs.existsSync(replicasPaths(dataRoot, spec.setId).dir));
    }
    if (ss) await destroyServer(dataRoot, ss.resourceId);
    fs.rmSync(dataRoot, { recursive: true, force: true });
    assert.deepStrictEqual(processesMentioning(dataRoot), [], "no process of the single or its replicas is left");
  });

  it("streams 2 hot standbys from their own slots; rows written on the single appear through the read port, round robin", async () => {
    assert.deepStrictEqual(state.drift, []);
    assert.strictEqual(state.status, "RUNNING");
    const [r0, r1] = state.layout.members;
    assert.deepStrictEqual(state.replicaStates.map((r) => [r.name, r.state, r.inPool]), [[`${spec.setId}-r0`, "streaming", true], [`${spec.setId}-r1`, "streaming", true]]);
    assert.deepStrictEqual(await slots(), [[slotOf(spec.setId, r0.name), true], [slotOf(spec.setId, r1.name), true]].sort());
    const senders = await su(server.port, "SELECT application_name AS n, state FROM pg_stat_replication ORDER BY 1");
    assert.deepStrictEqual(senders, [{ n: r0.name, state: "streaming" }, { n: r1.name, state: "streaming" }]);
    await app(server.port, "INSERT INTO t SELECT g FROM generate_series(11, 25) g");
    await waitUntil("the new rows on both replicas", 15_000, async () => (await Promise.all(state.layout.members.map(async (m) => (await app(m.pgPort, "SELECT count(*)::int AS n FROM t"))[0].n))).every((n) => n === 25));
    const ports = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const [row] = await app(state.readPort, "SELECT inet_server_port() AS port, pg_is_in_recovery() AS r, count(*)::int AS n FROM t");
      assert.deepStrictEqual([row.r, row.n], [true, 25]);
      ports.add(row.port);
    }
    assert.deepStrictEqual([...ports].sort(), [r0.pgPort, r1.pgPort].sort(), "round robin over both replicas");
    for (const m of state.layout.members) assert.strictEqual((await app(m.endpointPort!, "SELECT inet_server_port() AS port"))[0].port, m.pgPort);
    const [pooled] = await app(state.poolerPort!, "SELECT current_user AS u, pg_is_in_recovery() AS r");
    assert.deepStrictEqual(pooled, { u: "app", r: true });
    await assert.rejects(app(state.readPort, "INSERT INTO t VALUES (0)"), /read-only transaction/);
  });

  it("keeps the password out of argv and the replicas' data: primary_conninfo names the 0600 passfile owned by the service user", async () => {
    const p = replicasPaths(dataRoot, spec.setId);
    const st = fs.statSync(p.pgpass);
    assert.deepStrictEqual([st.mode & 0o777, st.uid], [0o600, lookupUser("postgres")!.uid]);
    const dataDir = memberPaths(p.dir, state.layout.members[0].name).dataDir;
    const auto = fs.readFileSync(path.join(dataDir, "postgresql.auto.conf"), "utf8");
    assert.match(auto, new RegExp(`primary_conninfo = '.*passfile=''?${p.pgpass.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
    assert.ok(!auto.includes(ss.superuserPassword) && !/password=/.test(auto), "no password in postgresql.auto.conf");
    assert.match(auto, new RegExp(`primary_slot_name = '${slotOf(spec.setId, state.layout.members[0].name)}'`));
    for (const pid of processesMentioning(dataRoot)) assert.ok(!fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(ss.superuserPassword), `no password in the argv of ${pid}`);
    const [settings] = await su(state.layout.members[0].pgPort, "SELECT current_setting('port') AS port, current_setting('hot_standby') AS hs, current_setting('archive_mode') AS am, current_setting('max_connections') AS mc");
    assert.deepStrictEqual(settings, { port: String(state.layout.members[0].pgPort), hs: "on", am: "off", mc: "40" });
  });

  it("bytes policy: a replica with replay paused (no Patroni to resume it) leaves the pool once 1 MB behind, and returns after resume", async () => {
    const [r0, r1] = state.layout.members;
    await su(r0.pgPort, "SELECT pg_wal_replay_pause()");
    await app(server.port, "CREATE TABLE lag_probe AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 20000) g");
    // Honest about what is measured: the paused replica still RECEIVES the WAL; only its replay stands still.
    await waitUntil("the paused replica to receive the new WAL", 30_000, async () => {
      const [row] = await su(r0.pgPort, "SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) AS behind, pg_get_wal_replay_pause_state() AS s");
      return Number(row.behind) > 1024 * 1024 && row.s === "paused";
    });
    const sock = replicasPaths(dataRoot, spec.setId).haproxySocket;
    await waitUntil("the paused replica to leave both listens", 30_000, async () => {
      const s = await haproxyServers(sock);
      return s[`replicas/${r0.name}`] === "DOWN" && s[`replica_${r0.name}/${r0.name}`] === "DOWN";
    });
    assert.strictEqual(await inPool(r1.name), true, "the other replica stays");
    const seen = (await inspectSingleReplicas(spec))!.replicaStates[0];
    assert.ok(seen.lagBytes! > 1024 * 1024, `read() reports its lag: ${seen.lagBytes}`);
    for (let i = 0; i < 3; i++) assert.strictEqual((await app(state.readPort, "SELECT inet_server_port() AS port"))[0].port, r1.pgPort, "reads go to the replica within the policy only");
    await assert.rejects(app(r0.endpointPort!, "SELECT 1"), "its own endpoint serves nothing while it lags");
    await su(r0.pgPort, "SELECT pg_wal_replay_resume()");
    await waitUntil("the resumed replica to return to the read pool", 30_000, () => inPool(r0.name));
    // Its own endpoint is a listen of its own with its own health check: it comes back on its own beat.
    await waitUntil("the resumed replica's own endpoint to serve again", 30_000, async () => (await haproxyServers(sock))[`replica_${r0.name}/${r0.name}`]?.startsWith("UP") ?? false);
    assert.strictEqual((await app(r0.endpointPort!, "SELECT count(*)::int AS n FROM lag_probe"))[0].n, 20000);
  });

  it("read() reports a dead replica as drift; update restarts it; seconds policy and scale to 1 drop the other's slot", async () => {
    const [r0, r1] = state.layout.members;
    const pm = runningPostmaster(memberPaths(replicasPaths(dataRoot, spec.setId).dir, r0.name).dataDir)!;
    process.kill(pm.pid, "SIGKILL");
    await waitUntil("HAProxy to mark the dead replica down", 15_000, async () => !(await inPool(r0.name)));
    const drifted = (await inspectSingleReplicas(spec))!;
    assert.deepStrictEqual(drifted.drift, [`replica ${r0.name}: postgres stopped`]);
    assert.strictEqual(drifted.status, "RUNNING", "the other replica still serves");
    state = await updateSingleReplicas(spec, (spec = { ...spec, replicas: 1, lagPolicy: { maxSeconds: 3 } }));
    assert.deepStrictEqual(state.layout.members.map((m) => m.name), [r0.name]);
    assert.ok(!fs.existsSync(memberPaths(replicasPaths(dataRoot, spec.setId).dir, r1.name).dir));
    await waitUntil("the restarted replica to stream", 15_000, async () => (await inspectSingleReplicas(spec))!.drift.length === 0);
    assert.deepStrictEqual(await slots(), [[slotOf(spec.setId, r0.name), true]]);
    assert.ok(slotOf(spec.setId, r0.name).startsWith(slotPrefix(spec.setId)));
    await waitUntil("the replica to be in the pool under the seconds policy", 30_000, () => inPool(r0.name));
    await su(r0.pgPort, "SELECT pg_wal_replay_pause()");
    await app(server.port, "INSERT INTO lag_probe VALUES (0, 'late')");
    const paused = Date.now();
    await waitUntil("the paused replica to leave the pool", 30_000, async () => !(await inPool(r0.name)));
    assert.ok(Date.now() - paused >= 2_000, "it stays while its replay delay is within 3 s");
    await su(r0.pgPort, "SELECT pg_wal_replay_resume()");
    await waitUntil("the resumed replica to return", 30_000, () => inPool(r0.name));
    assert.strictEqual((await app(state.readPort, "SELECT count(*)::int AS n FROM lag_probe"))[0].n, 20001);
  });
});
