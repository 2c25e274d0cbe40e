/**
 * One deserialization of a resource's properties per request, shared by every rule of the pack.
 *
 * `@pulumi/policy`'s server (1.21) turns a resource's property `Struct` into plain JS once per rule
 * that is not limited to a single type (`Analyze`), and once per stack rule for every resource of
 * the stack (`AnalyzeStack`): with this pack's 10 multi-type resource rules and 6 stack rules, each
 * resource was decoded up to 16 times, the same work over the same bytes each time (bench P6).
 *
 * {@link shareDeserializedProperties} makes the server's `deserializeProperties` remember its
 * answer per `Struct` object for the life of that object (a WeakMap: the request's own message,
 * which protobuf returns as the same wrapper on every `getProperties()`), so every rule of one
 * request reads the one decoded copy. What each rule sees does not change: the server still wraps
 * that copy in its own unknown-checking proxy per rule, so an unknown value still throws the SDK's
 * `UnknownValueError` in each rule that reads it, and the rules of this pack only read.
 *
 * Only the plain form is shared (`proxySecrets: false`, what `Analyze`, `AnalyzeStack` and provider
 * resources use). `Remediate` asks for secret-preserving proxies and threads its own mutations from
 * one remediation to the next: it keeps the SDK's own, unshared path.
 *
 * Called by the pack's entry file only (rules stay side-effect free); idempotent. If a later SDK
 * stops calling `deserializeProperties` through its module exports, nothing breaks: rules get the
 * SDK's own copies again, and test/policies/sharedProperties.test.ts fails to say the sharing is gone.
 */
import { createRequire } from "module";
import * as path from "path";

/** The SDK's deserializer: a property `Struct` (or its JS form) into plain JS. */
type Deserialize = ((struct: unknown, proxySecrets: boolean) => Record<string, unknown>) & { pgplatformShared?: true };

/** The SDK's deserialize module, as the pack's server loads it (the pack's own node_modules). */
function deserializeModule(): { deserializeProperties: Deserialize } {
  const packRequire = createRequire(path.join(__dirname, "package.json"));
  return packRequire("@pulumi/policy/deserialize");
}

/** Makes every rule of one request share the one deserialization of a resource's properties. Idempotent. */
export function shareDeserializedProperties(): void {
  const mod = deserializeModule();
  const original = mod.deserializeProperties;
  if (original.pgplatformShared) return;
  const decoded = new WeakMap<object, Record<string, unknown>>();
  const shared: Deserialize = (struct, proxySecrets) => {
    if (proxySecrets || struct === null || typeof struct !== "object") return original(struct, proxySecrets);
    let props = decoded.get(struct);
    if (props === undefined) {
      props = original(struct, false);
      decoded.set(struct, props);
    }
    return props;
  };
  shared.pgplatformShared = true;
  mod.deserializeProperties = shared;
}

/** Whether the pack's server deserializes through the shared path (for tests and the bench). */
export function sharingDeserializedProperties(): boolean {
  return deserializeModule().deserializeProperties.pgplatformShared === true;
}
