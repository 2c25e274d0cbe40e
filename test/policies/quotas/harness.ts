/**
 * Runs the pack's policies in process through the SDK's own analyzer handlers, the code the pack's
 * gRPC server runs for `Analyze` and `AnalyzeStack`: `makeAnalyzeRpcFun` / `makeAnalyzeStackRpcFun`
 * from `@pulumi/policy/server` (present at run time, not in the type definitions). They deserialize
 * the request's property Struct, wrap it in the unknown-checking proxy, resolve parents, apply the
 * enforcement level and catch UnknownValueError exactly as `pulumi preview --policy-pack` does.
 *
 * Everything is loaded from the pack's own node_modules (`policies/`), as the rules themselves
 * resolve `@pulumi/policy`, so the proxy and its error class are the ones the rules see.
 *
 * Config: the server keeps the config of the last `Configure` RPC in a module variable that only the
 * gRPC handler sets. In process, {@link withConfig} gives each policy what `Configure` would have:
 * `getConfig()` returns the policy's properties, and the policy's enforcement level is the
 * configured one (the server ranks configured > policy's own > pack's, so this is the same
 * outcome). The real `Configure` path is covered out of process in test/policies/analyzer.test.ts.
 *
 * As the pack's entry file does, this shares one deserialization of a resource's properties among
 * the rules of a request (policies/sharedProperties.ts), so every rule test runs the way the pack runs.
 */
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import type { Policy, ResourceValidationPolicy, StackValidationPolicy } from "../../../policies/node_modules/@pulumi/policy";
import { shareDeserializedProperties } from "../../../policies/sharedProperties";

/** The pack's folder. */
export const POLICIES_DIR = path.resolve(__dirname, "..", "..", "..", "policies");
/** `require` as the pack resolves modules (its own node_modules). */
export const packRequire = createRequire(path.join(POLICIES_DIR, "package.json"));

const server = packRequire("@pulumi/policy/server");
const packPb = packRequire("@pulumi/pulumi/proto/analyzer_pb");
const PackStruct = packRequire("google-protobuf/google/protobuf/struct_pb").Struct;
shareDeserializedProperties();

/** The pack's name, as policies/index.ts gives it. */
export const PACK_NAME = "pgplatform";
/** The pack's version: policies/package.json's. */
export const PACK_VERSION: string = JSON.parse(fs.readFileSync(path.join(POLICIES_DIR, "package.json"), "utf8")).version;
/** The pack's own enforcement level (policies/index.ts). */
export const PACK_LEVEL = "mandatory";

/** The sentinels the engine sends for values unknown at preview. */
export const UNKNOWN = {
  string: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  number: "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  boolean: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  array: "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  object: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
} as const;

/** An enforcement level. */
export type Level = "advisory" | "mandatory" | "remediate" | "disabled";
/** One policy's config, as `--policy-pack-config` gives it. */
export type PolicyConfig = { enforcementLevel?: Level } & Record<string, unknown>;
/** The pack's config: policy name to its config. */
export type PackConfig = Record<string, PolicyConfig>;

/** A resource as the engine hands it to the analyzer. */
export interface ResourceFixture {
  type: string;
  name: string;
  /** Properties in wire form (secrets as signature objects, unknowns as sentinel strings). */
  props: Record<string, unknown>;
  /** Default {@link urnOf}(type, name, parent). */
  urn?: string;
  /** The parent's URN. */
  parent?: string;
  protect?: boolean;
}

/** One diagnostic the analyzer returned. */
export interface Diagnostic {
  policyName: string;
  policyPackName: string;
  description: string;
  /** The message as the engine prints it: the description, a newline, the rule's own message. */
  message: string;
  /** The rule's own message (what `reportViolation` was given). */
  detail: string;
  enforcementLevel: Level;
  /** The resource it was reported on, `""` for the stack. */
  urn: string;
}

/** `urn:pulumi:test::pgplatform-test::<Parent$>type::name`, as the mock monitor and the engine build it. */
export function urnOf(type: string, name: string, parent?: string): string {
  const qualified = parent ? `${parent.split("::")[2].split("$").pop()}$${type}` : type;
  return `urn:pulumi:test::pgplatform-test::${qualified}::${name}`;
}

/** Copies of the policies that see `config` as if `Configure` had sent it (see the module comment). */
export function withConfig<P extends Policy>(policies: readonly P[], config: PackConfig = {}): P[] {
  return policies.map((p) => {
    const c = config[p.name];
    if (!c) return p;
    const { enforcementLevel, ...props } = c;
    const getConfig = () => props;
    const copy: any = { ...p, enforcementLevel: enforcementLevel ?? p.enforcementLevel };
    if ("validateStack" in p) copy.validateStack = (args: any, report: any) => (p as StackValidationPolicy).validateStack({ ...args, getConfig }, report);
    if ("validateResource" in p && p.validateResource) {
      const wrap = (v: any) => Object.assign((args: any, report: any) => v({ ...args, getConfig }, report), v.__pulumiType ? { __pulumiType: v.__pulumiType } : {});
      const v = (p as ResourceValidationPolicy).validateResource!;
      copy.validateResource = Array.isArray(v) ? v.map(wrap) : wrap(v);
    }
    return copy;
  });
}

/** The proto module and Struct class requests are built with (the pack's in process, the client's over gRPC). */
export interface Proto {
  pb: any;
  Struct: any;
}
/** The pack's own proto classes. */
export const PACK_PROTO: Proto = { pb: packPb, Struct: PackStruct };

function optionsOf(proto: Proto, r: ResourceFixture): any {
  const o = new proto.pb.AnalyzerResourceOptions();
  o.setProtect(!!r.protect);
  if (r.parent) o.setParent(r.parent);
  return o;
}

/** An `AnalyzeRequest` for one resource. */
export function analyzeRequest(r: ResourceFixture, proto: Proto = PACK_PROTO): any {
  return new proto.pb.AnalyzeRequest()
    .setType(r.type)
    .setName(r.name)
    .setUrn(r.urn ?? urnOf(r.type, r.name, r.parent))
    .setProperties(proto.Struct.fromJavaScript(r.props))
    .setOptions(optionsOf(proto, r));
}

/** An `AnalyzeStackRequest` for the resources, in order. */
export function analyzeStackRequest(resources: readonly ResourceFixture[], proto: Proto = PACK_PROTO): any {
  return new proto.pb.AnalyzeStackRequest().setResourcesList(
    resources.map((r) => {
      const a = new proto.pb.AnalyzerResource()
        .setType(r.type)
        .setName(r.name)
        .setUrn(r.urn ?? urnOf(r.type, r.name, r.parent))
        .setProperties(proto.Struct.fromJavaScript(r.props))
        .setOptions(optionsOf(proto, r));
      if (r.parent) a.setParent(r.parent);
      return a;
    }),
  );
}

/** The diagnostics of an `AnalyzeResponse` (of either proto copy). */
export function diagnosticsOf(resp: any, pb: any = packPb): Diagnostic[] {
  const levels = Object.fromEntries(Object.entries(pb.EnforcementLevel).map(([k, v]) => [v, k.toLowerCase()]));
  return resp.getDiagnosticsList().map((d: any) => {
    const description = d.getDescription();
    const message = d.getMessage();
    return {
      policyName: d.getPolicyname(),
      policyPackName: d.getPolicypackname(),
      description,
      message,
      detail: message.startsWith(`${description}\n`) ? message.slice(description.length + 1) : message,
      enforcementLevel: levels[d.getEnforcementlevel()] as Level,
      urn: d.getUrn(),
    };
  });
}

function call(fn: Function, request: any): Promise<Diagnostic[]> {
  return new Promise((resolve, reject) => fn({ request }, (err: unknown, resp: any) => (err ? reject(err) : resolve(diagnosticsOf(resp)))));
}

/** The pack's `Analyze` and `AnalyzeStack` handlers over `policies`, taking a request and answering its `AnalyzeResponse`. */
export interface PackHandlers {
  analyze(request: any): Promise<any>;
  analyzeStack(request: any): Promise<any>;
}

/** {@link PackHandlers} for `policies` (configured by `config`), built by the SDK's server code. */
export function packHandlers(policies: readonly Policy[], config?: PackConfig): PackHandlers {
  const configured = withConfig(policies, config);
  const wrap = (fn: Function) => (request: any) => new Promise<any>((resolve, reject) => fn({ request }, (err: unknown, resp: any) => (err ? reject(err) : resolve(resp))));
  return {
    analyze: wrap(server.makeAnalyzeRpcFun(PACK_NAME, PACK_VERSION, PACK_LEVEL, configured)),
    analyzeStack: wrap(server.makeAnalyzeStackRpcFun(PACK_NAME, PACK_VERSION, PACK_LEVEL, configured)),
  };
}

/** Runs `AnalyzeStack` of the pack's server code over `resources` with `policies` (configured by `config`). */
export function analyzeStack(policies: readonly Policy[], resources: readonly ResourceFixture[], config?: PackConfig): Promise<Diagnostic[]> {
  return call(server.makeAnalyzeStackRpcFun(PACK_NAME, PACK_VERSION, PACK_LEVEL, withConfig(policies, config)), analyzeStackRequest(resources));
}

/** Runs `Analyze` of the pack's server code on one resource with `policies` (configured by `config`). */
export function analyzeResource(policies: readonly Policy[], resource: ResourceFixture, config?: PackConfig): Promise<Diagnostic[]> {
  return call(server.makeAnalyzeRpcFun(PACK_NAME, PACK_VERSION, PACK_LEVEL, withConfig(policies, config)), analyzeRequest(resource));
}

/** `[policyName, detail]` pairs, for exact comparisons. */
export function pairs(ds: readonly Diagnostic[]): [string, string][] {
  return ds.map((d) => [d.policyName, d.detail]);
}
