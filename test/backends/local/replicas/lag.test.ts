/**
 * A real ReadReplicaSet on a real local cluster: replicas join the cluster's Patroni as
 * `nofailover` members and stream; the set's HAProxy enforces the lag policy. A replica whose
 * replay is paused (it still RECEIVES WAL, as asserted) leaves the read pool once the primary has
 * moved on past the policy, and comes back after resume: first with Patroni's `/replica?lag=`
 * (bytes, measured against the replayed position), then with the external check (seconds).
 * PgBouncer pools in front of the read port with SCRAM verifiers only.
 *
 * Patroni 3.0.2 resumes a paused WAL replay on PostgreSQL 14+ at every HA loop (it takes the pause
 * for one caused by a parameter change), so the lag cases put the cluster in Patroni's maintenance
 * mode (`pause: true`) while replay is paused by hand; the lag checks themselves do not depend on it.
 */
import assert from "assert";
import * as fs from "fs";
import { LocalClusterState, createCluster, destroyCluster } from "../../../../components/backends/local/cluster/cluster";
import { LocalClusterSpec } from "../../../../components/backends/local/cluster/spec";
import { LocalReplicasState, createReplicas, destroyReplicas, haproxyServers, inspectReplicas, updateReplicas } from "../../../../components/backends/local/replicas/replicas";
import { LocalReplicasSpec, replicasPaths } from "../../../../components/backends/local/replicas/spec";
import { waitUntil } from "../../../../components/backends/local/cluster/daemon";
import { patchConfig } from "../../../../components/backends/local/cluster/patroni";
import { lookupUser } from "../../../../components/backends/local/serviceUser";
import { processesMentioning, tempRoot } from "../../../harness/postgres";
import { clusterSpec, sql } from "../cluster/support";

describe("local ReadReplicaSet on a cluster: lag policy, endpoints, pooler (real processes)", function () {
  this.timeout(180_000);
  let dataRoot: string;
  let cs: LocalClusterSpec;
  let cluster: LocalClusterState;
  let spec: LocalReplicasSpec;
  let state: LocalReplicasState;
  const su = (port: number, text: string) => sql(port, "postgres", cs.superuserPassword, "postgres", text);
  const maintenance = async (on: boolean) => {
    await patchConfig(cluster.layout.members, { pause: on }, cs.superuserPassword);
    await waitUntil(`Patroni maintenance mode ${on}`, 15_000, async () => (await fetch(`http://127.0.0.1:${cluster.layout.members[0].restPort}/cluster`).then((r) => r.json() as Promise<any>)).pause === (on || undefined));
  };
  const inPool = async (name: string) => (await inspectReplicas(spec))!.replicaStates.find((r) => r.name === name)!.inPool;

  before(async () => {
    dataRoot = tempRoot();
    cs = clusterSpec(dataRoot, { standbys: 1, syncStandbys: 0 });
    cluster = await createCluster(cs);
    spec = {
      setId: `${cs.resourceId}-reads`,
      clusterId: cs.resourceId,
      dataRoot,
      runAs: "postgres",
      primaryPort: cluster.writePort,
      superuser: "postgres",
      superuserPassword: cs.superuserPassword,
      databaseName: "app",
      username: "app",
      replicas: 2,
      lagPolicy: { maxBytes: 1024 * 1024 },
      endpointStrategy: "per_replica",
      pooling: { enabled: true, mode: "transaction", maxClientConnections: 50, defaultPoolSize: 5 },
      bindAddress: "127.0.0.1",
    };
    state = await createReplicas(spec);
  });

  after(async () => {
    if (spec) await destroyReplicas(dataRoot, spec.setId);
    if (cs) await destroyCluster(dataRoot, cs.resourceId);
    fs.rmSync(dataRoot, { recursive: true, force: true });
    assert.deepStrictEqual(processesMentioning(dataRoot), [], "no process of the cluster or the set is left");
  });

  it("streams 2 nofailover replicas, both in the read pool; the read port and each replica's port reach replicas only", async () => {
    assert.deepStrictEqual(state.drift, []);
    assert.strictEqual(state.status, "RUNNING");
    assert.deepStrictEqual(state.replicaStates.map((r) => [r.name, r.inPool]), [[`${spec.setId}-r0`, true], [`${spec.setId}-r1`, true]]);
    const patroni: any = await fetch(`http://127.0.0.1:${state.layout.members[0].restPort}/patroni`).then((r) => r.json());
    assert.deepStrictEqual(patroni.tags, { nofailover: true, nosync: true });
    const ports = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const [row] = await sql(state.readPort, "app", cs.password, "app", "SELECT inet_server_port() AS port, pg_is_in_recovery() AS r");
      assert.strictEqual(row.r, true);
      ports.add(row.port);
    }
    assert.deepStrictEqual([...ports].sort(), state.layout.members.map((m) => m.pgPort).sort(), "round robin over both replicas");
    for (const m of state.layout.members) {
      const [row] = await sql(m.endpointPort!, "app", cs.password, "app", "SELECT inet_server_port() AS port");
      assert.strictEqual(row.port, m.pgPort);
    }
  });

  it("pools through PgBouncer with the role's SCRAM verifier in a 0600 auth file, never the password", async () => {
    const [row] = await sql(state.poolerPort!, "app", cs.password, "app", "SELECT current_user AS u, pg_is_in_recovery() AS r");
    assert.deepStrictEqual(row, { u: "app", r: true });
    const p = replicasPaths(dataRoot, spec.setId);
    const st = fs.statSync(p.pgbouncerUsers);
    assert.strictEqual(st.mode & 0o777, 0o600);
    assert.strictEqual(st.uid, lookupUser("postgres")!.uid);
    const text = fs.readFileSync(p.pgbouncerUsers, "utf8");
    assert.match(text, /^"app" "SCRAM-SHA-256\$4096:/);
    assert.ok(!text.includes(cs.password), "no plaintext password in the auth file");
    assert.match(fs.readFileSync(p.pgbouncerIni, "utf8"), /pool_mode = transaction\nmax_client_conn = 50\ndefault_pool_size = 5\n/);
    await assert.rejects(sql(state.poolerPort!, "app", "wrong-password", "app", "SELECT 1"), /password authentication failed|SASL/);
  });

  it("Patroni's /replica?lag= check: a replica with replay paused leaves the pool once it is 1 MB behind, and returns after resume", async () => {
    const [r0, r1] = state.layout.members;
    await maintenance(true);
    await su(r0.pgPort, "SELECT pg_wal_replay_pause()");
    await sql(cluster.writePort, "app", cs.password, "app", "CREATE TABLE lag_probe AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 20000) g");
    // Honest about what is measured: the paused replica still RECEIVES the WAL; only its replay stands still.
    const [pos] = await waitUntil("the paused replica to receive the new WAL", 30_000, async () => {
      const rows = await su(r0.pgPort, "SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) AS behind");
      return Number(rows[0].behind) > 1024 * 1024 ? rows : undefined;
    });
    assert.ok(Number(pos.behind) > 1024 * 1024);
    // Each listen checks on its own: wait until both the shared read port and the replica's own port have it down.
    const sock = replicasPaths(dataRoot, spec.setId).haproxySocket;
    await waitUntil("the paused replica to leave the read pool", 30_000, async () => {
      const s = await haproxyServers(sock);
      return s[`replicas/${r0.name}`] === "DOWN" && s[`replica_${r0.name}/${r0.name}`] === "DOWN";
    });
    assert.strictEqual(await inPool(r1.name), true, "the other replica stays");
    for (let i = 0; i < 3; i++) {
      const [row] = await sql(state.readPort, "app", cs.password, "app", "SELECT inet_server_port() AS port");
      assert.strictEqual(row.port, r1.pgPort, "reads go to the replica within the policy only");
    }
    await assert.rejects(sql(r0.endpointPort!, "app", cs.password, "app", "SELECT 1"), "its own endpoint serves nothing while it lags");
    await su(r0.pgPort, "SELECT pg_wal_replay_resume()");
    await maintenance(false);
    await waitUntil("the resumed replica to return to the read pool", 30_000, () => inPool(r0.name));
    // Each listen checks on its own: its own port may come back a check interval after the shared one.
    await waitUntil("the resumed replica's own port to serve again", 30_000, async () => (await haproxyServers(sock))[`replica_${r0.name}/${r0.name}`] === "UP");
    const [row] = await sql(r0.endpointPort!, "app", cs.password, "app", "SELECT count(*)::int AS n FROM lag_probe");
    assert.strictEqual(row.n, 20000);
  });

  it("the external lag check (seconds): a replica whose replay stands still while the primary writes leaves after maxLagSeconds; scale down to 1", async () => {
    state = await updateReplicas(spec, (spec = { ...spec, replicas: 1, lagPolicy: { maxSeconds: 3 } }));
    assert.deepStrictEqual(state.layout.members.map((m) => m.name), [`${spec.setId}-r0`]);
    assert.match(fs.readFileSync(replicasPaths(dataRoot, spec.setId).haproxyCfg, "utf8"), /option external-check\n    external-check path "\/usr\/bin:\/bin"\n    external-check command .*lagcheck\.sh\n/);
    const [r0] = state.layout.members;
    await waitUntil("the replica to be in the pool under the external check", 30_000, () => inPool(r0.name));
    await maintenance(true);
    await su(r0.pgPort, "SELECT pg_wal_replay_pause()");
    await sql(cluster.writePort, "app", cs.password, "app", "INSERT INTO lag_probe VALUES (0, 'late')");
    const paused = Date.now();
    await waitUntil("the paused replica to leave the pool", 30_000, async () => !(await inPool(r0.name)));
    assert.ok(Date.now() - paused >= 2_000, "it stays while its replay delay is within 3 s");
    await su(r0.pgPort, "SELECT pg_wal_replay_resume()");
    await maintenance(false);
    await waitUntil("the resumed replica to return", 30_000, () => inPool(r0.name));
    const [row] = await sql(state.readPort, "app", cs.password, "app", "SELECT count(*)::int AS n FROM lag_probe");
    assert.strictEqual(row.n, 20001);
  });
});
