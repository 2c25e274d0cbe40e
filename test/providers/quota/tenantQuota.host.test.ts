/**
 * The tenant quota as `pulumi up` runs it: serialized into the program and driven over gRPC
 * through the SDK's own dynamic-provider host against a real PostgreSQL 15. Check, create (which
 * locks at once: the tenant is already over), read, diff, update (the raised limit unlocks) and
 * delete; the serialized text holds no zod and the host's stderr never a password.
 */
import assert from "assert";
import { QUOTA_LOCK_SETTING, tenantQuotaProvider } from "../../../components/providers/sql/tenantQuota";
import { TestPostgres, startTestPostgres } from "../../harness/postgres";
import { ProviderHost, UNKNOWN, makeUrn, serializeProvider } from "../../harness/providerHost";
import { MB, Tenant, asTenant, databaseTenant, quotaInputs, roleState } from "./support";

const TYPE = "pulumi-nodejs:dynamic/pgplatform:TenantQuota";

describe("tenantQuotaProvider through the SDK's dynamic-provider host", () => {
  let pg: TestPostgres;
  let host: ProviderHost;
  let providerText: string;
  let tenant: Tenant;

  before(async () => {
    providerText = await serializeProvider(tenantQuotaProvider);
    [pg, host] = await Promise.all([startTestPostgres(), ProviderHost.start()]);
    tenant = await databaseTenant(pg, "tenant_host");
  });

  after(async () => {
    await host?.stop();
    await pg?.stop();
  });

  it("serializes without the validation library, requiring pg inside its methods", () => {
    assert.doesNotMatch(providerText, /zod/);
    assert.match(providerText, /require\("pg"\)/);
  });

  it("checks, creates (locking), reads, diffs, updates (unlocking) and deletes", async () => {
    const urn = makeUrn(TYPE, "tenant-host-quota");
    const inputs = { ...quotaInputs(pg, tenant, { maxStorageBytes: MB, warnAtPercent: 80, onLimit: "lock" }), __provider: providerText };

    const refused = await host.check(urn, {}, { ...inputs, warnAtPercent: 0, scope: { type: "schema", name: "x" } });
    assert.deepStrictEqual(refused.failures.map((f) => f.property), ["scope.database", "warnAtPercent"]);
    const preview = await host.check(urn, {}, { ...inputs, admin: UNKNOWN, maxStorageBytes: UNKNOWN });
    assert.deepStrictEqual(preview.failures, []);
    const checked = await host.check(urn, {}, inputs);
    assert.deepStrictEqual(checked, { inputs, failures: [] });

    // A fresh database already takes several MB, so a 1 MB quota locks at once.
    const created = await host.create(urn, checked.inputs);
    assert.strictEqual(created.id, "storage-quota:tenant_host:database:tenant_host");
    const p = created.properties;
    assert.deepStrictEqual({ state: p.state, locked: p.locked, over: p.usageBytes > MB }, { state: "locked", locked: true, over: true });
    assert.strictEqual(p.usagePercent, Math.round((p.usageBytes / MB) * 10_000) / 100);
    assert.deepStrictEqual(await roleState(pg, tenant.role), { canLogin: false, settings: [`${QUOTA_LOCK_SETTING}=revoked-login`] });
    await assert.rejects(asTenant(pg, tenant, "SELECT 1"), { message: `role "tenant_host" is not permitted to log in` });

    const read = await host.read(urn, created.id, p);
    assert.strictEqual(read.id, created.id);
    assert.deepStrictEqual({ ...read.properties, measuredAt: "" }, { ...p, measuredAt: "" });
    assert.deepStrictEqual(await host.diff(urn, created.id, read.properties, checked.inputs), { changes: false, replaces: [], deleteBeforeReplace: false, diffs: [] });

    const raised = { ...checked.inputs, maxStorageBytes: 1024 * MB };
    assert.deepStrictEqual(await host.diff(urn, created.id, read.properties, raised), { changes: true, replaces: [], deleteBeforeReplace: false, diffs: [] });
    const updated = await host.update(urn, created.id, read.properties, raised);
    assert.deepStrictEqual({ state: updated.state, locked: updated.locked }, { state: "ok", locked: false });
    assert.deepStrictEqual(await asTenant(pg, tenant, "SELECT current_user AS u"), [{ u: "tenant_host" }]);

    // Locked again by a lower limit, then deleted: delete removes the quota's own lock.
    const relocked = await host.update(urn, created.id, updated, checked.inputs);
    assert.strictEqual(relocked.locked, true);
    await host.delete(urn, created.id, relocked);
    assert.deepStrictEqual(await roleState(pg, tenant.role), { canLogin: true, settings: [] });
    await host.delete(urn, created.id, relocked);

    for (const secret of [pg.password, tenant.password]) assert.ok(!host.stderr().includes(secret), "a password reached the host's stderr");
  });

  it("answers a create on a missing database with a message that names no password", async () => {
    const urn = makeUrn(TYPE, "missing");
    const inputs = { ...quotaInputs(pg, { ...tenant, scope: { type: "database", name: "no_such_db" } }, { maxStorageBytes: MB, warnAtPercent: 80, onLimit: "lock" }), __provider: providerText };
    await assert.rejects(host.create(urn, inputs), (err: any) => {
      assert.strictEqual(err.message, `the tenant's database \`no_such_db\` does not exist on postgres@127.0.0.1:${pg.port}/postgres`);
      assert.ok(!err.message.includes(pg.password) && !host.stderr().includes(pg.password));
      return true;
    });
  });
});
