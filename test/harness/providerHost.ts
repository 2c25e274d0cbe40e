/**
 * Drives the Pulumi SDK's own dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`)
 * over gRPC, the way the Pulumi engine does, so dynamic providers can be tested end to end
 * without the Pulumi CLI.
 *
 * How the host behaves (read from `cmd/dynamic-provider/index.js` of @pulumi/pulumi 3.248.0):
 * - It is started as `node <host> <engine-address>`, never dials the engine, binds
 *   `127.0.0.1:0` and prints the port as the first line of stdout.
 * - `Configure` reads only `args` (not `variables`); a request without `args` makes the
 *   host throw inside an async handler and the call never answers, so {@link ProviderHost}
 *   always sends `args`. It answers `acceptSecrets: false` and `supportsPreview: false`,
 *   so the engine strips secrets before calling it and never calls `Create` during preview.
 * - Every CRUD request must carry the serialized provider in `__provider` (for `Check`/`Diff`
 *   the olds are used when the news' `__provider` is unknown). The host deserializes it once
 *   per distinct text and calls the provider's `configure` once, at first use, with the
 *   config of the last `Configure` call.
 * - `Check` returns the provider's inputs (or the news) plus `__provider`, and failures.
 *   `Diff` maps `changes` true/false/undefined to DIFF_SOME/DIFF_NONE/DIFF_UNKNOWN and
 *   passes `replaces` and `deleteBeforeReplace` (never `diffs`). `Create`/`Update`/`Read`
 *   return properties with `__provider` added. `Create` ignores the `preview` flag.
 * - Errors thrown by `Create`/`Update` carry the message as gRPC details; if the error has
 *   an `id`, an `ErrorResourceInitFailed` (id, properties, reasons) is attached in the
 *   `grpc-status-details-bin` trailer. Errors of other methods are also logged to stderr.
 */
import * as path from "path";
import { ChildProcess, spawn } from "child_process";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/** The string the engine sends in place of a value that is unknown during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Project name the host is started with (`PULUMI_NODEJS_PROJECT`) and default for {@link makeUrn}. */
export const DEFAULT_PROJECT = "pgplatform-test";
/** Default stack name used by {@link makeUrn}. */
export const DEFAULT_STACK = "test";

/** The project root (where `node_modules` lives); the host runs there so serialized providers can `require` deps. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** Result of {@link ProviderHost.check}. */
export interface CheckResult {
    /** Checked inputs as returned by the provider (including `__provider`). */
    inputs: Record<string, any>;
    /** Validation failures; empty when the inputs are valid. */
    failures: { property: string; reason: string }[];
}

/** Result of {@link ProviderHost.diff}. */
export interface DiffResult {
    /** `true` for DIFF_SOME, `false` for DIFF_NONE, `undefined` for DIFF_UNKNOWN. */
    changes: boolean | undefined;
    /** Properties whose change requires replacement. */
    replaces: string[];
    /** Whether the old resource must be deleted before the replacement is created. */
    deleteBeforeReplace: boolean;
    /** Changed properties; the dynamic host never fills this, so it is always empty. */
    diffs: string[];
}

/** Initialization-failure details attached to a `Create`/`Update` error whose thrown error had an `id`. */
export interface InitFailure {
    id: string;
    properties: Record<string, any>;
    reasons: string[];
}

/**
 * A failed provider call. `message` is exactly the provider's error message (the gRPC
 * status details); `method` names the RPC, `code` is the gRPC status code, and
 * `initFailure` is set for partial-creation failures.
 */
export class ProviderError extends Error {
    constructor(message: string, public readonly method: string, public readonly code: number,
        public readonly details: string, public readonly initFailure?: InitFailure) {
        super(message);
        this.name = "ProviderError";
    }
}

/** What the host answered to `Configure`. */
export interface ConfigureResult {
    acceptSecrets: boolean;
    acceptResources: boolean;
    supportsPreview: boolean;
}

/** Options for {@link ProviderHost.start}. */
export interface StartOptions {
    /** Working directory of the host; defaults to {@link PROJECT_ROOT}. */
    cwd?: string;
    /** Extra environment for the host (merged over `process.env` and `PULUMI_NODEJS_PROJECT`). */
    env?: Record<string, string>;
    /** Stack config such as `{"pgplatform:x": "1"}`, sent in `Configure` as both `variables` and `args`. */
    config?: Record<string, string>;
    /** How long to wait for the port; default 30 000 ms. */
    startTimeoutMs?: number;
}

/**
 * Mocha's globals. A Pulumi program has none of them, and the closure serializer takes any free name
 * it finds on `global` for a built-in and leaves its definition out: a provider function named
 * `describe` or `run` would serialize under mocha without its body.
 */
const MOCHA_GLOBALS = ["describe", "context", "it", "specify", "before", "after", "beforeEach", "afterEach", "run", "xdescribe", "xcontext", "xit", "xspecify"];

/**
 * Serializes a dynamic provider the way `pulumi.dynamic.Resource` does in a program (mocha's
 * globals hidden meanwhile); the result goes in `__provider`.
 */
export async function serializeProvider(provider: pulumi.dynamic.ResourceProvider): Promise<string> {
    const g = globalThis as Record<string, unknown>;
    const hidden = MOCHA_GLOBALS.filter((name) => name in g).map((name) => [name, g[name]] as const);
    for (const [name] of hidden) delete g[name];
    try {
        return (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
    } finally {
        for (const [name, value] of hidden) g[name] = value;
    }
}

/** Builds `urn:pulumi:<stack>::<project>::<type>::<name>` (defaults: {@link DEFAULT_STACK}, {@link DEFAULT_PROJECT}). */
export function makeUrn(type: string, name: string, opts?: { project?: string; stack?: string }): string {
    return `urn:pulumi:${opts?.stack ?? DEFAULT_STACK}::${opts?.project ?? DEFAULT_PROJECT}::${type}::${name}`;
}

/** Converts a property bag to a protobuf Struct; `undefined` members are dropped as the engine would. */
function toStruct(obj: object | undefined): Struct {
    return Struct.fromJavaScript(JSON.parse(JSON.stringify(obj ?? {})));
}

const fromStruct = (s: Struct | undefined): Record<string, any> => (s?.toJavaScript() as Record<string, any>) ?? {};

function parseInitFailure(metadata: grpc.Metadata | undefined): InitFailure | undefined {
    const raw = metadata?.get("grpc-status-details-bin")[0];
    if (!raw) {
        return undefined;
    }
    const status = statusproto.Status.deserializeBinary(new Uint8Array(raw as Buffer));
    for (const any of status.getDetailsList()) {
        const d = any.unpack(provproto.ErrorResourceInitFailed.deserializeBinary, "pulumirpc.ErrorResourceInitFailed");
        if (d) {
            return { id: d.getId(), properties: fromStruct(d.getProperties()), reasons: d.getReasonsList() };
        }
    }
    return undefined;
}

/** A running dynamic-provider host plus a connected gRPC client. Always {@link ProviderHost.stop} it. */
export class ProviderHost {
    private stderrText = "";
    private exited: Promise<void>;

    private constructor(
        private readonly child: ChildProcess,
        private readonly client: ResourceProviderClient,
        /** The port the host serves on. */
        public readonly port: number,
        /** What the host answered to `Configure`. */
        public configured: ConfigureResult = { acceptSecrets: false, acceptResources: false, supportsPreview: false },
    ) {
        child.stderr!.on("data", (d: Buffer) => (this.stderrText += d.toString()));
        this.exited = this.running() ? new Promise((resolve) => child.once("exit", () => resolve())) : Promise.resolve();
    }

    /** Process id of the host. */
    get pid(): number {
        return this.child.pid!;
    }

    /** Spawns the host, waits for its port (30 s by default), connects and calls `Configure`. */
    static async start(opts: StartOptions = {}): Promise<ProviderHost> {
        const hostPath = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
        const child = spawn(process.execPath, [hostPath, "127.0.0.1:1"], {
            cwd: opts.cwd ?? PROJECT_ROOT,
            env: { ...process.env, PULUMI_NODEJS_PROJECT: DEFAULT_PROJECT, ...opts.env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let early = "";
        const onErr = (d: Buffer) => (early += d.toString());
        child.stderr!.on("data", onErr);
        const timeoutMs = opts.startTimeoutMs ?? 30_000;
        let port: number;
        try {
            port = await new Promise<number>((resolve, reject) => {
                let out = "";
                const fail = (why: string) => {
                    clearTimeout(timer);
                    child.kill("SIGKILL");
                    reject(new Error(`dynamic-provider host ${why}; stdout: ${JSON.stringify(out)}; stderr:\n${early}`));
                };
                const timer = setTimeout(() => fail(`printed no port within ${timeoutMs} ms`), timeoutMs);
                child.once("error", (e) => fail(`failed to spawn (${e.message})`));
                child.once("close", (code, sig) => fail(`exited (code ${code}, signal ${sig}) before printing its port`));
                child.stdout!.on("data", (d: Buffer) => {
                    out += d.toString();
                    const nl = out.indexOf("\n");
                    if (nl >= 0) {
                        clearTimeout(timer);
                        child.removeAllListeners("close");
                        const p = Number(out.slice(0, nl).trim());
                        Number.isInteger(p) && p > 0 ? resolve(p) : fail(`printed ${JSON.stringify(out.slice(0, nl))}, not a port`);
                    }
                });
            });
        } finally {
            child.stderr!.off("data", onErr);
        }
        const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 1 << 30,
            "grpc.max_send_message_length": 1 << 30,
        });
        const host = new ProviderHost(child, client, port);
        host.stderrText = early;
        try {
            await host.configure(opts.config ?? {});
        } catch (e) {
            await host.stop();
            throw e;
        }
        return host;
    }

    /** Sends `Configure` (config in `variables` and `args`); {@link start} already did this once. */
    async configure(config: Record<string, string>): Promise<ConfigureResult> {
        const req = new provproto.ConfigureRequest();
        for (const [k, v] of Object.entries(config)) {
            req.getVariablesMap().set(k, v);
        }
        req.setArgs(toStruct(config)).setAcceptsecrets(true).setAcceptresources(true);
        const resp = await this.unary<provproto.ConfigureResponse>("configure", req);
        this.configured = {
            acceptSecrets: resp.getAcceptsecrets(),
            acceptResources: resp.getAcceptresources(),
            supportsPreview: resp.getSupportspreview(),
        };
        return this.configured;
    }

    /** `Check`: validates `news` against `olds` (use `{}` for a new resource). */
    async check(urn: string, olds: object, news: object): Promise<CheckResult> {
        const req = new provproto.CheckRequest().setUrn(urn).setOlds(toStruct(olds)).setNews(toStruct(news));
        const resp = await this.unary<provproto.CheckResponse>("check", req);
        return {
            inputs: fromStruct(resp.getInputs()),
            failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    /** `Create`: returns the new id and output properties (including `__provider`). */
    async create(urn: string, props: object, opts?: { preview?: boolean }): Promise<{ id: string; properties: Record<string, any> }> {
        const req = new provproto.CreateRequest().setUrn(urn).setProperties(toStruct(props)).setPreview(!!opts?.preview);
        const resp = await this.unary<provproto.CreateResponse>("create", req);
        return { id: resp.getId(), properties: fromStruct(resp.getProperties()) };
    }

    /** `Diff`: compares old outputs with new (checked) inputs. */
    async diff(urn: string, id: string, olds: object, news: object): Promise<DiffResult> {
        const req = new provproto.DiffRequest().setUrn(urn).setId(id).setOlds(toStruct(olds)).setNews(toStruct(news));
        const resp = await this.unary<provproto.DiffResponse>("diff", req);
        const C = provproto.DiffResponse.DiffChanges;
        const changes = resp.getChanges();
        return {
            changes: changes === C.DIFF_SOME ? true : changes === C.DIFF_NONE ? false : undefined,
            replaces: resp.getReplacesList(),
            deleteBeforeReplace: resp.getDeletebeforereplace(),
            diffs: resp.getDiffsList(),
        };
    }

    /** `Update`: returns the new output properties (including `__provider`). */
    async update(urn: string, id: string, olds: object, news: object): Promise<Record<string, any>> {
        const req = new provproto.UpdateRequest().setUrn(urn).setId(id).setOlds(toStruct(olds)).setNews(toStruct(news));
        return fromStruct((await this.unary<provproto.UpdateResponse>("update", req)).getProperties());
    }

    /** `Read` (refresh/import): `inputs` is `{}` unless the provider returned inputs. */
    async read(urn: string, id: string, props: object, inputs?: object): Promise<{ id: string; properties: Record<string, any>; inputs: Record<string, any> }> {
        const req = new provproto.ReadRequest().setUrn(urn).setId(id).setProperties(toStruct(props));
        if (inputs) {
            req.setInputs(toStruct(inputs));
        }
        const resp = await this.unary<provproto.ReadResponse>("read", req);
        return { id: resp.getId(), properties: fromStruct(resp.getProperties()), inputs: fromStruct(resp.getInputs()) };
    }

    /** `Delete`: `props` are the resource's last outputs (they must include `__provider`). */
    async delete(urn: string, id: string, props: object): Promise<void> {
        await this.unary("delete", new provproto.DeleteRequest().setUrn(urn).setId(id).setProperties(toStruct(props)));
    }

    /** Closes the client, kills the host (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
    async stop(): Promise<void> {
        this.client.close();
        if (this.running()) {
            this.child.kill("SIGTERM");
            const t = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
            await this.exited;
            clearTimeout(t);
        }
    }

    private running(): boolean {
        return this.child.exitCode === null && this.child.signalCode === null;
    }

    /** Everything the host printed on stderr so far. */
    stderr(): string {
        return this.stderrText;
    }

    private unary<Res>(method: string, req: unknown): Promise<Res> {
        const fn = (this.client as any)[method] as Function;
        return new Promise<Res>((resolve, reject) => {
            fn.call(this.client, req, (err: grpc.ServiceError | null, resp: Res) => {
                if (!err) {
                    return resolve(resp);
                }
                const details = err.details ?? err.message;
                const rpc = method[0].toUpperCase() + method.slice(1);
                reject(new ProviderError(details, rpc, err.code, details, parseInitFailure(err.metadata)));
            });
        });
    }
}
