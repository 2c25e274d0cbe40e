/**
 * A preview with the pack, without the engine: each program runs under strict mocks (as
 * test/e2e/examples.test.ts runs the examples: "pgplatform" resolves to components/index.ts, the
 * handlers echo inputs), and what the program sends the engine is fed to the pack in process, as
 * `pulumi preview --policy-pack` would feed it:
 *
 * - every `RegisterResource` request (type, name, parent, its serialized inputs: component args
 *   included) goes to `Analyze`, the resource rules, one call per resource;
 * - then one `AnalyzeStack` over every resource, with what the engine keeps as each resource's
 *   outputs: a component's are what it sent with `RegisterResourceOutputs` (its `facts` among them),
 *   a new custom resource's at preview are its inputs.
 *
 * Both are read off the SDK's resource monitor (the mock monitor here, the engine's in a real run):
 * ./quotas/capture.ts wraps its `registerResource` and `registerResourceOutputs` methods, so the
 * properties are exactly the wire form the SDK serialized (secrets as signature objects), not
 * values read back from the component objects.
 */
import assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PgSingle, TenantDatabase } from "../../components";
import { LocalServer } from "../../components/providers/localServer";
import { RESOURCE_POLICIES } from "../../policies/rules";
import { STACK_POLICIES } from "../../policies/rules/quotas";
import { PROJECT_STORAGE_QUOTA } from "../../policies/rules/quotas/pgplatform-configure-project-storage-quota";
import { TENANT_CONNECTIONS } from "../../policies/rules/quotas/pgplatform-configure-tenant-connections";
import { TENANTS_PER_CLUSTER } from "../../policies/rules/quotas/pgplatform-configure-tenants-per-cluster";
import { PackConfig } from "./quotas/harness";
import { EXAMPLES, judge, preview, runExample } from "./previewHarness";

const ALL_POLICIES = [...RESOURCE_POLICIES, ...STACK_POLICIES];

/** Labels a primitive carries when made by hand for `resourceId` (what the components would put there). */
function labels(project: string, environment: string, plan: string, resourceId: string): Record<string, string> {
  return { "pgplatform.io/project": project, "pgplatform.io/environment": environment, "pgplatform.io/plan": plan, "pgplatform.io/resource-id": resourceId, "pgplatform.io/kind": "pg_single" };
}

/** A LocalServer made without PgSingle: what the components would refuse, the primitive rules must catch. */
function handMadeServer(name: string, over: { environment: string; plan: string; storageGb?: number; version?: string; allowedCidrs?: string[] }): LocalServer {
  const resourceId = `shop-${over.environment}-${name}`;
  return new LocalServer(name, {
    resourceId,
    resourceKind: "pg_single",
    version: over.version ?? "17",
    dataRoot: "/srv/pgplatform",
    allowedCidrs: over.allowedCidrs ?? ["127.0.0.1/32"],
    superuser: "postgres",
    superuserPassword: pulumi.secret("s3cret-s3cret"),
    databaseName: "app",
    username: "app",
    password: pulumi.secret("s3cret-s3cret"),
    parameters: {},
    storageGb: over.storageGb ?? 20,
    labels: labels("shop", over.environment, over.plan, resourceId),
  });
}

/**
 * A deliberately bad program: every part is something the components accept (or a primitive made
 * without them), and the pack must refuse.
 */
function badProgram(): void {
  // Quotas: three tenants on one shared db_resource (config allows 2), one with 500 connections.
  const shared = new PgSingle("shared", { projectId: "saas", environmentId: "dev", plan: "dev_single" });
  for (const [tenantId, maxConnections] of [["acme", 500], ["globex", 20], ["initech", 10]] as const) {
    new TenantDatabase(tenantId, { tenantId, projectId: "saas", environmentId: "dev", target: shared, mode: "schema_per_tenant", quotas: { maxConnections } });
  }
  // Plan rules on primitives made by hand: a dev_single in prod, an open allowlist in staging,
  // storage beyond the plan's bounds, an unsupported version.
  handMadeServer("rogue", { environment: "prod", plan: "dev_single" });
  handMadeServer("open", { environment: "staging", plan: "small_single", allowedCidrs: ["0.0.0.0/0"] });
  handMadeServer("huge", { environment: "dev", plan: "small_single", storageGb: 5000 });
  handMadeServer("old", { environment: "dev", plan: "small_single", version: "14" });
}

/** The config the bad program is judged with. */
const BAD_CONFIG: PackConfig = { [TENANTS_PER_CLUSTER]: { maxTenantsPerCluster: 2 } };

/** The shared db_resource's id: `<project>-<environment>-<name>-<hash>`, deterministic. */
const SHARED_ID = "saas-dev-shared-39689ad3";

/**
 * What the pack must say about {@link badProgram}, in the order the engine reports it: Analyze per
 * resource in registration order, then AnalyzeStack. (`huge` also takes `dev` of `shop` over the
 * default 5000 GiB per environment, with `old`.)
 */
const BAD_EXPECTED: [string, string][] = [
  [
    "pgplatform-disallow-dev-plan-in-production",
    'LocalServer "rogue": plan `dev_single` is not allowed in a production environment (label `pgplatform.io/environment` "prod" is production); allowed tiers: `dev`, `staging` (in production use `small_single`, `medium_single`)',
  ],
  [
    "pgplatform-disallow-open-allowlist",
    'LocalServer "open": `allowedCidrs[0]` admits the whole internet, which only a `dev` environment may do (label `pgplatform.io/environment` "staging" is staging); got "0.0.0.0/0"',
  ],
  ["pgplatform-configure-plan-storage-bounds", 'LocalServer "huge": `storageGb` must be between 20 and 500 GiB for plan `small_single`; got 5000'],
  [
    "pgplatform-enable-supported-version",
    'LocalServer "old": `version` must be a supported major, one of `15`, `16`, `17`, `18` (PostgreSQL 14 reached end of life on 2026-11-12); got "14"',
  ],
  [
    PROJECT_STORAGE_QUOTA,
    "environment `dev` of project `shop` declares 5020 GiB of `storageGb` over 2 db_resources (`shop-dev-huge` 5000, `shop-dev-old` 20); `maxStorageGbPerEnvironment` allows at most 5000",
  ],
  [TENANTS_PER_CLUSTER, `db_resource \`${SHARED_ID}\` has 3 tenants (\`acme\`, \`globex\`, \`initech\`); \`maxTenantsPerCluster\` allows at most 2`],
  [TENANT_CONNECTIONS, `tenant \`acme\` on db_resource \`${SHARED_ID}\` has \`maxConnections\` 500; \`maxConnectionsPerTenant\` allows at most 100`],
];

describe("a preview with the pack: programs under mocks, every resource fed to the policies", () => {
  const dirs = fs.readdirSync(EXAMPLES).filter((d) => fs.existsSync(path.join(EXAMPLES, d, "Pulumi.yaml")));

  it("has policies of both kinds and examples to judge", () => {
    assert.ok(STACK_POLICIES.length === 6 && dirs.length >= 3, `${ALL_POLICIES.length} policies, examples ${dirs.join(", ")}`);
  });

  for (const dir of dirs) {
    it(`${dir}: a compliant example gets no mandatory violation`, async () => {
      const seen = await preview(runExample(dir));
      assert.ok(seen.some((s) => !s.custom && (s.stack.props as any).facts), "components' facts reached the stack policies");
      const mandatory = (await judge(seen)).filter((d) => d.enforcementLevel === "mandatory");
      assert.deepStrictEqual(mandatory.map((d) => [d.policyName, d.detail]), []);
    });
  }

  it("a deliberately bad program gets exactly the expected (policy, message) list", async () => {
    const seen = await preview(badProgram);
    const got = (await judge(seen, BAD_CONFIG)).map((d) => [d.policyName, d.detail]);
    assert.deepStrictEqual(got, BAD_EXPECTED);
  });
});
