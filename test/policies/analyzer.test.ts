/**
 * The pack out of process, exactly as `pulumi preview --policy-pack policies/` runs it: the SDK's
 * `cmd/run-policy-pack` (from the pack's own node_modules) is spawned in the pack's folder as
 * `node <run-policy-pack> 127.0.0.1:1 .`; it registers ts-node (type-checking, with
 * policies/tsconfig.json), requires the folder's `main` (index.ts), whose `new PolicyPack(...)`
 * starts the analyzer's gRPC server and prints its port as the first line of stdout. The engine
 * address is required but never dialled. We then call, over gRPC with insecure credentials,
 * GetAnalyzerInfo, Configure, Analyze and AnalyzeStack, and stop the process.
 *
 * Needs `npm ci --prefix policies` (what .ci/run does).
 */
import assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { RESOURCE_POLICIES } from "../../policies/rules";
import { STACK_DEFAULTS, STACK_POLICIES } from "../../policies/rules/quotas";
import { TENANT_CONNECTIONS } from "../../policies/rules/quotas/pgplatform-configure-tenant-connections";
import { TENANTS_PER_CLUSTER } from "../../policies/rules/quotas/pgplatform-configure-tenants-per-cluster";
import { localServer, pgSingleWithServer, tenantWithRecord } from "./quotas/fixtures";
import { Diagnostic, PACK_NAME, PACK_VERSION, POLICIES_DIR, PackConfig, analyzeRequest, analyzeResource, analyzeStackRequest, diagnosticsOf, packRequire, urnOf } from "./quotas/harness";

const CLIENT_PROTO = { pb, Struct };

/** Every policy a file under policies/rules/ exports (index files only gather them). */
function policiesInRuleFiles(): { file: string; names: string[] }[] {
  const out: { file: string; names: string[] }[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts") && e.name !== "index.ts") {
        const mod = require(p);
        const names = Object.values(mod)
          .filter((v: any) => v && typeof v === "object" && typeof v.name === "string" && typeof v.description === "string" && (v.validateResource || v.validateStack))
          .map((v: any) => v.name as string);
        if (names.length > 0) out.push({ file: path.relative(POLICIES_DIR, p), names });
      }
    }
  };
  walk(path.join(POLICIES_DIR, "rules"));
  return out;
}

/** The pack's process and a connected client. */
class PackProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly client: AnalyzerClient,
    readonly stderr: () => string,
  ) {}

  static async start(timeoutMs = 90_000): Promise<PackProcess> {
    const runner = packRequire.resolve("@pulumi/pulumi/cmd/run-policy-pack");
    const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: POLICIES_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(new Error(`policy pack ${why}; stdout: ${JSON.stringify(out)}; stderr:\n${err}`));
      };
      const timer = setTimeout(() => fail(`printed no port within ${timeoutMs} ms`), timeoutMs);
      child.once("exit", (code, sig) => fail(`exited (code ${code}, signal ${sig}) before printing its port`));
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf("\n");
        if (nl < 0) return;
        clearTimeout(timer);
        child.removeAllListeners("exit");
        const p = Number(out.slice(0, nl).trim());
        Number.isInteger(p) && p > 0 ? resolve(p) : fail(`printed ${JSON.stringify(out.slice(0, nl))}, not a port`);
      });
    });
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PackProcess(child, client, () => err);
  }

  unary<Res>(method: string, req: unknown): Promise<Res> {
    return new Promise((resolve, reject) =>
      (this.client as any)[method](req, (e: grpc.ServiceError | null, r: Res) => (e ? reject(new Error(`${method}: ${e.details ?? e.message}\n${this.stderr()}`)) : resolve(r))),
    );
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill("SIGTERM");
    const t = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(t);
  }
}

const LEVEL: Record<string, pb.EnforcementLevel> = { advisory: pb.EnforcementLevel.ADVISORY, mandatory: pb.EnforcementLevel.MANDATORY, disabled: pb.EnforcementLevel.DISABLED };

/** A `ConfigureAnalyzerRequest` as the engine builds it from `--policy-pack-config`. */
function configureRequest(config: PackConfig): pb.ConfigureAnalyzerRequest {
  const req = new pb.ConfigureAnalyzerRequest();
  for (const [name, { enforcementLevel, ...props }] of Object.entries(config)) {
    const c = new pb.PolicyConfig().setEnforcementlevel(LEVEL[enforcementLevel ?? "mandatory"]).setProperties(Struct.fromJavaScript(props as any));
    req.getPolicyconfigMap().set(name, c);
  }
  return req;
}

/** What the test configures: tight tenant thresholds; tenant connections only advisory. */
const CONFIG: PackConfig = {
  [TENANTS_PER_CLUSTER]: { enforcementLevel: "mandatory", maxTenantsPerCluster: 2 },
  [TENANT_CONNECTIONS]: { enforcementLevel: "advisory", maxConnectionsPerTenant: 10, requireTenantConnectionLimit: false },
};

const SHARED = "saas-dev-shared";
/** A shared PgSingle with three tenants, acme allowed 20 connections. */
const STACK = [
  ...pgSingleWithServer("shared", { resourceId: SHARED, projectId: "saas", environmentId: "dev", storageGb: 20 }),
  ...tenantWithRecord("acme", { tenantId: "acme", targetResourceId: SHARED, maxConnections: 20 }),
  ...tenantWithRecord("globex", { tenantId: "globex", targetResourceId: SHARED, maxConnections: 5 }),
  ...tenantWithRecord("initech", { tenantId: "initech", targetResourceId: SHARED }),
];

/** A LocalServer made by hand (no component), labelled as a `dev_single` in `prod`: what the plan rules exist for. */
const BAD_SERVER = localServer("rogue", { resourceId: "shop-prod-rogue", projectId: "shop", environmentId: "prod", plan: "dev_single", storageGb: 20 });
/** The resource rules' verdict on {@link BAD_SERVER}: (policy name, message). */
const BAD_SERVER_EXPECTED: [string, string][] = [
  [
    "pgplatform-disallow-dev-plan-in-production",
    'LocalServer "rogue": plan `dev_single` is not allowed in a production environment (label `pgplatform.io/environment` "prod" is production); allowed tiers: `dev`, `staging` (in production use `small_single`, `medium_single`)',
  ],
];

const strip = (ds: Diagnostic[]) => ds.map(({ policyName, policyPackName, detail, enforcementLevel, urn }) => ({ policyName, policyPackName, detail, enforcementLevel, urn }));

describe("the policy pack out of process (run-policy-pack over gRPC)", function () {
  let pack: PackProcess;

  before(async () => {
    pack = await PackProcess.start();
  });
  after(async () => {
    await pack?.stop();
    assert.ok(pack === undefined || pack.child.exitCode !== null || pack.child.signalCode !== null, "the pack's process is stopped");
  });

  it("GetAnalyzerInfo: the pack's name and version, and one policy per rule file", async () => {
    const info = await pack.unary<pb.AnalyzerInfo>("getAnalyzerInfo", new Empty());
    assert.strictEqual(info.getName(), PACK_NAME);
    assert.strictEqual(info.getVersion(), PACK_VERSION);
    const served = info.getPoliciesList().map((p) => p.getName());
    const files = policiesInRuleFiles();
    for (const f of files) assert.strictEqual(f.names.length, 1, `${f.file} declares one rule; got ${f.names.join(", ")}`);
    assert.deepStrictEqual([...served].sort(), files.map((f) => f.names[0]).sort());
    assert.deepStrictEqual(served, [...RESOURCE_POLICIES, ...STACK_POLICIES].map((p) => p.name));
    for (const p of info.getPoliciesList()) assert.match(p.getDescription(), /^Checks that /, p.getName());
    // Stack rules: their schema defaults are the code's defaults.
    const quota = info.getPoliciesList().filter((p) => p.getPolicyType() === pb.PolicyType.POLICY_TYPE_STACK);
    assert.deepStrictEqual(quota.map((p) => p.getName()), STACK_POLICIES.map((p) => p.name));
    const defaults = Object.assign({}, ...quota.map((p) => Object.fromEntries(Object.entries(p.getConfigschema()!.getProperties()!.toJavaScript()).map(([k, v]: [string, any]) => [k, v.default]))));
    assert.deepStrictEqual(defaults, { ...STACK_DEFAULTS });
  });

  it("policies/README.md's config example states every rule with its default level and every key's default", async () => {
    const info = await pack.unary<pb.AnalyzerInfo>("getAnalyzerInfo", new Empty());
    const levels = Object.fromEntries(Object.entries(pb.EnforcementLevel).map(([k, v]) => [v, k.toLowerCase()]));
    const served = Object.fromEntries(
      info.getPoliciesList().map((p) => [
        p.getName(),
        { enforcementLevel: levels[p.getEnforcementlevel()], ...Object.fromEntries(Object.entries(p.getConfigschema()?.getProperties()?.toJavaScript() ?? {}).map(([k, v]: [string, any]) => [k, v.default])) },
      ]),
    );
    const readme = fs.readFileSync(path.join(POLICIES_DIR, "README.md"), "utf8");
    const example = /## Config[\s\S]*?```json\n([\s\S]*?)```/.exec(readme);
    assert.ok(example, "policies/README.md has a JSON config example under ## Config");
    assert.deepStrictEqual(JSON.parse(example[1]), served);
    for (const name of Object.keys(served)) assert.ok(readme.includes(`| \`${name}\` |`), `the rule table lists ${name}`);
  });

  it("Configure, then AnalyzeStack: the configured thresholds and enforcement levels decide", async () => {
    await pack.unary("configure", configureRequest(CONFIG));
    const resp = await pack.unary<pb.AnalyzeResponse>("analyzeStack", analyzeStackRequest(STACK, CLIENT_PROTO));
    assert.deepStrictEqual(strip(diagnosticsOf(resp, pb)), [
      {
        policyName: TENANTS_PER_CLUSTER,
        policyPackName: PACK_NAME,
        detail: "db_resource `saas-dev-shared` has 3 tenants (`acme`, `globex`, `initech`); `maxTenantsPerCluster` allows at most 2",
        enforcementLevel: "mandatory",
        urn: urnOf("pgplatform:index:PgSingle", "shared"),
      },
      {
        policyName: TENANT_CONNECTIONS,
        policyPackName: PACK_NAME,
        detail: "tenant `acme` on db_resource `saas-dev-shared` has `maxConnections` 20; `maxConnectionsPerTenant` allows at most 10",
        enforcementLevel: "advisory",
        urn: urnOf("pgplatform:index:TenantDatabase", "acme"),
      },
    ]);
  });

  it("Analyze: a hand-made LocalServer labelled `dev_single` in `prod` gets the resource rules' exact diagnostics", async () => {
    const resp = await pack.unary<pb.AnalyzeResponse>("analyze", analyzeRequest(BAD_SERVER, CLIENT_PROTO));
    const served = strip(diagnosticsOf(resp, pb));
    assert.deepStrictEqual(served, strip(await analyzeResource(RESOURCE_POLICIES, BAD_SERVER, CONFIG)), "the same as in process");
    assert.deepStrictEqual(
      served.map((d) => [d.policyName, d.detail, d.enforcementLevel]),
      BAD_SERVER_EXPECTED.map(([name, detail]) => [name, detail, "mandatory"]),
    );
  });
});
