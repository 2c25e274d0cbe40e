/**
 * The tenant storage quota against a real PostgreSQL 15: tenants write data as themselves over
 * real sessions, the provider's read measures it (warning, over), diff asks for the update that
 * locks (the tenant's session is terminated, a new login is refused) and the one that unlocks when
 * the limit is raised; a lock someone else made is never undone; delete is idempotent.
 */
import assert from "assert";
import { closePools } from "../../../components/providers/sql/connection";
import { QUOTA_LOCK_SETTING, TenantQuotaInputs, TenantQuotaOutputs, tenantQuotaProvider as provider } from "../../../components/providers/sql/tenantQuota";
import { TestPostgres, startTestPostgres } from "../../harness/postgres";
import { MB, Tenant, asAdmin, asTenant, createDataTable, databaseTenant, quotaInputs, roleState, schemaTenant, sessionsOf, tenantSession, writeData } from "./support";

const NOT_PERMITTED = (role: string) => `role "${role}" is not permitted to log in`;

describe("TenantQuota provider against PostgreSQL 15", () => {
  let pg: TestPostgres;

  before(async () => {
    pg = await startTestPostgres();
  });

  after(async () => {
    await closePools();
    await pg?.stop();
  });

  const read = async (id: string, props: TenantQuotaOutputs) => (await provider.read!(id, props)) as { id: string; props: TenantQuotaOutputs };
  const update = async (id: string, olds: TenantQuotaOutputs, news: TenantQuotaInputs) => (await provider.update!(id, olds, news)).outs as TenantQuotaOutputs;

  /** Writes as the tenant, 256 kB at a time, until a read reports `state`. */
  async function writeUntil(client: any, id: string, props: TenantQuotaOutputs, state: string): Promise<TenantQuotaOutputs> {
    for (let i = 0; i < 100; i++) {
      const now = (await read(id, props)).props;
      if (now.state === state) return now;
      await writeData(client, MB / 4);
    }
    throw new Error(`the quota never reached ${state}`);
  }

  /** A quota whose warn threshold is 1 MB and whose limit is 3 MB above the tenant's usage now. */
  async function smallQuota(t: Tenant, onLimit: "warn" | "lock"): Promise<TenantQuotaInputs> {
    const probe = (await provider.create(quotaInputs(pg, t, { maxStorageBytes: 1e12, warnAtPercent: 100, onLimit }))).outs as TenantQuotaOutputs;
    const max = probe.usageBytes + 3 * MB;
    return quotaInputs(pg, t, { maxStorageBytes: max, warnAtPercent: Math.ceil(((probe.usageBytes + MB) * 100) / max), onLimit });
  }

  it("a database tenant: warning, then over; the update locks it out, and raising the limit lets it back in", async () => {
    const t = await databaseTenant(pg, "tenant_db");
    const inputs = await smallQuota(t, "lock");
    const { id, outs } = await provider.create(inputs);
    assert.strictEqual(id, "storage-quota:tenant_db:database:tenant_db");
    assert.deepStrictEqual({ state: outs.state, locked: outs.locked }, { state: "ok", locked: false });
    assert.strictEqual(outs.usageBytes, Number((await asAdmin(pg, "SELECT pg_database_size('tenant_db') AS b"))[0].b));

    const session = await tenantSession(pg, t);
    await createDataTable(session.client);
    const warning = await writeUntil(session.client, id, outs, "warning");
    assert.ok(warning.usagePercent >= inputs.warnAtPercent && warning.usagePercent < 100, `usage ${warning.usagePercent}%`);
    assert.strictEqual(warning.locked, false);
    assert.deepStrictEqual(await provider.diff!(id, warning, inputs), { changes: false, replaces: [], deleteBeforeReplace: false }, "a warning needs no update");

    const over = await writeUntil(session.client, id, warning, "over");
    assert.ok(over.usageBytes >= inputs.maxStorageBytes && over.locked === false);
    assert.strictEqual(Date.parse(over.measuredAt) >= Date.parse(warning.measuredAt), true);
    assert.deepStrictEqual(await provider.diff!(id, over, inputs), { changes: true, replaces: [], deleteBeforeReplace: false }, "crossing the limit asks for the update that locks");
    const pid = (await session.client.query("SELECT pg_backend_pid() AS p")).rows[0].p;

    const locked = await update(id, over, inputs);
    assert.deepStrictEqual({ state: locked.state, locked: locked.locked }, { state: "locked", locked: true });
    assert.deepStrictEqual(await roleState(pg, t.role), { canLogin: false, settings: [`${QUOTA_LOCK_SETTING}=revoked-login`] });
    assert.deepStrictEqual(await sessionsOf(pg, t.role), [], `session ${pid} was terminated`);
    assert.strictEqual(session.errors[0]?.message, "terminating connection due to administrator command");
    await assert.rejects(session.client.query("INSERT INTO data (payload) VALUES ('more')"), "the old session cannot write");
    await assert.rejects(asTenant(pg, t, "SELECT 1"), { message: NOT_PERMITTED(t.role) });
    assert.deepStrictEqual(await provider.diff!(id, (await read(id, locked)).props, inputs), { changes: false, replaces: [], deleteBeforeReplace: false });

    const raised = { ...inputs, maxStorageBytes: locked.usageBytes + 20 * MB };
    assert.deepStrictEqual(await provider.diff!(id, locked, raised), { changes: true, replaces: [], deleteBeforeReplace: false });
    const unlocked = await update(id, locked, raised);
    assert.deepStrictEqual({ state: unlocked.state, locked: unlocked.locked }, { state: "ok", locked: false });
    assert.deepStrictEqual(await roleState(pg, t.role), { canLogin: true, settings: [] });
    assert.deepStrictEqual(await asTenant(pg, t, "SELECT count(*) > 0 AS has_rows FROM data"), [{ has_rows: true }]);
    await session.client.end().catch(() => undefined);
  });

  it("a schema tenant in the shared database: `warn` only reports over; switching to `lock` locks; delete unlocks, twice", async () => {
    const t = await schemaTenant(pg, "tenant_schema");
    const inputs = await smallQuota(t, "warn");
    const { id, outs } = await provider.create(inputs);
    assert.strictEqual(id, "storage-quota:tenant_schema:schema:app.tenant_schema");
    const session = await tenantSession(pg, t);
    await createDataTable(session.client);
    const over = await writeUntil(session.client, id, outs, "over");
    const [{ bytes }] = await asAdmin(pg, "SELECT pg_total_relation_size('tenant_schema.data') + pg_total_relation_size('tenant_schema.data_id_seq') AS bytes", [], "app");
    assert.strictEqual(over.usageBytes, Number(bytes), "the schema's usage is its table (with index and TOAST) and sequence");
    assert.deepStrictEqual(await provider.diff!(id, over, inputs), { changes: false, replaces: [], deleteBeforeReplace: false }, "`warn` enforces nothing");
    assert.deepStrictEqual((await roleState(pg, t.role)).canLogin, true);

    const locking = { ...inputs, onLimit: "lock" as const };
    assert.deepStrictEqual(await provider.diff!(id, over, locking), { changes: true, replaces: [], deleteBeforeReplace: false });
    const locked = await update(id, over, locking);
    assert.deepStrictEqual({ state: locked.state, locked: locked.locked }, { state: "locked", locked: true });
    assert.deepStrictEqual(await sessionsOf(pg, t.role), []);
    await assert.rejects(asTenant(pg, t, "SELECT 1"), { message: NOT_PERMITTED(t.role) });

    await provider.delete!(id, locked);
    assert.deepStrictEqual(await roleState(pg, t.role), { canLogin: true, settings: [] });
    await provider.delete!(id, locked);
    assert.deepStrictEqual(await roleState(pg, t.role), { canLogin: true, settings: [] }, "delete is idempotent");
    assert.deepStrictEqual(await asTenant(pg, t, "SELECT current_user AS u"), [{ u: t.role }]);

    // A scope that is gone reads as gone; the engine then drops the quota from its state.
    await asAdmin(pg, 'DROP SCHEMA "tenant_schema" CASCADE', [], "app");
    assert.deepStrictEqual(await read(id, locked), { id: "", props: {} });
    await session.client.end().catch(() => undefined);
  });

  it("never undoes a lock made by someone else", async () => {
    const t = await databaseTenant(pg, "tenant_held");
    const over = quotaInputs(pg, t, { maxStorageBytes: MB, warnAtPercent: 80, onLimit: "lock" });
    const raised = { ...over, maxStorageBytes: 1e12 };

    // Locked by hand before the quota: the quota adds its own mark and leaves LOGIN alone.
    await asAdmin(pg, 'ALTER ROLE "tenant_held" NOLOGIN');
    const a = await provider.create(over);
    assert.deepStrictEqual({ state: a.outs.state, locked: a.outs.locked }, { state: "locked", locked: true });
    assert.deepStrictEqual(await roleState(pg, t.role), { canLogin: false, settings: [`${QUOTA_LOCK_SETTING}=found-nologin`] });
    const freed = await update(a.id, a.outs, raised);
    assert.deepStrictEqual({ state: freed.state, locked: freed.locked }, { state: "ok", locked: false });
    assert.deepStrictEqual(await roleState(pg, t.role), { canLogin: false, settings: [] }, "the hand-made lock stays");

    // Locked by the quota, then by a deletion lock that marks itself: unlocking leaves the deletion lock.
    await asAdmin(pg, 'ALTER ROLE "tenant_held" LOGIN');
    const locked = await update(a.id, freed, over);
    assert.deepStrictEqual(await roleState(pg, t.role), { canLogin: false, settings: [`${QUOTA_LOCK_SETTING}=revoked-login`] });
    await asAdmin(pg, "ALTER ROLE \"tenant_held\" SET pgplatform.deletion_locked = 'on'");
    await update(a.id, locked, raised);
    assert.deepStrictEqual(await roleState(pg, t.role), { canLogin: false, settings: ["pgplatform.deletion_locked=on"] });
    await assert.rejects(asTenant(pg, t, "SELECT 1"), { message: NOT_PERMITTED(t.role) });

    // Someone re-enabled LOGIN behind the quota's back: read shows it unlocked, diff asks to lock again.
    await asAdmin(pg, 'ALTER ROLE "tenant_held" RESET pgplatform.deletion_locked');
    const relocked = await update(a.id, locked, over);
    await asAdmin(pg, 'ALTER ROLE "tenant_held" LOGIN');
    const drifted = (await read(a.id, relocked)).props;
    assert.deepStrictEqual({ state: drifted.state, locked: drifted.locked }, { state: "over", locked: false });
    assert.strictEqual((await provider.diff!(a.id, drifted, over)).changes, true);
    await provider.delete!(a.id, drifted);
    assert.deepStrictEqual(await roleState(pg, t.role), { canLogin: true, settings: [] });
  });

  it("replaces the quota (deleting first) when its role or scope changes, and fails create on a missing role", async () => {
    const t = await databaseTenant(pg, "tenant_moved");
    const inputs = quotaInputs(pg, t, { maxStorageBytes: 1e12, warnAtPercent: 80, onLimit: "lock" });
    const { id, outs } = await provider.create(inputs);
    assert.deepStrictEqual(await provider.diff!(id, outs, { ...inputs, role: "other" }), { changes: true, replaces: ["role"], deleteBeforeReplace: true });
    assert.deepStrictEqual(await provider.diff!(id, outs, { ...inputs, scope: { type: "schema", database: "app", name: "tenant_moved" } }), {
      changes: true,
      replaces: ["scope"],
      deleteBeforeReplace: true,
    });
    await assert.rejects(provider.create({ ...inputs, role: "nobody", maxStorageBytes: 1 }), {
      message: `the tenant role \`nobody\` does not exist on postgres@127.0.0.1:${pg.port}/postgres`,
    });
  });
});
