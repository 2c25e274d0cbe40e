/**
 * The catalogue record provider, called directly, against a real PostgreSQL 15: what create,
 * update, read and delete leave in the catalogue's tables and history; drift made by hand; what
 * check refuses; what diff replaces.
 */
import assert from "assert";
import { CATALOG_RECORD_KIND, CatalogRecordInputs, catalogRecordProvider as provider } from "../../components/providers/catalogRecord";
import { SqlConnection } from "../../components/providers/sql/connection";
import { UNKNOWN } from "../../components/providers/values";
import { dbResourceData, eventsOf, sql, tenantData, useFreshDatabases } from "./support";

const p = provider as Required<typeof provider>;

describe("catalogRecordProvider", () => {
  const fresh = useFreshDatabases();
  let db: SqlConnection;

  beforeEach(() => {
    db = fresh.db;
  });

  const inputs = (recordId: string, data: Record<string, unknown>, recordType: any = "db_resource"): CatalogRecordInputs => ({
    kind: CATALOG_RECORD_KIND,
    catalog: { connection: db },
    recordType,
    recordId,
    data,
  });

  it("creates, reads, updates and deletes a db_resource; the catalogue holds the row and its history", async () => {
    const news = inputs("shop-dev-orders", dbResourceData({ status: "PENDING", lifecycle: undefined, metadata: undefined }));
    assert.deepStrictEqual(await p.check({}, news), { inputs: news, failures: [] });
    const created = await p.create(news);
    assert.strictEqual(created.id, "db_resource/shop-dev-orders");
    const [row] = await sql(db, "SELECT * FROM pgplatform_catalog.resources");
    assert.deepStrictEqual(
      { ...row, created_at: undefined, updated_at: undefined },
      {
        id: "shop-dev-orders", kind: "pg_single", project_id: "shop", environment_id: "dev", plan: "dev_single", version: "17", backend: "local", region: "local",
        endpoints: { host: "127.0.0.1", port: 54321, database: "app" }, status: "PENDING", lifecycle: "ACTIVE", metadata: {},
        created_at: undefined, updated_at: undefined, deleted_at: null,
      },
    );
    const outs = created.outs;
    assert.deepStrictEqual(
      { status: outs.status, lifecycle: outs.lifecycle, deletedAt: outs.deletedAt, createdAt: outs.createdAt },
      { status: "PENDING", lifecycle: "ACTIVE", deletedAt: "", createdAt: row.created_at.toISOString() },
    );

    const read = await p.read(created.id, outs);
    assert.deepStrictEqual(read, { id: created.id, props: outs });
    assert.deepStrictEqual(await p.diff(created.id, read.props, news), { changes: false, replaces: [], deleteBeforeReplace: false }, "defaults the catalogue filled in are no change");

    const changed = inputs("shop-dev-orders", dbResourceData({ plan: "small_single", metadata: undefined }));
    assert.deepStrictEqual(await p.diff(created.id, outs, changed), { changes: true, replaces: [], deleteBeforeReplace: false });
    const updated = await p.update(created.id, outs, changed);
    assert.deepStrictEqual([updated.outs.status, updated.outs.data.plan], ["RUNNING", "small_single"]);

    await p.delete(created.id, updated.outs);
    const [kept] = await sql(db, "SELECT lifecycle, deleted_at FROM pgplatform_catalog.resources WHERE id = 'shop-dev-orders'");
    assert.strictEqual(kept.lifecycle, "DELETED", "the row is kept as history");
    assert.ok(kept.deleted_at instanceof Date);
    await p.delete(created.id, updated.outs); // idempotent

    const events = await eventsOf(db, "db_resource", "shop-dev-orders");
    assert.deepStrictEqual(events.map((e) => e.event), ["created", "updated", "deleted"]);
    assert.deepStrictEqual(events[1].detail, { changes: { plan: { from: "dev_single", to: "small_single" }, status: { from: "PENDING", to: "RUNNING" } } });
    assert.ok(events.every((e, i) => i === 0 || e.at > events[i - 1].at), "timestamps in order");
  });

  it("records a tenant mapping on its db_resource, and refuses one whose db_resource is not recorded", async () => {
    await p.create(inputs("shop-dev-orders", dbResourceData()));
    const tenant = inputs("shop-dev-orders/acme", tenantData("shop-dev-orders"), "tenant");
    const created = await p.create(tenant);
    assert.strictEqual(created.id, "tenant/shop-dev-orders/acme");
    assert.deepStrictEqual(
      await sql(db, "SELECT tenant_id, resource_id, mode, database_name, schema_name, role_name, status, lifecycle, quota FROM pgplatform_catalog.tenants"),
      [{ tenant_id: "acme", resource_id: "shop-dev-orders", mode: "schema_per_tenant", database_name: "app", schema_name: "tenant_acme", role_name: "tenant_acme", status: "RUNNING", lifecycle: "ACTIVE", quota: { maxConnections: 10 } }],
    );
    assert.deepStrictEqual(await sql(db, "SELECT tenant_count FROM pgplatform_catalog.resource_overview"), [{ tenant_count: 1 }]);
    await p.delete(created.id, created.outs);
    assert.deepStrictEqual(await sql(db, "SELECT tenant_count, last_event, last_event_record_type FROM pgplatform_catalog.resource_overview"), [{ tenant_count: 0, last_event: "deleted", last_event_record_type: "tenant" }]);
    await assert.rejects(p.create(inputs("x/acme", tenantData("x"), "tenant")), /`data.resourceId` "x" is not a db_resource in the catalogue/);
  });

  it("reads drift: a row removed by hand is gone, a lifecycle or status changed by hand shows as a change", async () => {
    const news = inputs("shop-dev-orders", dbResourceData());
    const created = await p.create(news);
    await sql(db, "UPDATE pgplatform_catalog.resources SET lifecycle = 'PAUSED', status = 'FAILED' WHERE id = 'shop-dev-orders'");
    const drifted = await p.read(created.id, created.outs);
    assert.deepStrictEqual([drifted.id, drifted.props.lifecycle, drifted.props.status, drifted.props.data.lifecycle], [created.id, "PAUSED", "FAILED", "PAUSED"]);
    assert.strictEqual((await p.diff(created.id, drifted.props, news)).changes, true);
    const repaired = await p.update(created.id, drifted.props, news);
    assert.deepStrictEqual([repaired.outs.lifecycle, repaired.outs.status], ["ACTIVE", "RUNNING"]);
    assert.deepStrictEqual((await eventsOf(db, "db_resource", "shop-dev-orders")).map((e) => [e.event, e.detail.changes]), [
      ["created", undefined],
      ["updated", { lifecycle: { from: "PAUSED", to: "ACTIVE" }, status: { from: "FAILED", to: "RUNNING" } }],
    ]);

    await sql(db, "DELETE FROM pgplatform_catalog.resources WHERE id = 'shop-dev-orders'");
    assert.deepStrictEqual(await p.read(created.id, repaired.outs), { id: "", props: {} });
  });

  it("check refuses credentials, bad fields and a bad catalogue; skips values unknown during preview", async () => {
    const failures = async (data: Record<string, unknown>, extra: Partial<CatalogRecordInputs> = {}) => (await p.check({}, { ...inputs("r1", data), ...extra })).failures ?? [];
    assert.deepStrictEqual(await failures(dbResourceData({ endpoints: { host: "h", port: 5432, password: "hunter2" } })), [
      { property: "data.endpoints.password", reason: "`data.endpoints.password` is named like a credential or a connection string (password, secret, token, uri, url, dsn); the catalogue never holds credentials: remove it" },
    ]);
    assert.deepStrictEqual((await failures(dbResourceData({ metadata: { readUri: "x", apiToken: "y", connectionString: "z", security: "ok", tls: { clientSecret: "s" } } }))).map((f) => f.property), [
      "data.metadata.readUri",
      "data.metadata.apiToken",
      "data.metadata.connectionString",
      "data.metadata.tls.clientSecret",
    ]);
    assert.deepStrictEqual(await failures({ ...dbResourceData(), adminUri: "postgresql://a@b" }), [
      { property: "data.adminUri", reason: "`data.adminUri` is named like a credential or a connection string (password, secret, token, uri, url, dsn); the catalogue never holds credentials: remove it" },
    ]);
    assert.deepStrictEqual(await failures(dbResourceData({ version: 17 })), [{ property: "data.version", reason: "`data.version` must be a non-empty string; got 17" }]);
    assert.deepStrictEqual(await failures(dbResourceData(), { kind: "x", recordType: "backupz" as any, recordId: "a b", catalog: { nowhere: true } as any }), [
      { property: "kind", reason: "`kind` must be `pgplatform:catalog:record`; got \"x\"" },
      { property: "catalog", reason: "`catalog` must be `{ connection: { host, port, user, password, database } }` or `{ local: { dataRoot, runAs } }`" },
      { property: "recordId", reason: "`recordId` must be an id of at most 200 characters without spaces; got \"a b\"" },
      { property: "recordType", reason: "`recordType` must be one of `db_resource`, `tenant`, `backup`, `scale_event`, `migration`, `failover`; got \"backupz\"" },
    ]);
    assert.deepStrictEqual(await failures(dbResourceData({ status: UNKNOWN, endpoints: { host: UNKNOWN, port: UNKNOWN } })), []);
    assert.deepStrictEqual((await p.check({}, { ...inputs("r1", {}), data: UNKNOWN, recordId: UNKNOWN } as any)).failures, []);
  });

  it("diff replaces on a new recordType, recordId or catalogue, and only updates on a new catalogue password", async () => {
    const news = inputs("r1", dbResourceData());
    const { id, outs } = await p.create(news);
    const diff = (n: Partial<CatalogRecordInputs>) => p.diff(id, outs, { ...news, ...n });
    assert.deepStrictEqual((await diff({ recordId: "r2" })).replaces, ["recordId"]);
    assert.deepStrictEqual((await diff({ recordType: "tenant", data: tenantData("r1") })).replaces, ["recordType"]);
    assert.deepStrictEqual((await diff({ catalog: { connection: { ...db, database: "elsewhere" } } })).replaces, ["catalog"]);
    assert.deepStrictEqual((await diff({ catalog: { local: { dataRoot: "/srv/pg" } } })).replaces, ["catalog"]);
    assert.deepStrictEqual(await diff({ catalog: { connection: { ...db, password: "rotated" } } }), { changes: true, replaces: [], deleteBeforeReplace: false });
    assert.deepStrictEqual(await diff({ recordId: UNKNOWN, data: { ...dbResourceData(), status: UNKNOWN } }), { changes: true, replaces: [], deleteBeforeReplace: false });
  });
});
