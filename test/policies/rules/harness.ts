/**
 * Drives policies through the policy SDK's own RPC functions, in process, the way pulumi-policy's
 * tests do: `makeAnalyzeRpcFun` / `makeAnalyzeStackRpcFun` from `@pulumi/policy/server` (present at
 * run time, not in the type definitions) get a fake gRPC call whose request is built with the
 * pack's own copies of `analyzer_pb` and `struct_pb`, and answer with the AnalyzeResponse the engine
 * would get. So the real unknown-value proxy, secret unwrapping and enforcement levels apply.
 *
 * Config: the SDK keeps the pack's config in a module variable that only its `configure` RPC sets
 * (not exported), so the harness hands each policy its config by wrapping `getConfig`, as the SDK
 * would after `configure`, WITHOUT filling in schema defaults (only the engine does that, so the
 * rules' own defaults are what runs). Keys the policy's `configSchema` does not declare are refused.
 */
import * as path from "path";
import type { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "../../../policies/node_modules/@pulumi/policy";
import { shareDeserializedProperties } from "../../../policies/sharedProperties";

const POLICY_MODULES = path.resolve(__dirname, "..", "..", "..", "policies", "node_modules");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const server = require(path.join(POLICY_MODULES, "@pulumi/policy/server"));
// eslint-disable-next-line @typescript-eslint/no-var-requires
const analyzerpb = require(path.join(POLICY_MODULES, "@pulumi/pulumi/proto/analyzer_pb"));
// eslint-disable-next-line @typescript-eslint/no-var-requires
const structpb = require(path.join(POLICY_MODULES, "google-protobuf/google/protobuf/struct_pb"));
// As the pack's entry file does: the rules of a request share one decode of its properties.
shareDeserializedProperties();

/** How the engine marks an unknown value (any type) inside the properties of an AnalyzeRequest. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Wraps a value as the engine marks a secret. */
export function secret(value: unknown): Record<string, unknown> {
  return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

/** One resource as the engine describes it to the analyzer. */
export interface TestResource {
  /** Pulumi type token, e.g. `aws:rds/instance:Instance`. */
  type: string;
  /** Pulumi resource name. */
  name: string;
  /** Inputs (Analyze) or outputs (AnalyzeStack), plain JSON; `UNKNOWN` and {@link secret} inside as the engine sends them. */
  props: Record<string, unknown>;
  /** Defaults to `urn:pulumi:test::pgplatform::<type>::<name>`. */
  urn?: string;
  /** The `protect` resource option. */
  protect?: boolean;
  /** URN of the parent (AnalyzeStack links it to the parent resource). */
  parent?: string;
  /** URNs this resource depends on (AnalyzeStack). */
  dependencies?: string[];
}

/** Config per policy name, as `pulumi preview --policy-pack-config` gives it; `enforcementLevel` overrides the policy's. */
export type PackConfig = Record<string, Record<string, unknown>>;

/** One diagnostic of the AnalyzeResponse, decoded. */
export interface Diagnostic {
  policyName: string;
  enforcementLevel: "advisory" | "mandatory" | "disabled" | "remediate";
  /** The full message as the engine shows it: the description, a newline, then the rule's message. */
  message: string;
  /** The rule's own message (the description line removed); undefined for a skipped rule. */
  violation?: string;
  /** True for the SDK's "can't run policy ... during preview" note: the rule read an unknown value and was skipped. */
  skipped: boolean;
  urn: string;
}

/** What a run gave back. */
export interface AnalyzeResult {
  /** The rules' own messages of every violation, in order (skips excluded). */
  violations: string[];
  /** Names of the policies skipped because a value they read was unknown. */
  skipped: string[];
  /** Names of the policies that said they do not apply. */
  notApplicable: string[];
  diagnostics: Diagnostic[];
}

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;
const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;

function urnOf(r: TestResource): string {
  return r.urn ?? `urn:pulumi:test::pgplatform::${r.type}::${r.name}`;
}

function optionsOf(r: TestResource): any {
  const opts = new analyzerpb.AnalyzerResourceOptions();
  opts.setProtect(r.protect === true);
  if (r.parent) opts.setParent(r.parent);
  return opts;
}

function structOf(props: Record<string, unknown>): any {
  return structpb.Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));
}

/** The policy as the SDK would run it after `configure`: its config from `config`, its enforcement level overridable. */
function configured<P extends AnyPolicy>(policy: P, config: PackConfig): P {
  const given = config[policy.name];
  if (!given) return policy;
  const { enforcementLevel, ...rest } = given as { enforcementLevel?: EnforcementLevel } & Record<string, unknown>;
  const declared = Object.keys(policy.configSchema?.properties ?? {});
  const unknownKeys = Object.keys(rest).filter((k) => !declared.includes(k));
  if (unknownKeys.length > 0) throw new Error(`config for ${policy.name} has keys its configSchema does not declare: ${unknownKeys.join(", ")}`);
  const getConfig = <T>() => ({ ...rest }) as T;
  const out: any = { ...policy, enforcementLevel: enforcementLevel ?? policy.enforcementLevel };
  const v = (policy as any).validateResource;
  if (v) {
    const wrap = (fn: any) => (args: any, report: any) => fn({ ...args, getConfig }, report);
    out.validateResource = Array.isArray(v) ? v.map(wrap) : wrap(v);
  }
  const s = (policy as any).validateStack;
  if (s) out.validateStack = (args: any, report: any) => s({ ...args, getConfig }, report);
  return out as P;
}

/** Calls an SDK RPC function with a fake gRPC call and returns its response (or throws its error). */
function call(rpc: (c: { request: any }, cb: (err: any, resp: any) => void) => Promise<void>, request: any): Promise<any> {
  return new Promise((resolve, reject) => {
    rpc({ request }, (err, resp) => (err ? reject(err) : resolve(resp))).catch(reject);
  });
}

function decode(resp: any, policies: AnyPolicy[]): AnalyzeResult {
  const descriptions = new Map(policies.map((p) => [p.name, p.description]));
  const diagnostics: Diagnostic[] = resp.getDiagnosticsList().map((d: any): Diagnostic => {
    const message: string = d.getMessage();
    const description = descriptions.get(d.getPolicyname()) ?? "";
    const skipped = /^can't run (policy|remediation) '.*' from policy pack '.*' during preview: /.test(message);
    const violation = skipped ? undefined : message.startsWith(`${description}\n`) ? message.slice(description.length + 1) : message;
    return { policyName: d.getPolicyname(), enforcementLevel: LEVELS[d.getEnforcementlevel()], message, violation, skipped, urn: d.getUrn() };
  });
  return {
    violations: diagnostics.filter((d) => !d.skipped).map((d) => d.violation!),
    skipped: diagnostics.filter((d) => d.skipped).map((d) => d.policyName),
    notApplicable: resp.getNotApplicableList().map((n: any) => n.getPolicyName()),
    diagnostics,
  };
}

/** Options of a run. */
export interface RunOptions {
  /** Config per policy name. */
  config?: PackConfig;
  /** Pack name and version in messages; default `pgplatform` `0.1.0`. */
  pack?: { name: string; version: string };
}

/**
 * Runs resource policies on one resource through `makeAnalyzeRpcFun`, as the engine's Analyze call
 * at `pulumi preview` does.
 */
export async function analyze(policies: ResourceValidationPolicy | ResourceValidationPolicy[], resource: TestResource, options: RunOptions = {}): Promise<AnalyzeResult> {
  const list = (Array.isArray(policies) ? policies : [policies]).map((p) => configured(p, options.config ?? {}));
  const pack = options.pack ?? { name: "pgplatform", version: "0.1.0" };
  const request = new analyzerpb.AnalyzeRequest();
  request.setType(resource.type);
  request.setName(resource.name);
  request.setUrn(urnOf(resource));
  request.setProperties(structOf(resource.props));
  request.setOptions(optionsOf(resource));
  const resp = await call(server.makeAnalyzeRpcFun(pack.name, pack.version, "mandatory", list), request);
  return decode(resp, list);
}

/**
 * Runs stack policies on a set of resources through `makeAnalyzeStackRpcFun`, as the engine's
 * AnalyzeStack call does (at preview most outputs are `UNKNOWN`).
 */
export async function analyzeStack(policies: StackValidationPolicy | StackValidationPolicy[], resources: TestResource[], options: RunOptions = {}): Promise<AnalyzeResult> {
  const list = (Array.isArray(policies) ? policies : [policies]).map((p) => configured(p, options.config ?? {}));
  const pack = options.pack ?? { name: "pgplatform", version: "0.1.0" };
  const request = new analyzerpb.AnalyzeStackRequest();
  request.setResourcesList(
    resources.map((r) => {
      const res = new analyzerpb.AnalyzerResource();
      res.setType(r.type);
      res.setName(r.name);
      res.setUrn(urnOf(r));
      res.setProperties(structOf(r.props));
      res.setOptions(optionsOf(r));
      if (r.parent) res.setParent(r.parent);
      res.setDependenciesList(r.dependencies ?? []);
      return res;
    }),
  );
  const resp = await call(server.makeAnalyzeStackRpcFun(pack.name, pack.version, "mandatory", list), request);
  return decode(resp, list);
}

/** The violation messages one resource policy reports on one resource, with `config` as that policy's config. */
export async function violationsOf(policy: ResourceValidationPolicy, resource: TestResource, config?: Record<string, unknown>): Promise<string[]> {
  return (await analyze(policy, resource, { config: config ? { [policy.name]: config } : {} })).violations;
}
