/**
 * The resource rules as a set (names, descriptions, levels, config schemas, side-effect-free
 * modules) and the harness itself, which stack-policy tests reuse.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import type { StackValidationPolicy } from "../../../policies/node_modules/@pulumi/policy";
import { RESOURCE_POLICIES, configOf } from "../../../policies/rules";
import { UNKNOWN, analyze, analyzeStack, secret } from "./harness";
import { COMPLIANT, cnpgCluster, localServer, mutate, mutateAll, parameterGroup, pgCluster, pgSingle, rdsInstance, securityGroup } from "./fixtures";

/** Fixtures that break several rules at once, to compare runs with and without the schema's defaults. */
const BROKEN = [
  mutateAll(pgSingle, { plan: "dev_single", version: "14", network: { publicAccess: true, allowedCidrs: ["0.0.0.0/0"] } }),
  mutateAll(pgCluster, { standbys: 1, backup: { pitr: false }, storage: { sizeGb: 50 }, compute: { aws: { instanceClass: "db.x2g.large" } } }),
  mutateAll(rdsInstance, { backupRetentionPeriod: 3, storageEncrypted: false, publiclyAccessible: true, maxAllocatedStorage: 900, instanceClass: "db.m7g.large" }),
  mutateAll(cnpgCluster, { "spec.plugins": [], "spec.resources": undefined, "spec.instances": 1, "spec.backup": { barmanObjectStore: {} } }),
  mutate(securityGroup, "ingress.0.cidrBlocks", ["0.0.0.0/0"]),
  mutate(parameterGroup, "parameters", []),
];

const RULES_DIR = path.resolve(__dirname, "../../../policies/rules");

describe("policies: the resource rules as a pack", () => {
  it("names each rule after its file, <backend>-<enable|disallow|configure>-<subject>, and describes it as 'Checks that ...'", () => {
    const names = RESOURCE_POLICIES.map((p) => p.name);
    assert.strictEqual(new Set(names).size, names.length);
    for (const p of RESOURCE_POLICIES) {
      assert.match(p.name, /^(aws|kubernetes|pgplatform)-(enable|disallow|configure)-[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(fs.existsSync(path.join(RULES_DIR, `${p.name}.ts`)), `no file ${p.name}.ts`);
      assert.match(p.description, /^Checks that /);
      assert.ok(["mandatory", "advisory"].includes(p.enforcementLevel!), p.name);
    }
    const files = fs.readdirSync(RULES_DIR).filter((f) => /^(aws|kubernetes|pgplatform)-.*\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, ""));
    assert.deepStrictEqual(files.sort(), [...names].sort());
  });

  it("gives every config key a default in the schema, the very value the code falls back on", async () => {
    for (const p of RESOURCE_POLICIES) {
      const props = p.configSchema?.properties ?? {};
      assert.ok(Object.keys(props).length > 0, `${p.name} has no config`);
      const defaults = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.default]));
      for (const [k, v] of Object.entries(defaults)) assert.notStrictEqual(v, undefined, `${p.name}.${k}`);
      // The engine fills schema defaults in; the code alone must behave the same.
      for (const r of [...Object.values(COMPLIANT), ...BROKEN]) {
        const filled = await analyze(p, r, { config: { [p.name]: defaults } });
        const bare = await analyze(p, r);
        assert.deepStrictEqual(filled.violations, bare.violations, `${p.name} on ${r.name}`);
      }
    }
    const all = await Promise.all(BROKEN.map((r) => analyze(RESOURCE_POLICIES, r)));
    assert.deepStrictEqual(new Set(all.flatMap((r) => r.diagnostics.map((d) => d.policyName))).size, RESOURCE_POLICIES.length, "every rule fires on BROKEN");
  });

  it("falls back on the default for config values of the wrong type", () => {
    const args = { getConfig: <T>() => ({ minRetentionDays: "14", plans: "small_single", extra: 1 }) as unknown as T };
    assert.deepStrictEqual(configOf(args, { minRetentionDays: 7, plans: ["a"], on: true }), { minRetentionDays: 7, plans: ["a"], on: true });
  });

  it("passes every compliant fixture, with every rule", async () => {
    for (const [name, r] of Object.entries(COMPLIANT)) {
      const result = await analyze(RESOURCE_POLICIES, r);
      assert.deepStrictEqual([result.violations, result.skipped], [[], []], name);
    }
  });

  it("keeps rule modules free of side effects: no PolicyPack outside the entry file", () => {
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    for (const f of files(RULES_DIR).filter((f) => f.endsWith(".ts"))) {
      assert.ok(!/new PolicyPack\(/.test(fs.readFileSync(f, "utf8")), f);
    }
  });
});

describe("policies: the rules harness", () => {
  const [first] = RESOURCE_POLICIES;

  it("refuses config keys a policy does not declare, and applies an enforcement level from config", async () => {
    await assert.rejects(analyze(first, pgSingle, { config: { [first.name]: { nosuch: 1 } } }), /configSchema does not declare: nosuch/);
    const devInProd = mutate(pgSingle, "plan", "dev_single");
    const advisory = await analyze(first, devInProd, { config: { [first.name]: { enforcementLevel: "advisory" } } });
    assert.deepStrictEqual(advisory.diagnostics.map((d) => d.enforcementLevel), ["advisory"]);
    const disabled = await analyze(first, devInProd, { config: { [first.name]: { enforcementLevel: "disabled" } } });
    assert.deepStrictEqual(disabled.diagnostics, []);
  });

  it("hands secrets to rules unwrapped, as the SDK does", async () => {
    const secretEnv = mutate(localServer, "labels", { ...(localServer.props.labels as object), "pgplatform.io/environment": secret("prod"), "pgplatform.io/plan": "dev_single" });
    assert.deepStrictEqual((await analyze(first, secretEnv)).violations, [
      'LocalServer "billing-server": plan `dev_single` is not allowed in a production environment (label `pgplatform.io/environment` "prod" is production); allowed tiers: `dev`, `staging` (in production use `small_single`, `medium_single`)',
    ]);
  });

  it("drives stack policies through makeAnalyzeStackRpcFun, with parents linked and config handed over", async () => {
    const seen: string[] = [];
    const stackRule: StackValidationPolicy = {
      name: "pgplatform-configure-test-stack",
      description: "Checks that the harness runs stack policies.",
      enforcementLevel: "mandatory",
      configSchema: { properties: { max: { type: "integer", default: 1 } } },
      validateStack: (args, report) => {
        const max = args.getConfig<{ max?: number }>().max ?? 1;
        for (const r of args.resources) seen.push(`${r.name}<${r.parent?.name ?? ""}`);
        if (args.resources.length > max) report(`${args.resources.length} resources; at most ${max}`);
      },
    };
    const parent = { type: "pgplatform:index:PgSingle", name: "billing", props: {} };
    const child = { ...localServer, parent: "urn:pulumi:test::pgplatform::pgplatform:index:PgSingle::billing" };
    const r = await analyzeStack(stackRule, [parent, child], { config: { [stackRule.name]: { max: 1 } } });
    assert.deepStrictEqual([r.violations, seen], [["2 resources; at most 1"], ["billing<", "billing-server<billing"]]);
    const unknown = await analyzeStack({ ...stackRule, validateStack: (args) => void args.resources[0].props.status }, [{ ...parent, props: { status: UNKNOWN } }]);
    assert.deepStrictEqual([unknown.violations, unknown.skipped], [[], [stackRule.name]]);
  });
});
