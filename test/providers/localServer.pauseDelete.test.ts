/**
 * The lifecycle of a local pg_single against a real PostgreSQL 15: pause (the server stopped, its
 * data kept, status PENDING and lifecycle PAUSED, no drift), changes while paused, resume; soft
 * delete (stopped, directory kept until the retention ends, then purged) and hard delete.
 */
import assert from "assert";
import * as fs from "fs";
import { instancePaths, socketDirOf } from "../../components/backends/local/instance";
import { runningPostmaster } from "../../components/backends/local/process";
import { pendingPurge, purgeExpired } from "../../components/backends/local/softDelete";
import { localServerProvider } from "../../components/providers/localServer";
import { processesMentioning, randomPassword, tempRoot } from "../harness/postgres";
import { asApp, serverInputs } from "./support";

describe("localServerProvider lifecycle on a real PostgreSQL 15: pause, resume, soft and hard delete", function () {
  this.timeout(120_000);
  let dataRoot: string;
  let outs: any; // the server under test (undefined once deleted)

  before(() => {
    dataRoot = tempRoot();
  });

  after(async () => {
    if (outs) await localServerProvider.delete!(outs.resourceId, { ...outs, deletionPolicy: "hard" } as any).catch(() => undefined);
    fs.rmSync(dataRoot, { recursive: true, force: true });
  });

  it("pauses (stopped, data kept, PENDING/PAUSED, no drift), takes a password change while paused, and resumes on the same port", async () => {
    const inputs = serverInputs(dataRoot);
    outs = (await localServerProvider.create!(inputs)).outs;
    await asApp(outs as any, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (1), (2)");
    const port = outs.port;

    const paused = { ...inputs, paused: true }; // no `port` input, as when the component leaves it to the provider
    assert.deepStrictEqual(await localServerProvider.diff!(outs.resourceId, outs as any, paused as any), { changes: true, replaces: [], deleteBeforeReplace: false });
    outs = (await localServerProvider.update!(outs.resourceId, outs as any, paused as any)).outs;
    assert.deepStrictEqual(
      { running: outs.running, status: outs.status, lifecycle: outs.lifecycle, drift: outs.drift, port: outs.port },
      { running: false, status: "PENDING", lifecycle: "PAUSED", drift: [], port },
    );
    assert.strictEqual(runningPostmaster(outs.dataDir), undefined);
    assert.deepStrictEqual(processesMentioning(outs.dataDir), []);
    const read = await localServerProvider.read!(outs.resourceId, outs as any);
    assert.deepStrictEqual({ status: read.props!.status, lifecycle: read.props!.lifecycle, drift: read.props!.drift }, { status: "PENDING", lifecycle: "PAUSED", drift: [] });
    assert.deepStrictEqual(await localServerProvider.diff!(outs.resourceId, read.props as any, paused as any), { changes: false, replaces: [], deleteBeforeReplace: false });

    // A new password while paused: applied (the server is started for it and stopped again).
    const rotated = { ...paused, password: randomPassword() };
    outs = (await localServerProvider.update!(outs.resourceId, outs as any, rotated as any)).outs;
    assert.deepStrictEqual({ running: outs.running, status: outs.status, port: outs.port }, { running: false, status: "PENDING", port });

    const resumed = { ...rotated, paused: false };
    outs = (await localServerProvider.update!(outs.resourceId, outs as any, resumed as any)).outs;
    assert.deepStrictEqual({ running: outs.running, status: outs.status, lifecycle: outs.lifecycle, port: outs.port }, { running: true, status: "RUNNING", lifecycle: "ACTIVE", port });
    assert.deepStrictEqual(await asApp(outs as any, "SELECT count(*)::int AS n FROM kept"), [{ n: 2 }]);
  });

  it("soft delete stops the server and keeps its directory until the retention ends; the id cannot be taken meanwhile; the purge removes it", async () => {
    const props = { ...outs!, deletionPolicy: "soft", softDeleteRetentionDays: 3 };
    const paths = instancePaths(dataRoot, props.resourceId);
    await localServerProvider.delete!(props.resourceId, props as any);
    assert.strictEqual(runningPostmaster(paths.dataDir), undefined);
    assert.ok(fs.existsSync(paths.dataDir), "the data is kept");
    const entry = pendingPurge(dataRoot, "server", props.resourceId)!;
    assert.deepStrictEqual({ paths: entry.paths, days: (Date.parse(entry.purgeAfter) - Date.parse(entry.deletedAt)) / 86_400_000 }, { paths: [paths.instanceDir, socketDirOf(paths)], days: 3 });
    assert.deepStrictEqual((await localServerProvider.read!(props.resourceId, props as any)).id, "", "the engine no longer sees it");

    const again = serverInputs(dataRoot, { resourceId: props.resourceId });
    await assert.rejects(localServerProvider.create!(again), {
      message:
        `\`${props.resourceId}\` was soft-deleted on ${entry.deletedAt} and its data is kept in ${paths.instanceDir} until ${entry.purgeAfter}; ` +
        `a new server cannot take its place before then: restore a clone from its backups (\`restore\`), or remove ${paths.instanceDir} by hand to give up the kept data`,
    });
    assert.deepStrictEqual(purgeExpired(dataRoot, new Date(Date.parse(entry.purgeAfter) - 60_000)), []);
    assert.ok(fs.existsSync(paths.dataDir));
    assert.deepStrictEqual(purgeExpired(dataRoot, new Date(Date.parse(entry.purgeAfter) + 1_000)), [entry]);
    assert.strictEqual(fs.existsSync(paths.instanceDir), false, "hard-deleted after the retention");

    // The id is free again: a new server there, deleted hard at once.
    outs = (await localServerProvider.create!(again)).outs;
    assert.strictEqual(outs.status, "RUNNING");
    await localServerProvider.delete!(outs.resourceId, outs as any);
    assert.strictEqual(fs.existsSync(paths.instanceDir), false);
    assert.strictEqual(pendingPurge(dataRoot, "server", outs.resourceId), undefined);
    outs = undefined;
  });
});
