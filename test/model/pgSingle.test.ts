/**
 * PgSingle args resolve into a fully pinned Spec: defaults from the plan catalogue and DEFAULTS,
 * overrides where given, and the environment tier deciding the safe defaults.
 */
import assert from "assert";
import { PgSingleSpec, parsePgSingleArgs, tierOf } from "../../components/model";

const minimal = { projectId: "shop", environmentId: "dev", plan: "dev_single" };

const MINIMAL_SPEC: PgSingleSpec = {
  kind: "pg_single",
  name: "orders",
  resourceId: "shop-dev-orders-7996cb6b",
  projectId: "shop",
  environmentId: "dev",
  environmentTier: "dev",
  plan: "dev_single",
  version: "17",
  backend: "local",
  compute: {
    aws: { instanceClass: "db.t4g.micro" },
    kubernetes: { cpu: "250m", memory: "512Mi" },
    local: { sharedBuffers: "128MB", effectiveCacheSize: "384MB", workMem: "4MB", maintenanceWorkMem: "64MB" },
  },
  storage: { defaultGb: 20, minGb: 20, maxGb: 100, autoscaleMaxGb: 50, type: "gp3", iops: 3000, throughputMbps: 125, sizeGb: 20 },
  parameters: {
    timezone: "UTC",
    log_timezone: "UTC",
    password_encryption: "scram-sha-256",
    idle_in_transaction_session_timeout: "10min",
    max_connections: "50",
    log_min_duration_statement: "1000ms",
  },
  network: { allowedCidrs: ["127.0.0.1/32"], allowedSecurityGroupIds: [], allowedNamespaces: [], allowedPodLabels: {}, publicAccess: false },
  backup: { enabled: false, schedule: "daily", cron: "0 3 * * *", retentionDays: 1, pitr: false },
  monitoring: { enabled: true, slowQueryMs: 1000 },
  lifecycle: { state: "active", deletionProtection: false, deletionPolicy: "hard", softDeleteRetentionDays: 7, maintenanceWindow: "sun:04:00-sun:05:00" },
  tags: {},
  labels: {
    "pgplatform.io/project": "shop",
    "pgplatform.io/environment": "dev",
        "pgplatform.io/environment-tier": "dev",
    "pgplatform.io/plan": "dev_single",
    "pgplatform.io/resource-id": "shop-dev-orders-7996cb6b",
    "pgplatform.io/kind": "pg_single",
    "app.kubernetes.io/managed-by": "pgplatform",
  },
  databaseName: "app",
  username: "app",
  readReplicas: 0,
  local: {},
  kubernetes: {},
  aws: {},
};

describe("PgSingle spec", () => {
  it("resolves the minimal args to the pinned spec", () => {
    assert.deepStrictEqual(parsePgSingleArgs("orders", minimal), MINIMAL_SPEC);
  });

  it("gives the same id on every run and a different one per name", () => {
    assert.strictEqual(parsePgSingleArgs("orders", minimal).resourceId, MINIMAL_SPEC.resourceId);
    assert.notStrictEqual(parsePgSingleArgs("billing", minimal).resourceId, MINIMAL_SPEC.resourceId);
  });

  it("applies overrides", () => {
    const spec = parsePgSingleArgs("orders", {
      ...minimal,
      plan: "small_single",
      version: 16,
      backend: "kubernetes",
      databaseName: "orders",
      username: "orders_app",
      compute: { kubernetes: { memory: "2Gi" } },
      storage: { sizeGb: 80 },
      network: { allowedCidrs: ["10.0.0.1", "fd00::/8"], allowedNamespaces: ["shop"] },
      backup: { schedule: "hourly", retentionDays: 3 },
      monitoring: { slowQueryMs: 250 },
      lifecycle: { maintenanceWindow: "sat:01:00-sat:02:00" },
      parameters: { statement_timeout: "30s", jit: false, max_connections: 120 },
      tags: { team: "orders" },
      readReplicas: 1,
    });
    assert.strictEqual(spec.version, "16");
    assert.strictEqual(spec.backend, "kubernetes");
    assert.deepStrictEqual([spec.databaseName, spec.username, spec.readReplicas], ["orders", "orders_app", 1]);
    assert.deepStrictEqual(spec.compute.kubernetes, { cpu: "500m", memory: "2Gi" });
    assert.deepStrictEqual([spec.storage.sizeGb, spec.storage.autoscaleMaxGb], [80, 200]);
    assert.deepStrictEqual(spec.network.allowedCidrs, ["10.0.0.1/32", "fd00::/8"]);
    assert.deepStrictEqual(spec.network.allowedNamespaces, ["shop"]);
    assert.deepStrictEqual(spec.backup, { enabled: true, schedule: "hourly", cron: "0 * * * *", retentionDays: 3, pitr: true });
    assert.strictEqual(spec.lifecycle.maintenanceWindow, "sat:01:00-sat:02:00");
    assert.strictEqual(spec.parameters.log_min_duration_statement, "250ms");
    assert.deepStrictEqual([spec.parameters.statement_timeout, spec.parameters.jit, spec.parameters.max_connections], ["30s", "off", "120"]);
    assert.deepStrictEqual(spec.tags, { team: "orders" });
  });

  it("raises the autoscaling ceiling to the size when the size is above the plan's ceiling", () => {
    assert.deepStrictEqual(parsePgSingleArgs("orders", { ...minimal, storage: { sizeGb: 80 } }).storage.autoscaleMaxGb, 80);
  });

  it("turns slow-query logging off with monitoring, and PITR off with backups", () => {
    const spec = parsePgSingleArgs("orders", { ...minimal, plan: "small_single", monitoring: { enabled: false }, backup: { enabled: false } });
    assert.strictEqual(spec.parameters.log_min_duration_statement, "-1");
    assert.deepStrictEqual([spec.backup.enabled, spec.backup.pitr], [false, false]);
  });

  it("takes the back end from stack config unless the args name one", () => {
    assert.strictEqual(parsePgSingleArgs("orders", minimal, { stackBackend: "aws" }).backend, "aws");
    assert.strictEqual(parsePgSingleArgs("orders", { ...minimal, backend: "local" }, { stackBackend: "aws" }).backend, "local");
    assert.strictEqual(parsePgSingleArgs("orders", minimal, { stackBackend: "" }).backend, "local");
  });
});

describe("environment tier", () => {
  const cases: [string, string][] = [
    ["dev", "dev"],
    ["dev-eu", "dev"],
    ["sandbox-42", "dev"],
    ["ci", "dev"],
    ["preview", "dev"],
    ["staging", "staging"],
    ["qa", "staging"],
    ["uat-2", "staging"],
    ["pre-prod", "staging"],
    ["prod", "production"],
    ["production", "production"],
    ["live", "production"],
    ["eu-1", "production"],
    ["developer", "production"],
  ];
  for (const [id, tier] of cases) {
    it(`derives ${tier} from ${id}`, () => {
      assert.strictEqual(tierOf(id), tier);
      assert.strictEqual(parsePgSingleArgs("orders", { ...minimal, plan: "small_single", environmentId: id }).environmentTier, tier);
    });
  }

  it("takes environmentTier over the derived tier", () => {
    assert.strictEqual(parsePgSingleArgs("orders", { ...minimal, environmentId: "eu-1", environmentTier: "dev" }).environmentTier, "dev");
  });
});

describe("production defaults", () => {
  const prod = { projectId: "shop", environmentId: "prod", plan: "small_single" };

  it("protects a production db_resource and deletes it softly", () => {
    const spec = parsePgSingleArgs("orders", prod);
    assert.deepStrictEqual(
      [spec.lifecycle.deletionProtection, spec.lifecycle.deletionPolicy, spec.backup.enabled, spec.backup.pitr],
      [true, "soft", true, true],
    );
  });

  it("keeps the plan's deletion protection outside production, with a hard delete", () => {
    const spec = parsePgSingleArgs("orders", { ...prod, environmentId: "staging" });
    assert.deepStrictEqual([spec.lifecycle.deletionProtection, spec.lifecycle.deletionPolicy], [true, "hard"]);
  });

  it("lets the user opt out explicitly", () => {
    const spec = parsePgSingleArgs("orders", { ...prod, lifecycle: { deletionProtection: false, deletionPolicy: "hard" } });
    assert.deepStrictEqual([spec.lifecycle.deletionProtection, spec.lifecycle.deletionPolicy], [false, "hard"]);
  });
});
