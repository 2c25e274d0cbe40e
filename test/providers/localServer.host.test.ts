/**
 * The local server provider as `pulumi up` runs it: serialized into the program and driven over
 * gRPC through the SDK's own dynamic-provider host, against a real PostgreSQL 15 server. Asserts
 * on the server and the machine, and that the host never prints a password.
 */
import assert from "assert";
import * as fs from "fs";
import { localServerProvider } from "../../components/providers/localServer";
import { processesMentioning, tempRoot } from "../harness/postgres";
import { ProviderHost, UNKNOWN, makeUrn, serializeProvider } from "../harness/providerHost";
import { TEST_PARAMETERS, alive, asApp, childrenOf, postmasterPid, serverInputs, show, waitFor } from "./support";

const TYPE = "pulumi-nodejs:dynamic/pgplatform:LocalServer";

describe("localServerProvider through the SDK's dynamic-provider host", () => {
  let host: ProviderHost;
  let dataRoot: string;
  let providerText: string;
  let created: { id: string; properties: Record<string, any> } | undefined;

  before(async () => {
    dataRoot = tempRoot();
    providerText = await serializeProvider(localServerProvider);
    host = await ProviderHost.start();
  });

  after(async () => {
    if (created) await host.delete(makeUrn(TYPE, "db-server"), created.id, created.properties).catch(() => undefined);
    await host.stop();
    fs.rmSync(dataRoot, { recursive: true, force: true });
  });

  it("serializes without the validation library: the model's zod schemas stay out of the program", () => {
    assert.doesNotMatch(providerText, /zod/);
    assert.match(providerText, /require\("pg"\)/, "pg is required inside the methods");
  });

  it("checks, creates, reads, diffs, updates, reads a stopped server and deletes it", async () => {
    const urn = makeUrn(TYPE, "db-server");
    const inputs = { ...serverInputs(dataRoot), __provider: providerText };
    const secrets = [inputs.password, inputs.superuserPassword];

    const checked = await host.check(urn, {}, inputs);
    assert.deepStrictEqual(checked, { inputs, failures: [] });

    created = await host.create(urn, checked.inputs);
    const id = created.id;
    let props = created.properties;
    assert.strictEqual(id, inputs.resourceId);
    assert.deepStrictEqual({ status: props.status, host: props.host, running: props.running }, { status: "RUNNING", host: "127.0.0.1", running: true });
    assert.deepStrictEqual(await asApp(props as any, "SELECT current_user AS u, current_setting('max_connections') AS mc"), [{ u: "app", mc: "40" }]);

    const read = await host.read(urn, id, props);
    assert.strictEqual(read.id, id);
    assert.deepStrictEqual(read.properties, props);
    assert.deepStrictEqual(await host.diff(urn, id, read.properties, checked.inputs), { changes: false, replaces: [], deleteBeforeReplace: false, diffs: [] });

    // A preview of the next change: its version and kind are not known yet, its storage grows.
    const preview = await host.check(urn, checked.inputs, { ...checked.inputs, version: UNKNOWN, resourceKind: UNKNOWN, storageGb: 20 });
    assert.deepStrictEqual(preview.failures, []);
    const refused = await host.check(urn, checked.inputs, { ...checked.inputs, storageGb: 5 });
    assert.deepStrictEqual(refused.failures.map((f) => f.property), ["storageGb"]);

    const news = { ...checked.inputs, parameters: { ...TEST_PARAMETERS, work_mem: "8MB", max_connections: "50" } };
    assert.deepStrictEqual(await host.diff(urn, id, props, news), { changes: true, replaces: [], deleteBeforeReplace: false, diffs: [] });
    const before = { pid: postmasterPid(props.dataDir), port: props.port };
    props = await host.update(urn, id, props, news);
    created = { id, properties: props };
    assert.strictEqual(props.port, before.port, "the port stays");
    assert.deepStrictEqual({ wm: await show(props as any, "work_mem"), mc: await show(props as any, "max_connections") }, { wm: "8MB", mc: "50" });
    assert.notStrictEqual(postmasterPid(props.dataDir), before.pid, "max_connections restarted the server");

    // Stopped out of band (a fast shutdown, as `pg_ctl stop` does): read says so.
    const pid = postmasterPid(props.dataDir);
    const processes = [pid, ...childrenOf(pid)];
    process.kill(pid, "SIGINT");
    await waitFor("the server to stop", () => !processes.some(alive));
    const stopped = await host.read(urn, id, props);
    assert.deepStrictEqual(
      { running: stopped.properties.running, status: stopped.properties.status, drift: stopped.properties.drift },
      { running: false, status: "FAILED", drift: ["server stopped"] },
    );
    assert.strictEqual((await host.diff(urn, id, stopped.properties, news)).changes, true);

    await host.delete(urn, id, stopped.properties);
    created = undefined;
    assert.strictEqual(fs.existsSync(props.instanceDir), false);
    assert.deepStrictEqual(processesMentioning(props.instanceDir), []);
    const gone = await host.read(urn, id, props);
    assert.deepStrictEqual({ ...gone, properties: Object.keys(gone.properties) }, { id: "", properties: ["__provider"], inputs: {} }, "the engine then drops it from the state");

    for (const s of secrets) assert.ok(!host.stderr().includes(s), "a password reached the host's stderr");
  });

  it("answers a failed create with the provider's message, which names no password", async () => {
    const urn = makeUrn(TYPE, "broken");
    const inputs = { ...serverInputs(dataRoot, { parameters: { no_such_param: "1" } }), __provider: providerText };
    await assert.rejects(host.create(urn, inputs), (err: any) => {
      assert.strictEqual(err.method, "Create");
      assert.match(err.message, /^pg_ctl start failed \(exit 1\): pg_ctl: could not start server\n/);
      for (const s of [inputs.password, inputs.superuserPassword]) assert.ok(!err.message.includes(s) && !host.stderr().includes(s));
      return true;
    });
    assert.deepStrictEqual(fs.readdirSync(dataRoot), []);
  });
});
