/**
 * The catalogue store on a real PostgreSQL 15: records of every type written, read back and marked
 * deleted, each write leaving its event; one error naming every bad field; credentials refused; and
 * `resource_overview` giving the dashboard's row once records of every type exist.
 */
import assert from "assert";
import { appendEvent, markDeleted, readRecord, upsertRecord, withCatalog } from "../../components/catalog/store";
import { SqlConnection } from "../../components/providers/sql/connection";
import { dbResourceData, eventsOf, sql, tenantData, useFreshDatabases } from "./support";

describe("catalogue store", () => {
  const fresh = useFreshDatabases();
  let db: SqlConnection;

  beforeEach(() => {
    db = fresh.db;
  });

  it("upserts, reads and marks deleted, keeping the row and writing created/updated/deleted events", async () => {
    const first = await withCatalog(db, (c) => upsertRecord(c, "db_resource", "shop-dev-orders", dbResourceData({ status: "PENDING" })));
    assert.strictEqual(first.event, "created");
    const again = await withCatalog(db, (c) => upsertRecord(c, "db_resource", "shop-dev-orders", dbResourceData({ status: "PENDING" })));
    assert.deepStrictEqual({ event: again.event, changes: again.changes }, { event: undefined, changes: {} }, "nothing changed, nothing recorded");
    const second = await withCatalog(db, (c) => upsertRecord(c, "db_resource", "shop-dev-orders", dbResourceData()));
    assert.deepStrictEqual({ event: second.event, changes: second.changes }, { event: "updated", changes: { status: { from: "PENDING", to: "RUNNING" } } });

    const row = await withCatalog(db, (c) => readRecord(c, "db_resource", "shop-dev-orders"));
    assert.deepStrictEqual(row!.data, dbResourceData());
    assert.strictEqual(row!.deletedAt, undefined);

    assert.strictEqual(await withCatalog(db, (c) => markDeleted(c, "db_resource", "shop-dev-orders", { by: "test" })), true);
    assert.strictEqual(await withCatalog(db, (c) => markDeleted(c, "db_resource", "shop-dev-orders")), false, "idempotent");
    const [kept] = await sql(db, "SELECT lifecycle, deleted_at, status FROM pgplatform_catalog.resources WHERE id = 'shop-dev-orders'");
    assert.deepStrictEqual({ lifecycle: kept.lifecycle, status: kept.status }, { lifecycle: "DELETED", status: "RUNNING" });
    assert.ok(kept.deleted_at instanceof Date);

    const events = await eventsOf(db, "db_resource", "shop-dev-orders");
    assert.deepStrictEqual(
      events.map((e) => [e.event, e.resource_id]),
      [["created", "shop-dev-orders"], ["updated", "shop-dev-orders"], ["deleted", "shop-dev-orders"]],
    );
    assert.deepStrictEqual(events[0].detail, { data: dbResourceData({ status: "PENDING" }) });
    assert.deepStrictEqual(events[2].detail, { by: "test" });
    assert.ok(events[0].at < events[1].at && events[1].at < events[2].at, "timestamps in order");

    // Recorded again after its delete: a new life, same row.
    const back = await withCatalog(db, (c) => upsertRecord(c, "db_resource", "shop-dev-orders", dbResourceData()));
    assert.strictEqual(back.event, "created");
    assert.deepStrictEqual(
      await sql(db, "SELECT lifecycle, deleted_at FROM pgplatform_catalog.resources WHERE id = 'shop-dev-orders'"),
      [{ lifecycle: "ACTIVE", deleted_at: null }],
    );
  });

  it("refuses a bad record with one error naming every field, and writes nothing", async () => {
    const bad = { ...dbResourceData({ kind: "pg_multi", status: "UP" }), region: undefined, endpoints: { host: "h", password: "hunter2" }, colour: "red" };
    await assert.rejects(withCatalog(db, (c) => upsertRecord(c, "db_resource", "r1", bad)), {
      message:
        'catalogue record db_resource "r1": 5 problems:\n' +
        "  - `data.colour` is not a field of a db_resource record; its fields are `kind`, `projectId`, `environmentId`, `plan`, `version`, `backend`, `region`, `endpoints`, `status`, `lifecycle`, `metadata`\n" +
        '  - `data.kind` must be one of `pg_single`, `pg_cluster`; got "pg_multi"\n' +
        "  - `data.region` is required for a db_resource record\n" +
        '  - `data.status` must be one of `PENDING`, `RUNNING`, `FAILED`; got "UP"\n' +
        "  - `data.endpoints.password` is named like a credential or a connection string (password, secret, token, uri, url, dsn); the catalogue never holds credentials: remove it",
    });
    await assert.rejects(
      withCatalog(db, (c) => upsertRecord(c, "tenant", "t1", tenantData("r1", { schemaName: undefined, metadata: { note: "postgresql://app:s3cret@db:5432/app" } }))),
      {
        message:
          'catalogue record tenant "t1": 2 problems:\n' +
          "  - `data.schemaName` is required when `data.mode` is `schema_per_tenant`\n" +
          "  - `data.metadata.note` holds a URI with a password; the catalogue never holds credentials: record the host and port instead",
      },
    );
    await assert.rejects(withCatalog(db, (c) => upsertRecord(c, "tenant", "t1", tenantData("no-such-resource"))), {
      message:
        'catalogue record tenant "t1": `data.resourceId` "no-such-resource" is not a db_resource in the catalogue; record the db_resource first (make this CatalogRecord depend on the db_resource\'s)',
    });
    await assert.rejects(withCatalog(db, (c) => appendEvent(c, "db_resource", "r1", "Status Changed")), {
      message: 'an event name must be lower_snake_case (`created`, `status_changed`); got "Status Changed"',
    });
    assert.deepStrictEqual(await sql(db, "SELECT count(*)::int AS n FROM pgplatform_catalog.events"), [{ n: 0 }]);
    assert.deepStrictEqual(await sql(db, "SELECT count(*)::int AS n FROM pgplatform_catalog.tenants"), [{ n: 0 }]);
  });

  it("gives resource_overview the dashboard's row once records of every type exist", async () => {
    const id = "shop-prod-billing";
    await withCatalog(db, async (c) => {
      await upsertRecord(c, "db_resource", id, dbResourceData({ kind: "pg_cluster", plan: "prod_ha", environmentId: "prod", endpoints: { write: { host: "10.0.0.5", port: 5432 }, read: { host: "10.0.0.6", port: 5432 } } }));
      await upsertRecord(c, "db_resource", "other", dbResourceData());
      await upsertRecord(c, "tenant", `${id}/acme`, tenantData(id));
      await upsertRecord(c, "tenant", `${id}/globex`, tenantData(id, { tenantId: "globex", mode: "database_per_tenant", databaseName: "tenant_globex", schemaName: undefined, roleName: "tenant_globex" }));
      await upsertRecord(c, "tenant", `${id}/initech`, tenantData(id, { tenantId: "initech", schemaName: "tenant_initech", roleName: "tenant_initech" }));
      await upsertRecord(c, "tenant", "other/acme", tenantData("other"));
      await upsertRecord(c, "backup", "b1", { resourceId: id, method: "pgbackrest", status: "DONE", startedAt: "2025-01-01T03:00:00Z", finishedAt: "2025-01-01T03:10:00Z", sizeBytes: 1234567 });
      await upsertRecord(c, "backup", "b2", { resourceId: id, backupType: "incremental", method: "pgbackrest", status: "FAILED", startedAt: "2025-01-02T03:00:00Z", finishedAt: "2025-01-02T03:01:00Z" });
      await upsertRecord(c, "scale_event", "s1", { resourceId: id, dimension: "storage", fromValue: 200, toValue: 400, status: "DONE", startedAt: "2025-01-01T10:00:00Z", finishedAt: "2025-01-01T10:05:00Z" });
      await upsertRecord(c, "scale_event", "s2", { resourceId: id, dimension: "read_replicas", fromValue: 1, toValue: 2, startedAt: "2025-01-03T10:00:00Z" });
      await upsertRecord(c, "failover", "f1", { resourceId: id, fromMember: "billing-0", toMember: "billing-1", timeline: 2, lsn: "0/3000060", status: "DONE", startedAt: "2025-01-02T12:00:00Z", finishedAt: "2025-01-02T12:00:09Z", detail: { patroni: [1, 50331744, "no recovery target specified", "2025-01-02T12:00:09+00:00", "billing-1"] } });
      await upsertRecord(c, "migration", "m1", { migrationType: "blue_green_upgrade", sourceResourceId: id, targetResourceId: "shop-prod-billing-green", fromVersion: "16", toVersion: "17", phase: "replicating", status: "IN_PROGRESS", log: [{ at: "2025-01-04T00:00:00Z", phase: "replicating", message: "subscription created" }] });
      await markDeleted(c, "tenant", `${id}/initech`);
      await appendEvent(c, "db_resource", id, "status_checked", { status: "RUNNING" }, id);
    });
    const [row] = await sql(db, "SELECT * FROM pgplatform_catalog.resource_overview WHERE id = $1", [id]);
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    assert.deepStrictEqual(
      { ...row, last_backup_at: iso(row.last_backup_at), last_successful_backup_at: iso(row.last_successful_backup_at), last_scale_event_at: iso(row.last_scale_event_at), last_failover_at: iso(row.last_failover_at), last_event_at: undefined, created_at: undefined, updated_at: undefined },
      {
        id, kind: "pg_cluster", project_id: "shop", environment_id: "prod", plan: "prod_ha", version: "17", backend: "local", region: "local",
        status: "RUNNING", lifecycle: "ACTIVE", endpoints: { write: { host: "10.0.0.5", port: 5432 }, read: { host: "10.0.0.6", port: 5432 } },
        tenant_count: 2,
        last_backup_id: "b2", last_backup_status: "FAILED", last_backup_at: "2025-01-02T03:01:00.000Z", last_successful_backup_at: "2025-01-01T03:10:00.000Z",
        last_scale_event_id: "s2", last_scale_event_dimension: "read_replicas", last_scale_event_status: "IN_PROGRESS", last_scale_event_at: "2025-01-03T10:00:00.000Z",
        last_failover_id: "f1", last_failover_to: "billing-1", last_failover_status: "DONE", last_failover_at: "2025-01-02T12:00:09.000Z",
        last_event: "status_checked", last_event_record_type: "db_resource", last_event_record_id: id, last_event_at: undefined,
        created_at: undefined, updated_at: undefined, deleted_at: null,
      },
    );
    assert.ok(row.last_event_at instanceof Date && row.updated_at instanceof Date);
    const migration = await withCatalog(db, (c) => readRecord(c, "migration", "m1"));
    assert.deepStrictEqual(migration!.data.log, [{ at: "2025-01-04T00:00:00Z", phase: "replicating", message: "subscription created" }]);
    const [other] = await sql(db, "SELECT tenant_count, last_backup_id, last_failover_id, last_event, last_event_record_type FROM pgplatform_catalog.resource_overview WHERE id = 'other'");
    assert.deepStrictEqual(other, { tenant_count: 1, last_backup_id: null, last_failover_id: null, last_event: "created", last_event_record_type: "tenant" });
  });
});
