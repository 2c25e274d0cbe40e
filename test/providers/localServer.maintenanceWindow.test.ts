/**
 * The local server provider confines restarts for changed parameters to the maintenance window, on
 * one real PostgreSQL 15 server: outside the window a restart-only change is written and left
 * pending (and reported), inside it the next update restarts; `applyImmediately` restarts at once;
 * a port change is never deferred. The clock is set through the test-only environment variable.
 */
import assert from "assert";
import * as fs from "fs";
import { TEST_NOW_ENV } from "../../components/backends/local/maintenance/window";
import { freePort } from "../../components/backends/local/process";
import { LocalServerInputs, localServerProvider as provider } from "../../components/providers/localServer";
import { tempRoot } from "../harness/postgres";
import { alive, asSuperuser, postmasterPid, serverInputs, show, waitFor } from "./support";

const WINDOW = "sun:04:00-sun:05:00";
const OUTSIDE = "2026-11-25T12:00:00Z"; // a Wednesday
const INSIDE = "2026-11-29T04:30:00Z"; // a Sunday, 04:30 UTC

describe("localServerProvider on real PostgreSQL 15: restarts confined to the maintenance window", () => {
  let dataRoot: string;
  let inputs: LocalServerInputs;
  let outs: any;
  const saved = process.env[TEST_NOW_ENV];

  before(async () => {
    dataRoot = tempRoot();
    process.env[TEST_NOW_ENV] = OUTSIDE;
    inputs = serverInputs(dataRoot, { maintenanceWindow: WINDOW } as Partial<LocalServerInputs>);
    outs = (await provider.create!(inputs)).outs;
    assert.deepStrictEqual(outs.pendingRestart, []);
  });

  after(async () => {
    if (saved === undefined) delete process.env[TEST_NOW_ENV];
    else process.env[TEST_NOW_ENV] = saved;
    if (outs) await provider.delete!(inputs.resourceId, outs);
    fs.rmSync(dataRoot, { recursive: true, force: true });
  });

  const pendingOf = async (name: string) => (await asSuperuser(outs, "SELECT pending_restart FROM pg_settings WHERE name = $1", [name]))[0].pending_restart;

  async function update(news: LocalServerInputs): Promise<void> {
    outs = (await provider.update!(inputs.resourceId, outs, news)).outs;
    inputs = news;
  }

  it("outside the window writes a restart-only change, reloads the rest, does not restart, and reports it pending", async () => {
    const pid = postmasterPid(outs.dataDir);
    await update({ ...inputs, parameters: { ...inputs.parameters, shared_buffers: "48MB", work_mem: "8MB" } });
    assert.strictEqual(postmasterPid(outs.dataDir), pid, "not restarted");
    assert.strictEqual(await show(outs, "shared_buffers"), "32MB");
    assert.strictEqual(await show(outs, "work_mem"), "8MB", "the reloadable change applies at once");
    assert.strictEqual(await pendingOf("shared_buffers"), true);
    assert.deepStrictEqual(outs.pendingRestart, ["shared_buffers"]);
    assert.deepStrictEqual(outs.pendingValues, { shared_buffers: "48MB" });
    assert.strictEqual(outs.parameters.shared_buffers, "32MB", "`parameters` shows what runs");
    assert.strictEqual(outs.status, "RUNNING");
    const read = await provider.read!(inputs.resourceId, outs);
    assert.deepStrictEqual(read.props.pendingRestart, ["shared_buffers"]);
    // Still outside: nothing to do, so no update is planned.
    assert.deepStrictEqual(await provider.diff!(inputs.resourceId, outs, inputs), { changes: false, replaces: [], deleteBeforeReplace: false });
    // A further change of the pending setting is planned (and written) though.
    const again = { ...inputs, parameters: { ...inputs.parameters, shared_buffers: "56MB" } };
    assert.deepStrictEqual(await provider.diff!(inputs.resourceId, outs, again), { changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("inside the window the next run plans an update, restarts, and the new value is live", async () => {
    process.env[TEST_NOW_ENV] = INSIDE;
    assert.deepStrictEqual(await provider.diff!(inputs.resourceId, outs, inputs), { changes: true, replaces: [], deleteBeforeReplace: false });
    const pid = postmasterPid(outs.dataDir);
    await update(inputs);
    assert.notStrictEqual(postmasterPid(outs.dataDir), pid, "restarted");
    assert.strictEqual(await show(outs, "shared_buffers"), "48MB");
    assert.strictEqual(await pendingOf("shared_buffers"), false);
    assert.deepStrictEqual(outs.pendingRestart, []);
    assert.deepStrictEqual(outs.pendingValues, {});
    assert.deepStrictEqual(await provider.diff!(inputs.resourceId, outs, inputs), { changes: false, replaces: [], deleteBeforeReplace: false });
  });

  it("with `applyImmediately` restarts at once outside the window", async () => {
    process.env[TEST_NOW_ENV] = OUTSIDE;
    const pid = postmasterPid(outs.dataDir);
    await update({ ...inputs, applyImmediately: true, parameters: { ...inputs.parameters, shared_buffers: "64MB" } } as LocalServerInputs);
    assert.notStrictEqual(postmasterPid(outs.dataDir), pid, "restarted");
    assert.strictEqual(await show(outs, "shared_buffers"), "64MB");
    assert.deepStrictEqual(outs.pendingRestart, []);
  });

  it("a port change is not deferred: it restarts outside the window, and a pending parameter comes with it", async () => {
    process.env[TEST_NOW_ENV] = OUTSIDE;
    await update({ ...inputs, applyImmediately: false, parameters: { ...inputs.parameters, shared_buffers: "40MB" } } as LocalServerInputs);
    assert.deepStrictEqual(outs.pendingRestart, ["shared_buffers"]);
    const pid = postmasterPid(outs.dataDir);
    const port = await freePort();
    await update({ ...inputs, port });
    assert.strictEqual(outs.port, port);
    assert.notStrictEqual(postmasterPid(outs.dataDir), pid, "restarted");
    assert.strictEqual(await show(outs, "shared_buffers"), "40MB");
    assert.deepStrictEqual(outs.pendingRestart, []);
  });

  it("a crashed server is started outside the window, with the pending value", async () => {
    await update({ ...inputs, parameters: { ...inputs.parameters, shared_buffers: "24MB" } });
    assert.deepStrictEqual(outs.pendingRestart, ["shared_buffers"]);
    const pid = postmasterPid(outs.dataDir);
    process.kill(pid, "SIGKILL");
    await waitFor("the killed postmaster to exit", () => !alive(pid));
    const read = await provider.read!(inputs.resourceId, outs);
    assert.strictEqual(read.props.running, false);
    assert.deepStrictEqual(await provider.diff!(inputs.resourceId, read.props as any, inputs), { changes: true, replaces: [], deleteBeforeReplace: false });
    outs = (await provider.update!(inputs.resourceId, read.props as any, inputs)).outs;
    assert.strictEqual(outs.running, true);
    assert.strictEqual(await show(outs, "shared_buffers"), "24MB");
    assert.deepStrictEqual(outs.pendingRestart, []);
  });
});
