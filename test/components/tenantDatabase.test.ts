/**
 * TenantDatabase under strict mocks: the exact children per mode, their inputs (the admin
 * connection a secret), the tenant's outputs, and that bad input registers nothing.
 */
import assert from "assert";
import { PgSingle, TenantDatabase } from "../../components";
import { RANDOM_PASSWORD_TYPE } from "../harness/engine";
import { Registration, StrictMocks, isSecretWrapped, setStrictMocks, settle, unwrapSecrets } from "../harness/mocks";
import { details } from "../harness/outputs";
import { resourceIdOf } from "../../components/model/ids";

const T = (type: string) => `pulumi-nodejs:dynamic/pgplatform:${type}`;

function mocksFor(config: Record<string, string> = { "pgplatform:localDataRoot": "/srv/pg", "pgplatform:catalog": "off" }): StrictMocks {
  const echo = (a: any) => ({ id: `${a.name}-id`, state: a.inputs });
  return setStrictMocks(
    {
      [RANDOM_PASSWORD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, result: pw(a.name) } }),
      [T("LocalServer")]: (a) => ({ id: "srv", state: { ...a.inputs, host: "127.0.0.1", port: 54321, status: "RUNNING", serverVersion: "17.10", drift: [] } }),
      [T("Role")]: echo,
      [T("Database")]: echo,
      [T("Schema")]: echo,
      [T("Grants")]: echo,
      [T("TenantQuota")]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, usageBytes: 1024, usagePercent: 0.1, state: "ok", locked: false } }),
      [T("CatalogRecord")]: echo,
      [T("ChangeGuard")]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, events: [] } }),
    },
    { allowComponents: ["pgplatform:index:PgSingle", "pgplatform:index:TenantDatabase"], config },
  );
}

/** The mock's password for a RandomPassword named `name`. */
const pw = (name: string) => `pw-${name}`.padEnd(32, "x");

/** The TenantDatabase component and its children, in registration order. */
function tenantRegs(mocks: StrictMocks, name = "acme"): Registration[] {
  const own = new RegExp(`::pgplatform:index:TenantDatabase::${name}$`);
  return mocks.registrations.filter((r) => (r.type === "pgplatform:index:TenantDatabase" && r.name === name) || own.test(String(r.parent)));
}

const ADMIN = (database: string) => ({ host: "127.0.0.1", port: 54321, user: "postgres", password: pw("shared-superuser-password"), database });

function shared(): PgSingle {
  return new PgSingle("shared", { projectId: "saas", environmentId: "dev", plan: "dev_single" });
}

function inputsOf(r: Registration): Record<string, any> {
  const { __provider, ...rest } = unwrapSecrets(r.inputs);
  return rest;
}

describe("TenantDatabase (strict mocks)", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  it("database_per_tenant: a role, its own database, an exact ACL and a storage quota", async () => {
    mocks = mocksFor();
    const t = new TenantDatabase("acme", {
      tenantId: "acme", projectId: "saas", environmentId: "dev", target: shared(), mode: "database_per_tenant",
      quotas: { maxConnections: 10, maxStorageGb: 2, onLimit: "lock" },
    });
    const uri = await details(t.connection.uri);
    await details(t.quotaState);
    await settle(mocks);
    const regs = tenantRegs(mocks);
    assert.deepStrictEqual(regs.map((r) => `${r.type} ${r.name}`), [
      "pgplatform:index:TenantDatabase acme",
      `${RANDOM_PASSWORD_TYPE} acme-password`,
      `${T("Role")} acme-role`,
      `${T("Database")} acme-database`,
      `${T("Grants")} acme-grants`,
      `${T("TenantQuota")} acme-quota`,
    ]);
    for (const r of regs.slice(1)) assert.match(String(r.parent), /::pgplatform:index:TenantDatabase::acme$/);
    for (const r of regs.slice(2)) assert.ok(isSecretWrapped(r.inputs.admin), `${r.name}: the admin connection is a secret`);
    const [, , role, database, grants, quota] = regs.map(inputsOf);
    assert.deepStrictEqual(role, {
      kind: "pgplatform:sql:role", admin: ADMIN("postgres"), name: "tenant_acme", password: pw("acme-password"),
      login: true, connectionLimit: 10, memberOf: ["pgplatform_tenants"], onDelete: "drop",
    });
    assert.deepStrictEqual(database, {
      kind: "pgplatform:sql:database", admin: ADMIN("postgres"), name: "tenant_acme", owner: "tenant_acme", connectionLimit: 10,
      onDelete: { policy: "drop", backupBeforeDelete: false },
    });
    assert.deepStrictEqual(grants, {
      kind: "pgplatform:sql:grants", admin: ADMIN("postgres"), object: { type: "database", name: "tenant_acme" },
      allowed: [{ grantee: "tenant_acme", privileges: ["CONNECT", "TEMPORARY"] }],
    });
    assert.deepStrictEqual(quota, {
      kind: "pgplatform:sql:tenant-quota", admin: ADMIN("postgres"), scope: { type: "database", name: "tenant_acme" }, role: "tenant_acme",
      maxStorageBytes: 2 * 1024 ** 3, warnAtPercent: 80, onLimit: "lock",
    });
    assert.deepStrictEqual(uri, { value: `postgresql://tenant_acme:${pw("acme-password")}@127.0.0.1:54321/tenant_acme`, isKnown: true, isSecret: true });
    assert.strictEqual(t.roleName, "tenant_acme");
    assert.strictEqual((await details(t.quotaState)).value, "ok");
  });

  it("schema_per_tenant: its own schema in the shared database, only the owner on it, no quota child without a storage quota", async () => {
    mocks = mocksFor();
    const t = new TenantDatabase("globex", {
      tenantId: "globex-eu", projectId: "saas", environmentId: "dev", target: shared(), mode: "schema_per_tenant", naming: "t_{project_id}_{tenant_id}",
    });
    const uri = await details(t.connection.uri);
    await settle(mocks);
    const regs = tenantRegs(mocks, "globex");
    assert.deepStrictEqual(regs.map((r) => `${r.type} ${r.name}`), [
      "pgplatform:index:TenantDatabase globex",
      `${RANDOM_PASSWORD_TYPE} globex-password`,
      `${T("Role")} globex-role`,
      `${T("Schema")} globex-schema`,
      `${T("Grants")} globex-grants`,
    ]);
    const [, , role, schema, grants] = regs.map(inputsOf);
    assert.strictEqual(role.name, "t_saas_globex_eu");
    assert.strictEqual(role.connectionLimit, -1);
    assert.deepStrictEqual(schema, {
      kind: "pgplatform:sql:schema", admin: ADMIN("app"), name: "t_saas_globex_eu", owner: "t_saas_globex_eu", onDelete: { policy: "drop", backupBeforeDelete: false },
    });
    assert.deepStrictEqual(grants, {
      kind: "pgplatform:sql:grants", admin: ADMIN("app"), object: { type: "schema", name: "t_saas_globex_eu", database: "app" }, allowed: [],
    });
    assert.strictEqual(uri.value, `postgresql://t_saas_globex_eu:${pw("globex-password")}@127.0.0.1:54321/app`);
    assert.strictEqual(t.databaseName, "app");
    assert.strictEqual(t.schemaName, "t_saas_globex_eu");
    assert.strictEqual((await details(t.quotaState)).value, "none");
  });

  it("records the tenant mapping in the catalogue, after the target's own record", async () => {
    mocks = mocksFor({ "pgplatform:localDataRoot": "/srv/pg" });
    const t = new TenantDatabase("acme", { tenantId: "acme", projectId: "saas", environmentId: "dev", target: shared(), mode: "schema_per_tenant" });
    await details(t.connection.uri);
    await settle(mocks);
    const records = mocks.byType(T("CatalogRecord"));
    assert.deepStrictEqual(records.map((r) => r.name), ["shared-record", "acme-record"]);
    const { data, recordType, recordId } = inputsOf(records[1]);
    assert.strictEqual(recordType, "tenant");
    assert.strictEqual(recordId, resourceIdOf("tenant_database", "saas", "dev", "acme"));
    assert.deepStrictEqual(data, {
      tenantId: "acme", projectId: "saas", environmentId: "dev", resourceId: resourceIdOf("pg_single", "saas", "dev", "shared"),
      mode: "schema_per_tenant", databaseName: "app", schemaName: "tenant_acme", roleName: "tenant_acme", status: "RUNNING", lifecycle: "ACTIVE",
      quota: { warnAtPercent: 80, onLimit: "warn", state: "none" },
    });
  });

  it("production defaults: deletion locks the tenant out instead of dropping it", async () => {
    mocks = mocksFor();
    const target = new PgSingle("shared", { projectId: "saas", environmentId: "prod", plan: "small_single", backup: { enabled: false } });
    const t = new TenantDatabase("acme", { tenantId: "acme", projectId: "saas", environmentId: "prod", target, mode: "database_per_tenant" });
    await details(t.connection.uri);
    await settle(mocks);
    const regs = tenantRegs(mocks).map(inputsOf);
    assert.strictEqual(regs[2].onDelete, "lock");
    assert.deepStrictEqual(regs[3].onDelete, { policy: "lock", backupBeforeDelete: false });
  });

  it("rejects bad input before registering anything of its own", () => {
    mocks = mocksFor();
    const target = shared();
    const before = mocks.registrations.length;
    assert.throws(
      () => new TenantDatabase("acme", { tenantId: "Acme;", projectId: "saas", environmentId: "dev", target, mode: "per_table" as any }),
      (err: Error) => {
        assert.match(err.message, /^Invalid args for TenantDatabase "acme": /);
        assert.match(err.message, /`tenantId` must be 1 to 40 lower-case letters/);
        assert.match(err.message, /`mode` must be one of `database_per_tenant`, `schema_per_tenant`; got "per_table"/);
        return true;
      },
    );
    assert.throws(() => new TenantDatabase("x", { tenantId: "x", projectId: "saas", environmentId: "dev", target: {} as any, mode: "schema_per_tenant" }), {
      message: 'Invalid args for TenantDatabase "x": 1 problem:\n  - `target` must be a PgSingle or PgCluster; got {}',
    });
    assert.strictEqual(mocks.registrations.length, before);
  });
});
