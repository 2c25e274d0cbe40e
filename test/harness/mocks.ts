/**
 * Strict Pulumi mocks: every resource registration (components included) and every invoke
 * must be expected by the test, otherwise it fails.
 *
 * Facts established against @pulumi/pulumi 3.248.0 (see harness.test.ts):
 * - `new pulumi.dynamic.Resource(provider, name, props, opts, "pgplatform", "Thing")`
 *   reaches `newResource` with type `pulumi-nodejs:dynamic/pgplatform:Thing`
 *   (`pulumi-nodejs:dynamic:<type>` without a module), `custom: true`, and the serialized
 *   provider text (a string) in `inputs.__provider`.
 * - A secret input arrives wrapped: `{ "4dabf18193072939515e22adb298388d":
 *   "1b47061264138c4ac30d75fd1eb44270", value: <plain value> }`. A secret nested inside an
 *   object/array wraps the enclosing top-level input instead. Use {@link unwrapSecrets}.
 * - Unknown inputs (preview) arrive as the SDK's `unknown` marker object.
 * - Stack config lives in the runtime store, not in `process.env`: it is written with
 *   `pulumi.runtime.setAllConfig` (what `PULUMI_CONFIG` is parsed into at startup), so
 *   `new pulumi.Config("pgplatform").get("x")` sees `opts.config["pgplatform:x"]`.
 * - The `transforms` resource option hangs under mocks; `additionalSecretOutputs` is not
 *   applied by mocks (outputs are secret only when the handler returns secret state).
 *
 * A refused registration rejects the resource's outputs (`urn`, `id`, ...) with
 * `failed to register new resource <name> [<type>]: strict mocks: ...`; a test that never
 * awaits them would not notice, so tests MUST call {@link StrictMocks.assertNoUnexpected}
 * (typically in a mocha `afterEach`).
 */
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_PROJECT, DEFAULT_STACK } from "./providerHost";

/** Signature key of the SDK's special property values. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** Signature value marking a secret. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** One `newResource` call as seen by the mocks. */
export interface Registration {
    /** Resource type token, e.g. `pgplatform:index:Database` or `pulumi-nodejs:dynamic/pgplatform:File`. */
    type: string;
    /** Logical name. */
    name: string;
    /** Inputs as received (secrets still wrapped; see {@link unwrapSecrets}). */
    inputs: Record<string, any>;
    /** `true` for custom resources, `false` for components. */
    custom: boolean;
    /** Provider reference (`urn::id`), if any. */
    provider?: string;
    /** Import id (registration) or id being read (`get`/read), if any. */
    id?: string;
    /** URN of the parent resource, if any. */
    parent?: string;
}

/** Answers one mocked resource registration (or invoke, for `calls`); `state` defaults to the inputs. */
export type Handler = (
    args: pulumi.runtime.MockResourceArgs,
) => Promise<{ id?: string; state?: Record<string, any> }> | { id?: string; state?: Record<string, any> };

/** Answers one mocked invoke with its result object. */
export type CallHandler = (args: pulumi.runtime.MockCallArgs) => Promise<Record<string, any>> | Record<string, any>;

/** Options for {@link setStrictMocks}. */
export interface StrictMocksOptions {
    /** Project name; default {@link DEFAULT_PROJECT}. */
    project?: string;
    /** Stack name; default {@link DEFAULT_STACK}. */
    stack?: string;
    /** Run as a preview (`pulumi.runtime.isDryRun()`); default false. */
    preview?: boolean;
    /** Stack config, e.g. `{"pgplatform:x": "1"}`; replaces any previous config (default: empty). */
    config?: Record<string, string>;
    /** Component types to accept without a handler; a trailing `*` matches a prefix. */
    allowComponents?: string[];
    /** Invoke handlers by token (a trailing `*` matches a prefix). */
    calls?: Record<string, CallHandler>;
}

/** The recorder returned by {@link setStrictMocks}. */
export interface StrictMocks {
    /** Every `newResource` call, in order, components and refused ones included. */
    registrations: Registration[];
    /** Resource types (and `invoke <token>` entries) that had no handler. */
    unexpected: string[];
    /** Throws an Error listing {@link unexpected} if it is not empty. */
    assertNoUnexpected(): void;
    /** Registrations of one type (a trailing `*` matches a prefix). */
    byType(type: string): Registration[];
    /** Clears {@link registrations} and {@link unexpected} (in place). */
    reset(): void;
}

/** Whether `type` matches `pattern` (exact, or prefix when the pattern ends with `*`). */
export function typeMatches(pattern: string, type: string): boolean {
    return pattern.endsWith("*") ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}

/** Finds the entry for `type`: an exact key first, then the longest matching `*` pattern. */
function lookup<H>(table: Record<string, H> | undefined, type: string): H | undefined {
    if (!table) {
        return undefined;
    }
    if (Object.prototype.hasOwnProperty.call(table, type)) {
        return table[type];
    }
    const best = Object.keys(table)
        .filter((k) => k.endsWith("*") && typeMatches(k, type))
        .sort((a, b) => b.length - a.length)[0];
    return best === undefined ? undefined : table[best];
}

/** Whether `v` is a secret as mocks receive it: `{ [SIG_KEY]: SECRET_SIG, value }`. */
export function isSecretWrapped(v: unknown): v is { value: any } {
    return typeof v === "object" && v !== null && (v as any)[SIG_KEY] === SECRET_SIG;
}

/** Deeply replaces secret-wrapped values by their plain values (arrays and plain objects are copied). */
export function unwrapSecrets<T = any>(obj: any): T {
    if (isSecretWrapped(obj)) {
        return unwrapSecrets(obj.value);
    }
    if (Array.isArray(obj)) {
        return obj.map((e) => unwrapSecrets(e)) as any;
    }
    if (typeof obj === "object" && obj !== null && Object.getPrototypeOf(obj) === Object.prototype) {
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrapSecrets(v)])) as any;
    }
    return obj;
}

/**
 * Installs strict mocks (`pulumi.runtime.setMocks`) and sets the stack config.
 *
 * - A custom resource with a handler gets the handler's `id` (default `<name>-id`) and
 *   `state` (default: its inputs). A component is accepted when a handler or
 *   `allowComponents` matches its type.
 * - Anything else is recorded in `unexpected` and its registration fails (the mock throws).
 * - Invokes go through `opts.calls` with the same strictness.
 *
 * Call it before constructing resources (e.g. in `beforeEach`), and call
 * `assertNoUnexpected()` after each test.
 */
export function setStrictMocks(handlers: Record<string, Handler>, opts: StrictMocksOptions = {}): StrictMocks {
    const registrations: Registration[] = [];
    const unexpected: string[] = [];
    let pendingParent: string | undefined;

    const mocks: pulumi.runtime.Mocks = {
        async newResource(args) {
            const parent = pendingParent;
            pendingParent = undefined;
            const custom = args.custom !== false;
            registrations.push({
                type: args.type,
                name: args.name,
                inputs: args.inputs,
                custom,
                ...(args.provider ? { provider: args.provider } : {}),
                ...(args.id ? { id: args.id } : {}),
                ...(parent ? { parent } : {}),
            });
            const handler = lookup(handlers, args.type);
            if (!handler) {
                if (!custom && (opts.allowComponents ?? []).some((p) => typeMatches(p, args.type))) {
                    return { id: undefined, state: {} };
                }
                unexpected.push(args.type);
                throw new Error(
                    `strict mocks: unexpected ${custom ? "resource" : "component"} type "${args.type}" (name "${args.name}"); ` +
                        `add a handler${custom ? "" : " or allowComponents entry"} for it`,
                );
            }
            const result = (await handler(args)) ?? {};
            return {
                id: custom ? (result.id ?? `${args.name}-id`) : result.id,
                state: result.state ?? args.inputs,
            };
        },
        async call(args) {
            const handler = lookup(opts.calls, args.token);
            if (!handler) {
                unexpected.push(`invoke ${args.token}`);
                // The SDK's invoke rethrows `err.details` (what a gRPC error carries), not `err.message`.
                const msg = `strict mocks: unexpected invoke "${args.token}"; add it to opts.calls`;
                throw Object.assign(new Error(msg), { details: msg });
            }
            return handler(args);
        },
    };

    void pulumi.runtime.setMocks(mocks, opts.project ?? DEFAULT_PROJECT, opts.stack ?? DEFAULT_STACK, opts.preview ?? false);
    pulumi.runtime.setAllConfig(opts.config ?? {});

    // MockResourceArgs has no parent, so peek at the request: the mock monitor calls
    // newResource synchronously from registerResource/readResource.
    const monitor = pulumi.runtime.getMonitor() as any;
    for (const method of ["registerResource", "readResource"]) {
        const original = monitor[method].bind(monitor);
        monitor[method] = (req: any, callback: any) => {
            pendingParent = req.getParent() || undefined;
            return original(req, callback);
        };
    }

    return {
        registrations,
        unexpected,
        assertNoUnexpected() {
            if (unexpected.length > 0) {
                throw new Error(`strict mocks: ${unexpected.length} unexpected registration(s)/invoke(s): ${unexpected.join(", ")}`);
            }
        },
        byType(type: string) {
            return registrations.filter((r) => typeMatches(type, r.type));
        },
        reset() {
            registrations.length = 0;
            unexpected.length = 0;
        },
    };
}

/**
 * Waits until no resource has registered for `quietMs` (children whose inputs wait on other
 * outputs register late); fails after `timeoutMs`.
 */
export async function settle(mocks: StrictMocks, quietMs = 150, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let count = -1;
    while (count !== mocks.registrations.length) {
        if (Date.now() > until) throw new Error(`registrations did not settle within ${timeoutMs} ms`);
        count = mocks.registrations.length;
        await new Promise((r) => setTimeout(r, quietMs));
    }
}
