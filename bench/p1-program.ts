/**
 * The program P1 times, one side per process:
 *
 *   node -r ts-node/register/transpile-only bench/p1-program.ts ours|floor [verify <out.json>]
 *
 * Both sides declare the same platform under Pulumi mocks (`pulumi.runtime.setMocks`, stack config
 * `pgplatform:catalog` = `local`, `pgplatform:localDataRoot` = `/tmp/x`): one shared db_resource,
 * {@link SINGLES} PgSingles and {@link TENANTS} tenants on the shared one.
 *
 * The shared db_resource is a `PgSingle` (plan `small_single`, `backup: { enabled: false }`) on the
 * local back end. It stands in for the shared `PgCluster` the tenants issue describes, because
 * PgCluster has no back end yet; a TenantDatabase takes either as its target and renders the same
 * children for both.
 *
 * - `ours`: the components (`PgSingle`, `TenantDatabase`), as a user writes them.
 * - `floor`: no components: the SAME primitives registered directly (`random.RandomPassword` and
 *   the dynamic resource classes `LocalServer`, `Role`, `Database`, `Schema`, `Grants`,
 *   `TenantQuota`, `CatalogRecord`), with the inputs, `protect` and `dependsOn` the components give
 *   them, written out by hand the way a program without pgplatform's components would: one admin
 *   connection Output per shared database and one catalogue input, shared by every resource that
 *   takes them (the components build one per child), and no component resources, parse, spec or
 *   connection/URI outputs. `verify` checks that both sides send the engine the same custom
 *   resources (type, name, inputs with their secrets, `protect`, dependencies).
 *
 * Timed: from just before the first resource is constructed (modules loaded, mocks installed)
 * until the SDK's RPC queue has drained (`waitForRPCs`, what the language host waits for before it
 * exits), i.e. every registration was answered by the mock's newResource and resolved into the
 * resource's outputs, and every component's registerOutputs went through; then the number of
 * answered registrations is checked against what the program declares.
 *
 * Prints one JSON line on stdout: `{ side, seconds, constructSeconds, custom, components,
 * peakRssBytes, peakHeapBytes }`; `constructSeconds` is the synchronous part (constructing every
 * resource), peak RSS the kernel's high-water mark (`VmHWM` of /proc/self/status) at the end, peak
 * heap the largest `heapUsed` sampled (every 100 tenants while constructing, every 20 ms after).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

/** Tenants on the shared db_resource; modes alternate, every third has quotas. */
export const TENANTS = 1000;
/** PgSingles besides the shared one; `dev_single` and `small_single` (backups off) alternate. */
export const SINGLES = 20;
const PROJECT = "saas";
const ENVIRONMENT = "dev";
const DATA_ROOT = "/tmp/x";
const CONFIG = { "pgplatform:catalog": "local", "pgplatform:localDataRoot": DATA_ROOT };
/** What the local back end and the catalogue put in `binarySearchPaths`: the library's root. */
const LIBRARY_ROOT = path.resolve(__dirname, "..");
const GIB = 1024 ** 3;

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";
const DYNAMIC = "pulumi-nodejs:dynamic/pgplatform:";

const tenantName = (i: number) => `t${String(i).padStart(4, "0")}`;
const tenantMode = (i: number): "database_per_tenant" | "schema_per_tenant" => (i % 2 === 1 ? "database_per_tenant" : "schema_per_tenant");
const tenantQuotas = (i: number) => (i % 3 === 0 ? { maxConnections: 5, maxStorageGb: 1 } : undefined);
const singleName = (i: number) => `db${String(i).padStart(2, "0")}`;
const singlePlan = (i: number): "dev_single" | "small_single" => (i % 2 === 1 ? "dev_single" : "small_single");

/** Custom resources the program declares (the same on both sides) and components (ours only). */
export function expectedCounts(): { custom: number; components: number } {
  let custom = 6 * (1 + SINGLES); // the change guard and its marker, 2 passwords, the server, the catalogue record
  for (let i = 1; i <= TENANTS; i++) custom += 5 + (tenantQuotas(i) ? 1 : 0); // password, role, database or schema, grants, record (+ quota)
  return { custom, components: 1 + SINGLES + TENANTS };
}

// ---------------------------------------------------------------------------------------------
// The mocks: identical on both sides.

/** A deterministic 32-character password for the RandomPassword named `name`. */
function mockPassword(name: string): string {
  return crypto.createHash("sha256").update(name).digest("base64").replace(/[^A-Za-z0-9]/g, "").padEnd(32, "x").slice(0, 32);
}

/** A plausible port for a server, stable per name. */
function mockPort(name: string): number {
  return 40000 + (crypto.createHash("sha256").update(name).digest().readUInt16BE(0) % 20000);
}

/** What the engine would return for a registration: the inputs plus the outputs the provider computes. */
function answer(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
  if (!args.custom) return { id: undefined, state: {} };
  const id = `${args.name}-id`;
  switch (args.type) {
    case RANDOM_PASSWORD:
      return { id, state: { ...args.inputs, result: mockPassword(args.name) } };
    case `${DYNAMIC}LocalServer`:
      return {
        id,
        state: {
          ...args.inputs,
          host: "127.0.0.1",
          port: mockPort(args.name),
          status: "RUNNING",
          running: true,
          serverVersion: "17.10",
          dataDir: `${DATA_ROOT}/${args.inputs.resourceId}/data`,
          drift: [],
        },
      };
    case `${DYNAMIC}TenantQuota`:
      return { id, state: { ...args.inputs, usageBytes: 0, usagePercent: 0, state: "ok", locked: false, measuredAt: "2026-01-01T00:00:00.000Z" } };
    default:
      return { id, state: args.inputs };
  }
}

/** One custom resource as the engine receives it, for `verify`. */
interface Seen {
  type: string;
  name: string;
  protect: boolean;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  inputs: string;
}

/** JSON with sorted keys; the serialized provider (`__provider`) as its hash. */
function stable(v: any): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${k === "__provider" && typeof v[k] === "string" ? JSON.stringify(`sha256:${crypto.createHash("sha256").update(v[k]).digest("hex")}`) : stable(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

const nameOfUrn = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

interface Counter {
  custom: number;
  components: number;
  seen?: Map<string, Seen>;
}

function installMocks(verify: boolean): Counter {
  const counter: Counter = { custom: 0, components: 0, ...(verify ? { seen: new Map<string, Seen>() } : {}) };
  const pending = new Map<string, Omit<Seen, "inputs" | "type" | "name">>();
  void pulumi.runtime.setMocks(
    {
      newResource(args) {
        const r = answer(args);
        if (args.custom) counter.custom++;
        else counter.components++;
        if (counter.seen && args.custom) {
          const req = pending.get(args.name)!;
          counter.seen.set(args.name, { type: args.type, name: args.name, ...req, inputs: stable(args.inputs) });
        }
        return r;
      },
      call(args) {
        throw new Error(`unexpected invoke ${args.token}`);
      },
    },
    "p1",
    "bench",
    false,
  );
  pulumi.runtime.setAllConfig(CONFIG);
  if (verify) {
    // The mock monitor calls newResource synchronously from registerResource: read what the
    // request carries besides the inputs.
    const monitor = pulumi.runtime.getMonitor() as any;
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
      const props: Record<string, string[]> = {};
      req.getPropertydependenciesMap().forEach((v: any, k: string) => (props[k] = v.getUrnsList().map(nameOfUrn).sort()));
      pending.set(req.getName(), { protect: !!req.getProtect(), dependencies: req.getDependenciesList().map(nameOfUrn).sort(), propertyDependencies: props });
      return original(req, callback);
    };
  }
  return counter;
}

// ---------------------------------------------------------------------------------------------
// Peak memory.

let peakHeap = 0;
function sampleHeap(): void {
  const h = process.memoryUsage().heapUsed;
  if (h > peakHeap) peakHeap = h;
}

function peakRss(): number {
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

// ---------------------------------------------------------------------------------------------
// Ours: the components.

function ours(): void {
  // Required here, so the floor's process never loads the components (or zod).
  const { PgSingle, TenantDatabase } = require("../components") as typeof import("../components");
  const shared = new PgSingle("shared", { projectId: PROJECT, environmentId: ENVIRONMENT, plan: "small_single", backup: { enabled: false } });
  for (let i = 1; i <= SINGLES; i++) {
    const plan = singlePlan(i);
    new PgSingle(singleName(i), { projectId: PROJECT, environmentId: ENVIRONMENT, plan, ...(plan === "small_single" ? { backup: { enabled: false } } : {}) });
  }
  sampleHeap();
  for (let i = 1; i <= TENANTS; i++) {
    const quotas = tenantQuotas(i);
    new TenantDatabase(tenantName(i), {
      tenantId: `c${i}`,
      projectId: PROJECT,
      environmentId: ENVIRONMENT,
      target: shared,
      mode: tenantMode(i),
      ...(quotas ? { quotas } : {}),
    });
    if (i % 100 === 0) sampleHeap();
  }
}

// ---------------------------------------------------------------------------------------------
// Floor: the same primitives, registered directly.

function floor(): void {
  const random = require("@pulumi/random") as typeof import("@pulumi/random");
  const { LocalServer } = require("../components/providers/localServer") as typeof import("../components/providers/localServer");
  const { CatalogRecord } = require("../components/providers/catalogRecord") as typeof import("../components/providers/catalogRecord");
  const { ChangeGuard } = require("../components/providers/changeGuard") as typeof import("../components/providers/changeGuard");
  const { Role } = require("../components/providers/sql/role") as typeof import("../components/providers/sql/role");
  const { Database } = require("../components/providers/sql/database") as typeof import("../components/providers/sql/database");
  const { Schema } = require("../components/providers/sql/schema") as typeof import("../components/providers/sql/schema");
  const { Grants } = require("../components/providers/sql/grants") as typeof import("../components/providers/sql/grants");
  const { TenantQuota } = require("../components/providers/sql/tenantQuota") as typeof import("../components/providers/sql/tenantQuota");
  const { PLANS } = require("../components/model/plans") as typeof import("../components/model/plans");
  const { resourceIdOf } = require("../components/model/ids") as typeof import("../components/model/ids");

  const catalog = pulumi.secret({ local: { dataRoot: DATA_ROOT, runAs: "postgres", binarySearchPaths: [LIBRARY_ROOT] } });
  const password = (name: string) => pulumi.secret(new random.RandomPassword(name, { length: 32, special: false }).result);

  /** A db_resource: 2 passwords, the server, its catalogue record; what tenants need of it. */
  function single(name: string, planName: "dev_single" | "small_single") {
    const plan = PLANS[planName];
    const resourceId = resourceIdOf("pg_single", PROJECT, ENVIRONMENT, name);
    const local = plan.compute.local;
    const labels = {
      "pgplatform.io/project": PROJECT,
      "pgplatform.io/environment": ENVIRONMENT,
      "pgplatform.io/environment-tier": "dev",
      "pgplatform.io/plan": planName,
      "pgplatform.io/resource-id": resourceId,
      "pgplatform.io/kind": "pg_single",
      "app.kubernetes.io/managed-by": "pgplatform",
    };
    // The change guard first: every other child of the db_resource depends on it, as the component does.
    const size = { storageGb: plan.storage.defaultGb, compute: `shared_buffers=${local.sharedBuffers}`, readReplicas: 0 };
    const guardArgs = { resourceId, resourceKind: "pg_single", version: "17", size, backend: "local", catalog };
    const guard = new ChangeGuard(`${name}-change-guard`, { phase: "before", ...guardArgs });
    const afterGuard = { dependsOn: [guard] };
    const superPw = new random.RandomPassword(`${name}-superuser-password`, { length: 32, special: false }, afterGuard);
    const appPw = new random.RandomPassword(`${name}-app-password`, { length: 32, special: false }, afterGuard);
    const server = new LocalServer(
      `${name}-server`,
      {
        resourceId,
        resourceKind: "pg_single",
        version: "17",
        dataRoot: DATA_ROOT,
        runAs: "postgres",
        allowedCidrs: ["127.0.0.1/32"],
        superuser: "postgres",
        superuserPassword: pulumi.secret(superPw.result),
        databaseName: "app",
        username: "app",
        password: pulumi.secret(appPw.result),
        parameters: {
          ...plan.parameters,
          log_min_duration_statement: "1000ms",
          shared_buffers: local.sharedBuffers,
          effective_cache_size: local.effectiveCacheSize,
          work_mem: local.workMem,
          maintenance_work_mem: local.maintenanceWorkMem,
        },
        storageGb: plan.storage.defaultGb,
        binarySearchPaths: [LIBRARY_ROOT],
        archive: true,
        paused: false,
        deletionPolicy: "hard",
        softDeleteRetentionDays: 7,
        maintenanceWindow: plan.maintenanceWindow,
        applyImmediately: false,
        labels,
      },
      { protect: plan.deletionProtection, ...afterGuard },
    );
    const done = new ChangeGuard(`${name}-change-done`, { phase: "after", ...guardArgs, pending: guard.events }, { dependsOn: [server, guard] });
    const record = new CatalogRecord(`${name}-record`, {
      catalog,
      recordType: "db_resource",
      recordId: resourceId,
      data: {
        kind: "pg_single",
        projectId: PROJECT,
        environmentId: ENVIRONMENT,
        plan: planName,
        version: "17",
        backend: "local",
        region: server.serverVersion.apply(() => "local"),
        endpoints: { write: { host: server.host, port: server.port, database: "app", user: "app" } },
        status: server.status,
        lifecycle: "ACTIVE",
        metadata: server.serverVersion.apply(() => ({ size: { compute: `shared_buffers=${local.sharedBuffers}`, storageGb: plan.storage.defaultGb }, tier: "dev", labels })),
      },
    }, afterGuard);
    const admin = (database: string) =>
      pulumi.secret(pulumi.all([server.host, server.port, server.superuserPassword]).apply(([host, port, pw]) => ({ host, port, user: "postgres", password: pw, database })));
    return { resourceId, children: [guard, superPw, appPw, server, done, record], admin };
  }

  const shared = single("shared", "small_single");
  for (let i = 1; i <= SINGLES; i++) single(singleName(i), singlePlan(i));
  sampleHeap();

  const adminPostgres = shared.admin("postgres");
  const adminApp = shared.admin("app");
  for (let i = 1; i <= TENANTS; i++) {
    const name = tenantName(i);
    const role = `tenant_c${i}`;
    const inDatabase = tenantMode(i) === "database_per_tenant";
    const quotas = tenantQuotas(i);
    const limit = quotas ? quotas.maxConnections : -1;
    const onDelete = { policy: "drop" as const, backupBeforeDelete: false };
    const tenantRole = new Role(`${name}-role`, {
      admin: adminPostgres,
      name: role,
      password: password(`${name}-password`),
      login: true,
      connectionLimit: limit,
      memberOf: ["pgplatform_tenants"],
      onDelete: "drop",
    });
    const home = inDatabase
      ? new Database(`${name}-database`, { admin: adminPostgres, name: role, owner: role, connectionLimit: limit, onDelete }, { dependsOn: [tenantRole] })
      : new Schema(`${name}-schema`, { admin: adminApp, name: role, owner: role, onDelete }, { dependsOn: [tenantRole] });
    new Grants(
      `${name}-grants`,
      inDatabase
        ? { admin: adminPostgres, object: { type: "database", name: role }, allowed: [{ grantee: role, privileges: ["CONNECT", "TEMPORARY"] }] }
        : { admin: adminApp, object: { type: "schema", name: role, database: "app" }, allowed: [] },
      { dependsOn: [home] },
    );
    let state: pulumi.Input<string> = "none";
    let lifecycle: pulumi.Input<string> = "ACTIVE";
    if (quotas) {
      const quota = new TenantQuota(
        `${name}-quota`,
        {
          admin: inDatabase ? adminPostgres : adminApp,
          scope: inDatabase ? { type: "database", name: role } : { type: "schema", database: "app", name: role },
          role,
          maxStorageBytes: quotas.maxStorageGb * GIB,
          warnAtPercent: 80,
          onLimit: "warn",
        },
        { dependsOn: [home] },
      );
      state = quota.state;
      lifecycle = quota.state.apply((s) => (s === "locked" ? "PAUSED" : "ACTIVE"));
    }
    new CatalogRecord(
      `${name}-record`,
      {
        catalog,
        recordType: "tenant",
        recordId: resourceIdOf("tenant_database", PROJECT, ENVIRONMENT, name),
        data: {
          tenantId: `c${i}`,
          projectId: PROJECT,
          environmentId: ENVIRONMENT,
          resourceId: shared.resourceId,
          mode: tenantMode(i),
          ...(inDatabase ? { databaseName: role } : { databaseName: "app", schemaName: role }),
          roleName: role,
          status: "RUNNING",
          lifecycle,
          quota: { warnAtPercent: 80, onLimit: "warn", ...(quotas ?? {}), state },
        },
      },
      { dependsOn: [home, ...shared.children] },
    );
    if (i % 100 === 0) sampleHeap();
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const side = process.argv[2];
  if (side !== "ours" && side !== "floor") throw new Error(`usage: p1-program.ts ours|floor [verify <out.json>]; got ${JSON.stringify(side)}`);
  const verify = process.argv[3] === "verify";
  const counter = installMocks(verify);
  const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  let failure: unknown;
  process.on("unhandledRejection", (err) => (failure ??= err));

  sampleHeap();
  const sampler = setInterval(sampleHeap, 20);
  // Diagnosis only (never in the figure): a sampling heap profile of what is live once every
  // resource is constructed, by allocation site, into $PGPLATFORM_BENCH_P1_HEAP_PROFILE/<side>.heapprofile.
  const profileDir = process.env.PGPLATFORM_BENCH_P1_HEAP_PROFILE;
  let heapSession: any;
  if (profileDir) {
    heapSession = new (require("inspector").Session)();
    heapSession.connect();
    await new Promise((r) => heapSession.post("HeapProfiler.startSampling", { samplingInterval: 4096 }, r));
  }
  const t0 = process.hrtime.bigint();
  if (side === "ours") ours();
  else floor();
  const constructed = Number(process.hrtime.bigint() - t0) / 1e9;
  if (heapSession) {
    const profile = await new Promise((r) => heapSession.post("HeapProfiler.stopSampling", (_e: unknown, res: any) => r(res.profile)));
    fs.writeFileSync(path.join(profileDir!, `${side}.heapprofile`), JSON.stringify(profile));
  }
  await waitForRPCs();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(sampler);
  sampleHeap();

  if (failure) throw failure;
  const want = expectedCounts();
  const components = side === "ours" ? want.components : 0;
  if (counter.custom !== want.custom || counter.components !== components) {
    throw new Error(`${side}: ${counter.custom} custom resources and ${counter.components} components registered; the program declares ${want.custom} and ${components}`);
  }
  if (counter.seen) fs.writeFileSync(process.argv[4], JSON.stringify([...counter.seen.values()].sort((a, b) => a.name.localeCompare(b.name))));
  process.stdout.write(JSON.stringify({ side, seconds, constructSeconds: constructed, custom: counter.custom, components: counter.components, peakRssBytes: peakRss(), peakHeapBytes: peakHeap }) + "\n");
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
