/**
 * What the engine would see of a program run under mocks, as the policy pack gets it.
 *
 * We wrap the SDK's resource monitor (the mock monitor under `setMocks`; in a real run it is the
 * engine's) so what we read is exactly what the SDK serialized and sent:
 *
 * - `RegisterResource`: type, name, parent and the serialized inputs (component args included,
 *   secrets as signature objects). The engine hands these to `Analyze`, one call per resource.
 * - `RegisterResourceOutputs`: a component's registered outputs (its `facts` among them). The engine
 *   stores them as the component's outputs, and `AnalyzeStack` gets every resource's outputs; a
 *   custom resource created at preview has its inputs as outputs.
 *
 * Resource references (a component passed to another, such as `source: db`) reach analyzers the way
 * the engine marshals them for `Analyze`/`AnalyzeStack` (`MarshalOptions` without `KeepResources`):
 * as the referenced resource's id when it has one, else as its URN string. The SDK sends them to
 * the monitor as reference objects; {@link asAnalyzersSeeThem} lowers them the same way.
 *
 * Install it right after `setMocks` (or `setStrictMocks`) and before the program constructs anything.
 */
import * as pulumi from "@pulumi/pulumi";
import { ResourceFixture } from "./harness";

/** One resource as the engine saw it. */
export interface Seen {
  /** A custom resource (true) or a component (false). */
  custom: boolean;
  /** What `Analyze` gets: the resource's inputs. */
  analyze: ResourceFixture;
  /** What `AnalyzeStack` gets at preview: a component's registered outputs, a custom resource's inputs. */
  stack: ResourceFixture;
}

/** The signature of a serialized resource reference (`specialResourceSig` in the SDK's rpc.ts). */
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** `v` with every resource reference replaced by its id (when known and not empty) or its URN, as the engine sends analyzers. */
export function asAnalyzersSeeThem(v: unknown): any {
  if (Array.isArray(v)) return v.map(asAnalyzersSeeThem);
  if (!v || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  if (o[SIG_KEY] === RESOURCE_SIG) return typeof o.id === "string" && o.id !== "" ? o.id : o.urn;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = asAnalyzersSeeThem(o[k]);
  return out;
}

/** The recorder {@link captureEngineView} returns. */
export interface EngineView {
  /** Every resource registered so far, in registration order. */
  seen(): Seen[];
}

/** Wraps the current monitor's `registerResource` and `registerResourceOutputs` (see the module comment). */
export function captureEngineView(): EngineView {
  const registered: { custom: boolean; resource: ResourceFixture }[] = [];
  const outputs = new Map<string, Record<string, unknown>>();
  const monitor = pulumi.runtime.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: any) =>
    register(req, (err: unknown, resp: any) => {
      if (!err) {
        const resource = { type: req.getType(), name: req.getName(), urn: resp.getUrn(), parent: req.getParent() || undefined, props: asAnalyzersSeeThem(req.getObject()?.toJavaScript() ?? {}), protect: !!req.getProtect?.() };
        registered.push({ custom: req.getCustom(), resource });
      }
      callback(err, resp);
    });
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req: any, callback: any) => {
    outputs.set(req.getUrn(), asAnalyzersSeeThem(req.getOutputs()?.toJavaScript() ?? {}));
    return registerOutputs(req, callback);
  };
  return {
    seen: () =>
      registered.map(({ custom, resource }) => ({
        custom,
        analyze: resource,
        stack: { ...resource, props: custom ? resource.props : (outputs.get(resource.urn!) ?? {}) },
      })),
  };
}

/** Waits until the SDK's RPC queue has drained (every registration and registerOutputs answered), as the language host does before it exits. */
export async function waitForRPCs(): Promise<void> {
  await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();
}
