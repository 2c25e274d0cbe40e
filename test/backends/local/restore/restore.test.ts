/**
 * Restores on the local back end against real servers and a real pgBackRest repository: clones
 * (a new LocalServer whose data directory comes from `pgbackrest restore`) to a time, an LSN, a
 * backup and the latest point, and an in-place restore with its safety backup. Asserts on the rows
 * each server then holds: exactly those before the target, none after.
 */
import assert from "assert";
import * as fs from "fs";
import { backupLayout } from "../../../../components/backends/local/backup/pgbackrest";
import { readJobs, stopScheduler } from "../../../../components/backends/local/backup/policy";
import { RestoreTarget } from "../../../../components/backends/local/restore/pgbackrestRestore";
import { destroyServer } from "../../../../components/backends/local/server";
import { localBackupPolicyProvider } from "../../../../components/providers/localBackupPolicy";
import { localRestoreProvider } from "../../../../components/providers/localRestore";
import { localServerProvider } from "../../../../components/providers/localServer";
import { query, tempRoot } from "../../../harness/postgres";
import { serverInputs } from "../../../providers/support";
import { Source, archiveNow, backRestInfo, contents, fill, policyInputs, startSource } from "../backup/fixture";

describe("local restores from pgBackRest: PITR by time and LSN, clones, in place", function () {
  this.timeout(180_000);
  let root: string;
  let source: Source;
  let policy: Record<string, any>;
  const clones: Record<string, any>[] = [];
  /** Points in the source's history: after each batch of 1000 rows. */
  let fullLabel: string;
  let afterB: string;
  let afterC: string;

  /** A clone of the source made by the LocalServer provider, restored to `target`, with its own names and passwords. */
  async function clone(target: RestoreTarget, names = { databaseName: "app", username: "app" }) {
    const inputs = serverInputs(root, {
      ...names,
      restore: { repoPath: policy.repoPath, stanza: source.spec.resourceId, target, databaseName: "app", username: "app" },
    } as any);
    const { outs } = await localServerProvider.create!(inputs);
    clones.push(outs);
    const uri = `postgresql://${names.username}:${inputs.password}@127.0.0.1:${outs.port}/${names.databaseName}`;
    return { outs, uri, inputs };
  }

  /** What the source held up to row `id` (the expected contents of a restore). */
  async function sourceUpTo(id: number) {
    const [r] = await query(source.appUri, "SELECT count(*)::int AS count, min(id) AS min, max(id) AS max, md5(coalesce(string_agg(id || ':' || v, ',' ORDER BY id), '')) AS md5 FROM t WHERE id <= $1", [id]);
    return r;
  }

  before(async () => {
    root = tempRoot();
    source = await startSource(root);
    await fill(source.appUri, 1, 1000); // A: in the full backup
    policy = (await localBackupPolicyProvider.create!(policyInputs(source))).outs;
    fullLabel = policy.backups[0].id;
    await fill(source.appUri, 1001, 2000); // B
    await new Promise((r) => setTimeout(r, 1100));
    afterB = (await query(source.adminUri, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS t"))[0].t;
    await new Promise((r) => setTimeout(r, 1100));
    await fill(source.appUri, 2001, 3000); // C
    afterC = (await query(source.adminUri, "SELECT pg_current_wal_lsn()::text AS l"))[0].l;
    await fill(source.appUri, 3001, 4000); // D
    await archiveNow(source.adminUri);
  });

  after(async () => {
    for (const c of clones) await localServerProvider.delete!(c.resourceId, c as any).catch(() => undefined);
    if (policy) await localBackupPolicyProvider.delete!(policy.policyId, policy as any).catch(() => undefined);
    if (source) await stopScheduler(root, source.spec.resourceId); // in case a test failed before the delete
    await destroyServer(root, source?.spec.resourceId ?? "none");
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("PITR to a time: exactly the rows committed before it exist, none after", async () => {
    const { uri } = await clone({ type: "time", time: afterB });
    assert.deepStrictEqual(await contents(uri), await sourceUpTo(2000));
    assert.deepStrictEqual((await contents(uri)).count, 2000);
  });

  it("PITR to an LSN: exactly the rows before it exist, none after", async () => {
    const { uri } = await clone({ type: "lsn", lsn: afterC });
    assert.deepStrictEqual(await contents(uri), await sourceUpTo(3000));
  });

  it("clones the latest point (every commit so far): equal row count and checksum, its own names and passwords, promoted, pushing no WAL into the source's repository", async () => {
    await fill(source.appUri, 100001, 100100); // committed, not yet archived: the clone archives the source's current WAL first
    const { uri, outs, inputs } = await clone({ type: "latest" }, { databaseName: "copy", username: "copy_app" });
    const want = await contents(source.appUri);
    assert.strictEqual(want.count, 4100);
    assert.deepStrictEqual(await contents(uri), want);
    const admin = `postgresql://postgres:${inputs.superuserPassword}@127.0.0.1:${outs.port}/postgres`;
    const [facts] = await query(admin, "SELECT pg_is_in_recovery() AS rec, (SELECT array_agg(datname::text ORDER BY datname) FROM pg_database WHERE datname NOT LIKE 'template%') AS dbs");
    assert.deepStrictEqual(facts, { rec: false, dbs: ["copy", "postgres"] });
    await assert.rejects(query(`postgresql://postgres:${source.spec.superuserPassword}@127.0.0.1:${outs.port}/postgres`, "SELECT 1"), /password authentication failed/);
    // The copy writes on its own timeline; its archive hook has no configuration, so nothing reaches the source's repository.
    const before = await backRestInfo(source);
    await query(uri, "INSERT INTO t VALUES (999999, 'clone only')");
    await query(admin, "SELECT pg_switch_wal()");
    await new Promise((r) => setTimeout(r, 1000));
    const after = await backRestInfo(source);
    assert.deepStrictEqual(after.archive, before.archive, "the source's WAL archive is unchanged");
    assert.strictEqual(fs.existsSync(backupLayout(root, outs.resourceId).config), false);
  });

  it("clones a chosen backup: exactly the rows it holds", async () => {
    const { uri } = await clone({ type: "backup", backupId: fullLabel });
    assert.deepStrictEqual(await contents(uri), await sourceUpTo(1000));
  });

  it("refuses a target before every backup, naming the earliest restorable point, and leaves nothing", async () => {
    const entries = fs.readdirSync(root).sort();
    await assert.rejects(clone({ type: "time", time: "2020-01-01T00:00:00.000Z" }), (err: any) => {
      const b = policy.backups[0];
      assert.strictEqual(
        err.message,
        `\`restore.targetTime\` 2020-01-01T00:00:00.000Z is before every backup of \`${source.spec.resourceId}\`: the earliest restorable point is ${b.stoppedAt} (LSN ${b.lsnStop}, the end of backup ${b.id})`,
      );
      return true;
    });
    assert.deepStrictEqual(fs.readdirSync(root).sort(), entries);
  });

  it("restores in place: a safety backup first, then the data at the chosen point, same port and passwords", async () => {
    const point = (await query(source.adminUri, "SELECT pg_current_wal_lsn()::text AS l"))[0].l; // after D
    const atPoint = await contents(source.appUri);
    await fill(source.appUri, 4001, 5000); // E: after the point, replaced by the restore
    await archiveNow(source.adminUri);
    const inputs = {
      kind: "pgplatform:local:restore",
      policyName: "nightly",
      resourceId: source.spec.resourceId,
      version: "15",
      dataRoot: root,
      runAs: "postgres",
      repoPath: policy.repoPath,
      schedulerScript: policy.schedulerScript,
      target: { type: "lsn" as const, lsn: point },
      superuser: "postgres",
      superuserPassword: source.spec.superuserPassword,
      username: "app",
      password: source.spec.password,
      binarySearchPaths: source.spec.binarySearchPaths,
      confirm: true,
    };
    assert.deepStrictEqual((await localRestoreProvider.check!({}, { ...inputs, confirm: false })).failures, [
      { property: "confirm", reason: "`restoreInPlace.confirm` must be `true`: an in-place restore replaces the data of the db_resource (a safety backup is taken first)" },
    ]);
    const { outs } = await localRestoreProvider.create!(inputs);
    // Same port, same passwords: the application's URI still works, and holds the rows up to the point only.
    assert.deepStrictEqual(atPoint.count, 4100);
    assert.deepStrictEqual(await contents(source.appUri), atPoint);
    const [{ rec }] = await query(source.adminUri, "SELECT pg_is_in_recovery() AS rec");
    assert.strictEqual(rec, false);
    // The safety backup is listed by pgBackRest, and holds what the restore replaced.
    const info = await backRestInfo(source);
    assert.ok(info.backup.some((b: any) => b.label === outs.safetyBackup), `${outs.safetyBackup} is listed`);
    assert.deepStrictEqual(readJobs(root, source.spec.resourceId).filter((j) => j.trigger === "safety").map((j) => j.label), [outs.safetyBackup]);
    const { uri } = await clone({ type: "backup", backupId: outs.safetyBackup });
    assert.deepStrictEqual((await contents(uri)).count, 5100);
    // The restored server goes on archiving into its repository on its new timeline.
    const [{ tl }] = await query(source.adminUri, "SELECT timeline_id AS tl FROM pg_control_checkpoint()");
    assert.ok(tl >= 2, `timeline ${tl}`);
    await archiveNow(source.adminUri);
  });
});
