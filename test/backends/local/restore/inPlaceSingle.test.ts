/**
 * `restore: { mode: "in_place" }` on a local PgSingle, against a real server and a real pgBackRest
 * repository, through the LocalRestore provider (serialized and driven over gRPC by the SDK's
 * dynamic-provider host, as `pulumi up` does) with the inputs the PgSingle registers (no
 * repository, no policy name: the repository comes from the pgBackRest configuration its
 * BackupPolicy wrote). Without a policy: the exact error, nothing changed. With one (its repository
 * at a `location.path` of its own, two backups): exactly the rows before the target time, the same
 * port and passwords, a safety backup listed; the same inputs again, an update and a delete change
 * nothing on the server.
 */
import assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { backupLayout } from "../../../../components/backends/local/backup/pgbackrest";
import { readJobs, stopScheduler } from "../../../../components/backends/local/backup/policy";
import { SCHEDULER_SCRIPT } from "../../../../components/backends/local/backup/render";
import { instancePaths } from "../../../../components/backends/local/instance";
import { runningPostmaster } from "../../../../components/backends/local/process";
import { destroyServer } from "../../../../components/backends/local/server";
import { localBackupPolicyProvider } from "../../../../components/providers/localBackupPolicy";
import { LocalRestoreInputs, localRestoreProvider } from "../../../../components/providers/localRestore";
import { query, tempRoot } from "../../../harness/postgres";
import { ProviderHost, makeUrn, serializeProvider } from "../../../harness/providerHost";
import { Source, archiveNow, backRestInfo, contents, fill, policyInputs, startSource } from "../backup/fixture";

describe("local PgSingle `restore.mode: \"in_place\"` from its own backups (real pgBackRest)", function () {
  this.timeout(180_000);
  let root: string;
  let source: Source;
  let policy: Record<string, any> | undefined;

  /** The LocalRestore inputs a PgSingle with `restore: { mode: "in_place", targetTime, confirm: true }` registers (see component.test.ts). */
  function singleRestoreInputs(time: string): LocalRestoreInputs {
    return {
      kind: "pgplatform:local:restore",
      resourceId: source.spec.resourceId,
      version: "15",
      dataRoot: root,
      runAs: "postgres",
      schedulerScript: SCHEDULER_SCRIPT,
      target: { type: "time", time },
      superuser: "postgres",
      superuserPassword: source.spec.superuserPassword,
      username: "app",
      password: source.spec.password,
      binarySearchPaths: source.spec.binarySearchPaths,
      confirm: true,
    };
  }

  /** The server's UTC clock as ISO 8601. */
  async function serverNow(): Promise<string> {
    return (await query(source.adminUri, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS t"))[0].t;
  }

  before(async () => {
    root = tempRoot();
    source = await startSource(root);
    await fill(source.appUri, 1, 1000);
  });

  after(async () => {
    if (policy) await localBackupPolicyProvider.delete!(policy.policyId, policy as any).catch(() => undefined);
    if (source) await stopScheduler(root, source.spec.resourceId);
    await destroyServer(root, source?.spec.resourceId ?? "none");
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("without a BackupPolicy: fails naming `restore.mode` and what to do, and changes nothing on the server", async () => {
    const paths = instancePaths(root, source.spec.resourceId);
    const pm = runningPostmaster(paths.dataDir);
    const before = await contents(source.appUri);
    const config = backupLayout(root, source.spec.resourceId).config;
    await assert.rejects(localRestoreProvider.create!(singleRestoreInputs(await serverNow())), {
      message:
        `\`restore.mode\` \`in_place\` restores \`${source.spec.resourceId}\` from its own backups, and no BackupPolicy backs it up (no pgBackRest configuration at ${config}); nothing was changed. ` +
        "Give it a BackupPolicy (`target` this PgSingle; its first `up` takes a full backup), then ask again. " +
        "A new PgSingle has no backups of its own: create it without `restore`, or restore a clone with `restore: { from: <a BackupPolicy>, ... }`",
    });
    assert.deepStrictEqual(runningPostmaster(paths.dataDir), pm, "the same postmaster still runs");
    assert.deepStrictEqual(await contents(source.appUri), before);
    assert.strictEqual(before.count, 1000);
    assert.strictEqual(fs.existsSync(backupLayout(root, source.spec.resourceId).dir), false, "no backup directory was written");
  });

  describe("with a BackupPolicy whose repository is at its own `location.path`", () => {
    const urn = makeUrn("pulumi-nodejs:dynamic/pgplatform:LocalRestore", "orders-restore-in-place");
    let host: ProviderHost;
    let providerText: string;
    let target: string;
    let restored: { id: string; properties: Record<string, any> };

    before(async () => {
      providerText = await serializeProvider(localRestoreProvider);
      host = await ProviderHost.start();
      const inputs = policyInputs(source, { repoPath: path.join(root, "repo-elsewhere") });
      const created = (await localBackupPolicyProvider.create!(inputs)).outs; // backup 1: full, rows 1..1000
      policy = created;
      await fill(source.appUri, 1001, 2000);
      await new Promise((r) => setTimeout(r, 1100));
      target = await serverNow();
      await new Promise((r) => setTimeout(r, 1100));
      await fill(source.appUri, 2001, 3000);
      policy = (await localBackupPolicyProvider.update!(created.policyId, created as any, { ...inputs, backupNow: "second" })).outs!; // backup 2: on demand
      await fill(source.appUri, 3001, 4000);
      await archiveNow(source.adminUri);
    });

    after(async () => {
      await host?.stop();
    });

    it("restores to `targetTime`: exactly the rows before it, the same port and passwords, a safety backup listed", async () => {
      assert.deepStrictEqual(
        policy!.backups.map((b: any) => b.status),
        ["DONE", "DONE"],
        "two backups before the restore",
      );
      const port = source.state.port;
      const [upTo2000] = await query(source.appUri, "SELECT count(*)::int AS count, min(id) AS min, max(id) AS max, md5(coalesce(string_agg(id || ':' || v, ',' ORDER BY id), '')) AS md5 FROM t WHERE id <= 2000");
      assert.strictEqual((await contents(source.appUri)).count, 4000);
      const inputs = { ...singleRestoreInputs(target), __provider: providerText };
      assert.deepStrictEqual((await host.check(urn, {}, { ...inputs, confirm: false })).failures, [
        { property: "confirm", reason: "`restore.confirm` must be `true` for `restore.mode` `in_place`: an in-place restore replaces the data of this db_resource (a safety backup is taken first)" },
      ]);
      assert.deepStrictEqual((await host.check(urn, {}, inputs)).failures, []);
      restored = await host.create(urn, inputs);
      assert.match(restored.id, new RegExp(`^${source.spec.resourceId}/restore-\\d{8}T\\d{9}Z$`));
      const outs = restored.properties;
      assert.strictEqual(outs.repository, path.join(root, "repo-elsewhere"), "the repository named by the policy's configuration");
      assert.strictEqual(outs.restoredSet, policy!.backups[0].id, "the newest backup that ended before the time");
      // The application's URI (same port, same password) holds rows 1..2000 only.
      assert.deepStrictEqual(await contents(source.appUri), upTo2000);
      assert.deepStrictEqual({ count: upTo2000.count, min: upTo2000.min, max: upTo2000.max }, { count: 2000, min: 1, max: 2000 });
      assert.strictEqual(runningPostmaster(instancePaths(root, source.spec.resourceId).dataDir)?.port, port);
      const [{ rec }] = await query(source.adminUri, "SELECT pg_is_in_recovery() AS rec");
      assert.strictEqual(rec, false);
      const info = await backRestInfo(source);
      assert.ok(info.backup.some((b: any) => b.label === outs.safetyBackup), `${outs.safetyBackup} is listed`);
      assert.deepStrictEqual(readJobs(root, source.spec.resourceId).filter((j) => j.trigger === "safety").map((j) => j.label), [outs.safetyBackup]);
    });

    it("the same inputs again do nothing; an update or a delete changes nothing on the server; a new target is a new restore", async () => {
      assert.ok(restored, "the restore above ran");
      await query(source.appUri, "INSERT INTO t VALUES (777777, 'after the restore')");
      const now = await contents(source.appUri);
      const { id, properties: olds } = restored;
      const inputs = { ...singleRestoreInputs(target), __provider: providerText };
      assert.deepStrictEqual(await host.diff(urn, id, olds, inputs), { changes: false, replaces: [], deleteBeforeReplace: false, diffs: [] });
      const updated = await host.update(urn, id, olds, inputs); // what the engine does when an input that makes no new restore changes
      assert.deepStrictEqual([updated.safetyBackup, updated.restoredSet, updated.restoredAt], [olds.safetyBackup, olds.restoredSet, olds.restoredAt]);
      await host.delete(urn, id, olds);
      assert.deepStrictEqual(await contents(source.appUri), now);
      assert.strictEqual(now.count, 2001);
      assert.deepStrictEqual(await host.diff(urn, id, olds, { ...inputs, target: { type: "time", time: new Date().toISOString() } }), {
        changes: true,
        replaces: ["target"],
        deleteBeforeReplace: false,
        diffs: [],
      });
    });
  });
});
