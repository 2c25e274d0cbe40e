/**
 * The upstream CRD schemas (`crds/` in this repository, unchanged copies of the project's
 * ../shared/crds: CloudNativePG 1.30.0, Barman Cloud plugin 0.14.0, Prometheus Operator 0.93.0;
 * test/backends/kubernetes/crds.test.ts keeps them identical) compiled with ajv, as the API server
 * would judge an object:
 *
 * - `x-kubernetes-*` keywords are annotations to ajv (`strict: false`); CEL rules
 *   (`x-kubernetes-validations`) are not evaluated;
 * - an object schema with `properties` gets `additionalProperties: false` unless it says
 *   `x-kubernetes-preserve-unknown-fields: true` or has its own `additionalProperties`: a misspelt
 *   field is an error, not silently pruned (as kubeconform `--strict` does);
 * - the formats the CRDs use (`int32`, `int64`, `byte`, `date-time`) are checked;
 * - a pattern's inline `(?i)` (RE2) becomes JavaScript's `i` flag.
 */
import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import { parse } from "yaml";

/** Where the CRDs live: `$PGPLATFORM_CRDS` when set, else this repository's `crds/`. */
export const CRD_ROOT = process.env.PGPLATFORM_CRDS ? path.resolve(process.env.PGPLATFORM_CRDS) : path.resolve(__dirname, "..", "..", "crds");

/** The project's shared copy the repository's `crds/` was taken from, when this checkout sits beside it. */
export const SHARED_CRD_ROOT = path.resolve(__dirname, "..", "..", "..", "shared", "crds");

/** Adds `additionalProperties: false` where the API server would prune unknown fields. */
export function closeObjects(schema: any): any {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!schema || typeof schema !== "object") return schema;
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === "properties" ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closeObjects(s)])) : closeObjects(v);
  if (out.properties && out.additionalProperties === undefined && out["x-kubernetes-preserve-unknown-fields"] !== true) out.additionalProperties = false;
  return out;
}

/** A compiled validator per `<apiVersion>:<kind>`. */
export type Validators = Map<string, ValidateFunction>;

/** Every `*.yaml` CRD under `root`. */
function crdFiles(root: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const p = path.join(root, entry.name);
    if (entry.isDirectory()) out.push(...crdFiles(p));
    else if (entry.name.endsWith(".yaml")) out.push(p);
  }
  return out.sort();
}

/** Compiles the schema of every served version of every CRD under `root`. */
export function loadValidators(root = CRD_ROOT): Validators {
  // Go's RE2 (the API server's) takes an inline `(?i)`; JavaScript takes the flag instead.
  const regExp = Object.assign((pattern: string, flags: string) => (pattern.includes("(?i)") ? new RegExp(pattern.replace("(?i)", ""), `${flags}i`) : new RegExp(pattern, flags)), {
    code: "new RegExp",
  });
  const ajv = new Ajv({ strict: false, allErrors: true, code: { regExp } });
  const int = (bits: number) => ({ type: "number" as const, validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** (bits - 1) });
  ajv.addFormat("int32", int(32));
  ajv.addFormat("int64", int(64));
  ajv.addFormat("byte", /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i);
  const out: Validators = new Map();
  for (const file of crdFiles(root)) {
    const crd = parse(fs.readFileSync(file, "utf8"));
    if (crd?.kind !== "CustomResourceDefinition") continue;
    for (const v of crd.spec.versions ?? []) {
      if (!v.served || !v.schema?.openAPIV3Schema) continue;
      out.set(`${crd.spec.group}/${v.name}:${crd.spec.names.kind}`, ajv.compile(closeObjects(v.schema.openAPIV3Schema)));
    }
  }
  return out;
}

/** The errors of `obj` against its CRD's schema as short lines; undefined when no CRD describes it. */
export function validateObject(validators: Validators, obj: Record<string, any>): string[] | undefined {
  const validate = validators.get(`${obj.apiVersion}:${obj.kind}`);
  if (!validate) return undefined;
  if (validate(obj)) return [];
  return (validate.errors ?? []).map((e) => {
    const extra = e.keyword === "additionalProperties" ? ` (\`${(e.params as any).additionalProperty}\`)` : e.keyword === "enum" ? ` (${JSON.stringify((e.params as any).allowedValues)})` : "";
    return `${e.instancePath || "/"} ${e.message}${extra}`;
  });
}
