/**
 * policies/sharedProperties.ts: the rules of one request read one deserialization of a resource's
 * properties (the SDK alone decodes them once per multi-type rule and once per stack rule), and what
 * each rule sees is unchanged: its own verdicts, each unknown value still skipped by each rule.
 * Counted at the source: `Struct.prototype.toJavaScript` of the pack's own protobuf copy, which the
 * SDK's `deserializeProperties` calls once per decode (nested objects call it again from inside: only
 * the outermost calls count).
 */
import assert from "assert";
import { RESOURCE_POLICIES } from "../../policies/rules";
import { STACK_POLICIES } from "../../policies/rules/quotas";
import { localServer as serverFixture, mutateAll, pgSingle as singleArgs } from "./rules/fixtures";
import { pgSingleWithServer, rdsInstance, tenantWithRecord } from "./quotas/fixtures";
import { PACK_PROTO, UNKNOWN, analyzeResource, analyzeStack, pairs } from "./quotas/harness";

/** Runs `body`, counting the property decodes (outermost `Struct.toJavaScript` calls) it causes. */
async function decodesDuring<T>(body: () => Promise<T>): Promise<{ decodes: number; result: T }> {
  const proto = PACK_PROTO.Struct.prototype;
  const original = proto.toJavaScript;
  let decodes = 0;
  let depth = 0;
  proto.toJavaScript = function (this: unknown) {
    if (depth === 0) decodes++;
    depth++;
    try {
      return original.call(this);
    } finally {
      depth--;
    }
  };
  try {
    const result = await body();
    return { decodes, result };
  } finally {
    proto.toJavaScript = original;
  }
}

describe("policy pack: one deserialization of a resource's properties per request, shared by its rules", () => {
  it("Analyze: a resource judged by every multi-type rule is decoded once, and each rule still gives its own verdict", async () => {
    const bad = mutateAll(singleArgs, { plan: "dev_single", "network.allowedCidrs": ["0.0.0.0/0"] });
    const { decodes, result } = await decodesDuring(() => analyzeResource(RESOURCE_POLICIES, bad));
    assert.strictEqual(decodes, 1);
    assert.deepStrictEqual(
      pairs(result).map(([name]) => name).sort(),
      ["pgplatform-disallow-dev-plan-in-production", "pgplatform-disallow-open-allowlist"],
    );
  });

  it("Analyze: each request decodes its own properties; a second request for the same resource is judged on its new props", async () => {
    const compliant = await decodesDuring(() => analyzeResource(RESOURCE_POLICIES, serverFixture));
    assert.deepStrictEqual([compliant.decodes, compliant.result], [1, []]);
    const opened = mutateAll(serverFixture, { allowedCidrs: ["0.0.0.0/0"] });
    const again = await decodesDuring(() => analyzeResource(RESOURCE_POLICIES, opened));
    assert.strictEqual(again.decodes, 1);
    assert.deepStrictEqual(pairs(again.result).map(([name]) => name), ["pgplatform-disallow-open-allowlist"]);
  });

  it("Analyze: an unknown value read by several rules still stops each of them on its own (the SDK's advisory per rule, as unshared)", async () => {
    const unknown = mutateAll(singleArgs, { plan: UNKNOWN.string, "network.allowedCidrs": UNKNOWN.array });
    const { decodes, result } = await decodesDuring(() => analyzeResource(RESOURCE_POLICIES, unknown));
    assert.strictEqual(decodes, 1);
    assert.deepStrictEqual(
      result.map((d) => [d.policyName, d.enforcementLevel, d.detail.replace(/^can't run policy '[^']+' from policy pack '[^']+' during preview: /, "")]),
      [
        ...[
          "pgplatform-disallow-dev-plan-in-production",
          "pgplatform-configure-prod-ha-resilience",
          "pgplatform-configure-production-backups",
          "pgplatform-enable-supported-version",
          "pgplatform-configure-plan-storage-bounds",
          "pgplatform-configure-plan-compute",
        ].map((name) => [name, "advisory", "string value at .plan can't be known during preview"]),
        ["pgplatform-disallow-open-allowlist", "advisory", "Array value at .network.allowedCidrs can't be known during preview"],
      ],
    );
  });

  it("AnalyzeStack: every stack rule reads the same decode of each resource, once per resource", async () => {
    const prod = (name: string, storageGb: number) => ({ resourceId: `shop-prod-${name}`, projectId: "shop", environmentId: "prod", storageGb });
    const resources = [
      ...pgSingleWithServer("a", prod("a", 300)),
      ...pgSingleWithServer("b", prod("b", 300)),
      rdsInstance("c", prod("c", 300)),
      ...tenantWithRecord("acme", { tenantId: "acme", targetResourceId: "shop-prod-a", maxConnections: 5 }),
    ];
    const { decodes, result } = await decodesDuring(() => analyzeStack(STACK_POLICIES, resources, { "pgplatform-configure-project-storage-quota": { maxStorageGbPerProject: 800 } }));
    assert.strictEqual(decodes, resources.length);
    assert.deepStrictEqual(pairs(result).map(([name]) => name), ["pgplatform-configure-project-storage-quota"]);
  });
});
