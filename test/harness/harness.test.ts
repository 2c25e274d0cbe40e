import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_PROJECT, DEFAULT_STACK, ProviderError, ProviderHost, UNKNOWN, makeUrn, serializeProvider } from "./providerHost";
import { SECRET_SIG, SIG_KEY, StrictMocks, isSecretWrapped, setStrictMocks, unwrapSecrets } from "./mocks";
import { details, isSecretOutput, valueOf } from "./outputs";
import { FileResource, fileProvider } from "./fixtures/fileProvider";

const FILE_TYPE = "pulumi-nodejs:dynamic/pgplatform:File";

/** Whether a process with this pid still exists. */
function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e: any) {
        return e.code !== "ESRCH";
    }
}

describe("test harness", function () {
    this.timeout(20_000);
    let dir: string;
    let providerText: string;
    let host: ProviderHost;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgplatform-harness-"));
        providerText = await serializeProvider(fileProvider);
        host = await ProviderHost.start({ config: { "pgplatform:x": "from-config" } });
    });

    after(async () => {
        await host?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    describe("ProviderHost (SDK dynamic-provider host over gRPC)", () => {
        it("serializes the provider into a module whose handler() returns it", () => {
            assert.match(providerText, /exports\.handler = /);
            const mod: any = { exports: {} };
            new Function("module", "exports", "require", providerText)(mod, mod.exports, require);
            const p = mod.exports.handler();
            for (const m of ["configure", "check", "diff", "create", "read", "update", "delete"]) {
                assert.strictEqual(typeof p[m], "function", m);
            }
        });

        it("answers Configure like the SDK host: no secrets, no preview", () => {
            assert.deepStrictEqual(host.configured, { acceptSecrets: false, acceptResources: false, supportsPreview: false });
        });

        it("round-trips Check/Create/Diff/Update/Read/Delete against real files", async () => {
            const urn = makeUrn(FILE_TYPE, "f1");
            assert.strictEqual(urn, `urn:pulumi:${DEFAULT_STACK}::${DEFAULT_PROJECT}::${FILE_TYPE}::f1`);
            const sub = path.join(dir, "roundtrip");
            const checked = await host.check(urn, {}, { __provider: providerText, dir: sub, content: "hello" });
            assert.deepStrictEqual(checked, {
                inputs: { __provider: providerText, dir: sub, path: "file.txt", content: "hello" },
                failures: [],
            });

            const created = await host.create(urn, checked.inputs);
            const file = path.join(sub, "file.txt");
            assert.strictEqual(created.id, file);
            assert.strictEqual(fs.readFileSync(file, "utf8"), "hello");
            // config given to start() reached the provider's configure()
            assert.deepStrictEqual(created.properties, {
                __provider: providerText, dir: sub, path: "file.txt", content: "hello", x: "from-config",
            });

            const olds = created.properties;
            const same = await host.diff(urn, file, olds, checked.inputs);
            assert.deepStrictEqual(same, { changes: false, replaces: [], deleteBeforeReplace: false, diffs: [] });
            const news = { ...checked.inputs, content: "world" };
            assert.deepStrictEqual(await host.diff(urn, file, olds, news), { changes: true, replaces: [], deleteBeforeReplace: false, diffs: [] });
            const moved = await host.diff(urn, file, olds, { ...news, path: "other.txt" });
            assert.deepStrictEqual(moved.replaces, ["path"]);
            assert.strictEqual(moved.changes, true);

            const updated = await host.update(urn, file, olds, news);
            assert.strictEqual(updated.content, "world");
            assert.strictEqual(updated.__provider, providerText);
            assert.strictEqual(fs.readFileSync(file, "utf8"), "world");

            fs.writeFileSync(file, "drifted");
            const read = await host.read(urn, file, updated, news);
            assert.strictEqual(read.id, file);
            assert.strictEqual(read.properties.content, "drifted");
            assert.deepStrictEqual(read.inputs, { __provider: providerText, dir: sub, path: "file.txt", content: "drifted" });

            await host.delete(urn, file, read.properties);
            assert.strictEqual(fs.existsSync(file), false);
        });

        it("returns check failures", async () => {
            const res = await host.check(makeUrn(FILE_TYPE, "bad"), {}, { __provider: providerText, dir, content: "bad" });
            assert.deepStrictEqual(res.failures, [{ property: "content", reason: 'content must not be "bad"' }]);
        });

        it("delivers an unknown value to check as the sentinel string", async () => {
            const res = await host.check(makeUrn(FILE_TYPE, "u"), {}, { __provider: providerText, dir, content: UNKNOWN });
            assert.strictEqual(res.inputs.content, UNKNOWN);
            assert.strictEqual(res.inputs.contentUnknown, true, "the provider itself saw the sentinel");
        });

        it("surfaces a thrown error's message", async () => {
            const file = path.join(dir, "boom.txt");
            const props = { __provider: providerText, dir, path: "boom.txt", content: "explode" };
            await assert.rejects(host.create(makeUrn(FILE_TYPE, "boom"), props), (err: any) => {
                assert.ok(err instanceof ProviderError);
                assert.strictEqual(err.message, `fileProvider: refusing to create ${file}: content says explode`);
                assert.strictEqual(err.method, "Create");
                assert.strictEqual(err.initFailure, undefined);
                return true;
            });
            assert.strictEqual(fs.existsSync(file), false);
        });

        it("surfaces initialization failures with id, properties and reasons", async () => {
            const file = path.join(dir, "init.txt");
            const props = { __provider: providerText, dir, path: "init.txt", content: "initfail" };
            await assert.rejects(host.create(makeUrn(FILE_TYPE, "init"), props), (err: any) => {
                assert.strictEqual(err.message, `fileProvider: ${file} created but failed to initialize`);
                assert.strictEqual(err.initFailure.id, file);
                assert.deepStrictEqual(err.initFailure.reasons, ["file is not healthy"]);
                assert.strictEqual(err.initFailure.properties.content, "initfail");
                return true;
            });
            assert.strictEqual(fs.readFileSync(file, "utf8"), "initfail");
        });

        it("captures the host's stderr (errors outside Create/Update are logged there)", async () => {
            const missing = path.join(dir, "missing.txt");
            await assert.rejects(host.read(makeUrn(FILE_TYPE, "m"), missing, { __provider: providerText, dir }), /ENOENT/);
            assert.match(host.stderr(), /ENOENT/);
            assert.doesNotMatch(host.stderr(), /from-config/);
        });

        it("start() fails clearly (with the host's stderr) when the host dies or prints no port in time", async () => {
            const bogus = path.join(dir, "no-such-preload.js");
            await assert.rejects(ProviderHost.start({ env: { NODE_OPTIONS: `--require ${bogus}` } }), (err: Error) => {
                assert.match(err.message, /exited \(code 1/);
                assert.ok(err.message.includes(bogus), err.message);
                return true;
            });
            await assert.rejects(ProviderHost.start({ startTimeoutMs: 1 }), /printed no port within 1 ms/);
        });

        it("stop() leaves no host process", async () => {
            const pid = host.pid;
            assert.ok(alive(pid));
            await host.stop();
            assert.strictEqual(alive(pid), false);
            await host.stop(); // idempotent
        });
    });

    describe("strict mocks", () => {
        let mocks: StrictMocks;

        class TestComp extends pulumi.ComponentResource {
            public readonly file: FileResource;
            constructor(name: string, args: { dir: string; content: pulumi.Input<string> }, opts?: pulumi.ComponentResourceOptions) {
                super("pgplatform:index:TestComp", name, {}, opts);
                this.file = new FileResource(`${name}-file`, { dir: args.dir, content: args.content }, { parent: this });
                this.registerOutputs({ file: this.file.id });
            }
        }

        beforeEach(() => {
            mocks = setStrictMocks(
                { [FILE_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, path: "file.txt" } }) },
                { config: { "pgplatform:x": "42" }, allowComponents: ["pgplatform:index:*"], calls: { "test:index:ping": () => ({ pong: true }) } },
            );
        });

        afterEach(() => mocks.assertNoUnexpected());

        it("records a component and its dynamic resource with exact types, names and inputs", async () => {
            const comp = new TestComp("c", { dir: "/srv/x", content: "hi" });
            assert.strictEqual(await valueOf(comp.file.id), "c-file-id");
            assert.strictEqual(await valueOf(comp.file.path), "file.txt");
            const compUrn = await valueOf(comp.urn);
            assert.strictEqual(compUrn, `urn:pulumi:${DEFAULT_STACK}::${DEFAULT_PROJECT}::pgplatform:index:TestComp::c`);
            assert.deepStrictEqual(mocks.registrations, [
                { type: "pgplatform:index:TestComp", name: "c", inputs: {}, custom: false },
                {
                    type: FILE_TYPE, name: "c-file", custom: true, parent: compUrn,
                    inputs: { __provider: mocks.registrations[1].inputs.__provider, dir: "/srv/x", content: "hi" },
                },
            ]);
            assert.strictEqual(typeof mocks.registrations[1].inputs.__provider, "string");
            assert.deepStrictEqual(mocks.byType("pgplatform:index:*").map((r) => r.name), ["c"]);
        });

        it("sees pulumi.dynamic.Resource(..., \"pgplatform\", \"Thing\") as pulumi-nodejs:dynamic/pgplatform:Thing", async () => {
            class Thing extends pulumi.dynamic.Resource {
                constructor(name: string) {
                    super(fileProvider, name, { dir, content: "t" }, {}, "pgplatform", "Thing");
                }
            }
            mocks = setStrictMocks({ "pulumi-nodejs:dynamic/pgplatform:Thing": () => ({}) });
            await valueOf(new Thing("t").urn);
            assert.deepStrictEqual(mocks.registrations.map((r) => [r.type, r.custom]), [["pulumi-nodejs:dynamic/pgplatform:Thing", true]]);
        });

        it("shows secret inputs wrapped, and unwrapSecrets undoes it", async () => {
            const comp = new TestComp("s", { dir: "/srv/s", content: pulumi.secret("s3cret") });
            assert.strictEqual(await isSecretOutput(comp.file.content), true);
            const inputs = mocks.byType(FILE_TYPE)[0].inputs;
            assert.deepStrictEqual(inputs.content, { [SIG_KEY]: SECRET_SIG, value: "s3cret" });
            assert.strictEqual(isSecretWrapped(inputs.content), true);
            assert.strictEqual(isSecretWrapped(inputs.dir), false);
            assert.deepStrictEqual(unwrapSecrets({ a: [inputs.content], b: { [SIG_KEY]: SECRET_SIG, value: { c: 1 } } }), { a: ["s3cret"], b: { c: 1 } });
        });

        it("feeds a mocked dynamic resource's __provider to the real host", async () => {
            await valueOf(new TestComp("h", { dir: path.join(dir, "from-mocks"), content: "via mocks" }).file.id);
            const reg = mocks.byType(FILE_TYPE)[0];
            const h = await ProviderHost.start();
            try {
                const urn = makeUrn(FILE_TYPE, reg.name);
                const checked = await h.check(urn, {}, unwrapSecrets(reg.inputs));
                const created = await h.create(urn, checked.inputs);
                assert.strictEqual(fs.readFileSync(created.id, "utf8"), "via mocks");
                assert.strictEqual(created.properties.x, null, "no config given to this host");
                await h.delete(urn, created.id, created.properties);
                assert.strictEqual(fs.existsSync(created.id), false);
            } finally {
                await h.stop();
            }
        });

        it("catches unexpected resource types, components and invokes", async () => {
            class Db extends pulumi.CustomResource {}
            const db = new Db("aws:rds/instance:Instance", "db", { engine: "postgres" });
            await assert.rejects(valueOf(db.urn), /unexpected resource type "aws:rds\/instance:Instance" \(name "db"\)/);
            const comp = new pulumi.ComponentResource("other:index:Thing", "o");
            await assert.rejects(valueOf(comp.urn), /unexpected component type "other:index:Thing"/);
            await assert.rejects(pulumi.runtime.invoke("aws:index/getRegion:getRegion", {}), /unexpected invoke/);
            assert.deepStrictEqual(await pulumi.runtime.invoke("test:index:ping", {}), { pong: true });
            assert.deepStrictEqual(mocks.unexpected, ["aws:rds/instance:Instance", "other:index:Thing", "invoke aws:index/getRegion:getRegion"]);
            assert.deepStrictEqual(mocks.registrations.map((r) => r.name), ["db", "o"]);
            assert.throws(() => mocks.assertNoUnexpected(), /3 unexpected.*aws:rds\/instance:Instance, other:index:Thing, invoke aws:index\/getRegion:getRegion/);
            mocks.reset();
            assert.deepStrictEqual([mocks.registrations.length, mocks.unexpected.length], [0, 0]);
        });

        it("makes the stack config visible to pulumi.Config", () => {
            const cfg = new pulumi.Config("pgplatform");
            assert.strictEqual(cfg.get("x"), "42");
            assert.strictEqual(cfg.requireNumber("x"), 42);
            assert.strictEqual(cfg.get("y"), undefined);
            assert.strictEqual(pulumi.getProject(), DEFAULT_PROJECT);
            assert.strictEqual(pulumi.getStack(), DEFAULT_STACK);
            mocks = setStrictMocks({});
            assert.strictEqual(new pulumi.Config("pgplatform").get("x"), undefined, "config is replaced, not merged");
        });

        it("details() reports unknown outputs during preview and valueOf() rejects them", async () => {
            mocks = setStrictMocks({ [FILE_TYPE]: () => ({ state: {} }) }, { preview: true });
            const f = new FileResource("p", { dir, content: "c" });
            assert.deepStrictEqual(await details(f.content), { value: undefined, isKnown: false, isSecret: false });
            await assert.rejects(valueOf(f.content), /unknown/);
            assert.deepStrictEqual(await details(pulumi.secret("v")), { value: "v", isKnown: true, isSecret: true });
        });
    });
});
