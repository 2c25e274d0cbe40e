/**
 * BackupPolicy and restore on a real local PgCluster (Patroni + etcd + HAProxy, PostgreSQL 15,
 * 1 primary + 1 standby): pgBackRest configured over every member, the first backup listed as
 * `pgbackrest info` lists it, a clone cluster restored to a time with exactly the rows committed
 * before it (its superuser and replication passwords its own, its standby streaming), and WAL still
 * archived, and backups still taken, after a switchover to the other member.
 */
import assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { backupLayout, clusterArchiveCommand, findPgBackRest } from "../../../../components/backends/local/backup/pgbackrest";
import { SCHEDULER_SCRIPT } from "../../../../components/backends/local/backup/render";
import { LocalClusterState, createCluster, destroyCluster } from "../../../../components/backends/local/cluster/cluster";
import { callRest } from "../../../../components/backends/local/cluster/rest";
import { LocalClusterSpec, REPLICATION_USER, REST_USER, clusterPaths, memberPaths } from "../../../../components/backends/local/cluster/spec";
import { waitUntil } from "../../../../components/backends/local/cluster/daemon";
import { readView } from "../../../../components/backends/local/cluster/patroni";
import { execTool } from "../../../../components/backends/local/process";
import { serviceUser } from "../../../../components/backends/local/serviceUser";
import { LOCAL_BACKUP_POLICY_KIND, LocalBackupPolicyInputs, localBackupPolicyProvider } from "../../../../components/providers/localBackupPolicy";
import { processesMentioning, query, tempRoot } from "../../../harness/postgres";
import { clusterSpec, sql } from "../cluster/support";

/** A 1 + 1 asynchronous cluster with the archive hook and the private socket, as the local back end renders it. */
function backedUpSpec(dataRoot: string, overrides: Partial<LocalClusterSpec> = {}): LocalClusterSpec {
  const spec = clusterSpec(dataRoot, { standbys: 1, syncStandbys: 0, backupAccess: true, ...overrides });
  return { ...spec, archiveCommand: clusterArchiveCommand(clusterPaths(dataRoot, spec.resourceId).dir, spec.resourceId) };
}

function membersOf(spec: LocalClusterSpec, state: LocalClusterState) {
  return state.layout.members.map((m) => ({ dataDir: memberPaths(clusterPaths(spec.dataRoot, spec.resourceId).dir, m.name).dataDir, port: m.pgPort }));
}

const uri = (spec: LocalClusterSpec, port: number, user = "app", password = spec.password, db = "app") =>
  `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;

/** Closes the current WAL segment through the write endpoint and waits until it is archived. */
async function archiveNow(spec: LocalClusterSpec, port: number): Promise<void> {
  const admin = uri(spec, port, "postgres", spec.superuserPassword, "postgres");
  const [{ wal }] = await query(admin, "SELECT pg_walfile_name(pg_switch_wal()) AS wal");
  await waitUntil(`WAL ${wal} to be archived`, 30_000, async () => {
    const [a] = await query(admin, "SELECT EXISTS (SELECT 1 FROM pg_ls_archive_statusdir() WHERE name = $1 || '.ready') AS pending", [wal]);
    return !a.pending;
  }, 100);
}

describe("BackupPolicy and restore of a local PgCluster (real Patroni, pgBackRest)", function () {
  this.timeout(240_000);
  let dataRoot: string;
  let source: LocalClusterSpec;
  let state: LocalClusterState;
  let clone: LocalClusterSpec | undefined;
  let inputs: LocalBackupPolicyInputs;
  let outs: any;

  before(async () => {
    dataRoot = tempRoot();
    source = backedUpSpec(dataRoot);
    state = await createCluster(source);
    await sql(state.writePort, "app", source.password, "app", "CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)");
    inputs = {
      kind: LOCAL_BACKUP_POLICY_KIND,
      policyName: "nightly",
      policyId: `${source.resourceId}/nightly`,
      resourceId: source.resourceId,
      dataRoot,
      runAs: "postgres",
      repoPath: path.join(dataRoot, "repo"),
      port: 0,
      members: membersOf(source, state),
      superuser: "postgres",
      cron: "0 3 * * *",
      retentionDays: 7,
      pitr: true,
      fullBackupEvery: "week",
      incrementalType: "incremental",
      schedulerScript: SCHEDULER_SCRIPT,
      backupNow: "",
      targetSoftDeleteDays: 0,
    };
    outs = (await localBackupPolicyProvider.create!(inputs)).outs;
  });

  after(async () => {
    if (outs) await localBackupPolicyProvider.delete!(inputs.policyId, outs);
    if (clone) await destroyCluster(dataRoot, clone.resourceId);
    if (source) await destroyCluster(dataRoot, source.resourceId);
    fs.rmSync(dataRoot, { recursive: true, force: true });
    assert.deepStrictEqual(processesMentioning(dataRoot), [], "no process of either cluster, nor the scheduler, is left");
  });

  it("lists every member in pgbackrest.conf and takes the first full backup from the primary, as `pgbackrest info` lists it", async () => {
    const layout = backupLayout(dataRoot, source.resourceId);
    const conf = fs.readFileSync(layout.config, "utf8");
    for (const [i, m] of inputs.members!.entries()) {
      assert.ok(conf.includes(`pg${i + 1}-path=${m.dataDir}\npg${i + 1}-port=${m.port}\n`), `pg${i + 1} is member ${m.dataDir}`);
    }
    const r = await execTool(findPgBackRest()!, [`--config=${layout.config}`, `--stanza=${source.resourceId}`, "--output=json", "info"], serviceUser("postgres"));
    assert.strictEqual(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout)[0];
    assert.strictEqual(info.status.message, "ok");
    assert.deepStrictEqual(
      outs.backups.map((b: any) => [b.id, b.type, b.status, b.lsnStart, b.lsnStop]),
      info.backup.map((b: any) => [b.label, "full", "DONE", b.lsn.start, b.lsn.stop]),
    );
    assert.strictEqual(outs.backups.length, 1);
    assert.strictEqual(outs.status, "RUNNING");
    assert.ok(outs.schedulerRunning);
  });

  it("clones the cluster at a time: exactly the rows committed before it, with the clone's own passwords and a streaming standby", async () => {
    await sql(state.writePort, "app", source.password, "app", "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 100) g");
    await new Promise((r) => setTimeout(r, 1_100));
    const [{ at }] = await sql(state.writePort, "app", source.password, "app", "SELECT now() AS at");
    await new Promise((r) => setTimeout(r, 1_100));
    await sql(state.writePort, "app", source.password, "app", "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(101, 200) g");
    const time = new Date(at).toISOString();
    clone = backedUpSpec(dataRoot, {
      databaseName: "copy",
      username: "copy",
      restore: { repoPath: inputs.repoPath, stanza: source.resourceId, target: { type: "time", time }, databaseName: "app", username: "app" },
    });
    const c = await createCluster(clone);
    const [rows] = await sql(c.writePort, "copy", clone.password, "copy", "SELECT count(*)::int AS n, min(id) AS lo, max(id) AS hi FROM t");
    assert.deepStrictEqual(rows, { n: 100, lo: 1, hi: 100 }, `rows committed at or before ${time}, none after`);
    // Patroni gave the restored roles the clone's passwords; the source's no longer open it.
    await sql(c.writePort, "postgres", clone.superuserPassword, "postgres", "SELECT 1");
    await assert.rejects(sql(c.writePort, "postgres", source.superuserPassword, "postgres", "SELECT 1"), /password authentication failed/);
    const view = await readView(c.layout.members);
    assert.deepStrictEqual(view?.members.map((m) => [m.role, m.state]).sort(), [["leader", "running"], ["replica", "running"]]);
    // A running replica may still be starting its WAL receiver: wait for the stream (30 s at most).
    const cloneSuperuserPassword = clone.superuserPassword;
    await waitUntil("the clone's standby to stream as replicator with the clone's replication password", 30_000, async () => {
      const [rep] = await sql(c.writePort, "postgres", cloneSuperuserPassword, "postgres", "SELECT count(*)::int AS n FROM pg_stat_replication WHERE usename = $1", [REPLICATION_USER]);
      return rep.n === 1;
    }, 250);
    // The clone archives only through its own (absent) pgbackrest.conf, never into the source's repository.
    const [a] = await sql(c.writePort, "postgres", clone.superuserPassword, "postgres", "SELECT current_setting('archive_mode') AS m, current_setting('archive_command') AS c");
    assert.strictEqual(a.m, "on");
    assert.ok(a.c.includes(`${clusterPaths(dataRoot, clone.resourceId).dir}/backup/pgbackrest.conf`), a.c);
  });

  it("after a switchover, the new primary archives WAL and the next backup is taken from it", async () => {
    const before = await readView(state.layout.members);
    const candidate = before!.members.find((m) => m.role !== "leader")!.name;
    const leaderPort = state.layout.members.find((m) => m.name === before!.leader)!.restPort;
    const r = await callRest(leaderPort, "POST", "/switchover", { body: { leader: before!.leader, candidate }, auth: { username: REST_USER, password: source.superuserPassword }, timeoutMs: 60_000 });
    assert.strictEqual(r.status, 200, JSON.stringify(r.body));
    await waitUntil("the write endpoint to reach the new primary", 60_000, async () => {
      const [w] = await sql(state.writePort, "postgres", source.superuserPassword, "postgres", "SELECT pg_is_in_recovery() AS r, inet_server_port() AS p").catch(() => [{ r: true }]);
      return !w.r && w.p === state.layout.members.find((m) => m.name === candidate)!.pgPort;
    }, 250);
    await sql(state.writePort, "app", source.password, "app", "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(201, 300) g");
    await archiveNow(source, state.writePort);
    const updated = (await localBackupPolicyProvider.update!(inputs.policyId, outs, { ...inputs, backupNow: "after-switchover" })).outs;
    outs = updated;
    const done = updated.backups.filter((b: any) => b.status === "DONE");
    assert.deepStrictEqual(done.map((b: any) => b.type), ["full", "incremental"]);
    assert.strictEqual(updated.lastJob.status, "DONE");
    assert.strictEqual(updated.status, "RUNNING");
  });
});
