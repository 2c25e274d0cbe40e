/**
 * The catalogue's schema on a real PostgreSQL 15: created from scratch on first use, a re-run
 * applies nothing, a new migration is applied alone and in order, five migrators at once apply each
 * migration exactly once, and the CHECK constraints hold the status and lifecycle vocabularies.
 */
import assert from "assert";
import { CATALOG_SCHEMA, MIGRATIONS, Migration, migrate } from "../../components/catalog/migrations";
import { SqlConnection, withClient } from "../../components/providers/sql/connection";
import { sql, useFreshDatabases } from "./support";

const TABLES = ["backups", "events", "failovers", "migrations", "resources", "scale_events", "schema_migrations", "tenants"];

describe("catalogue migrations", () => {
  const fresh = useFreshDatabases();
  let db: SqlConnection;

  beforeEach(() => {
    db = fresh.db;
  });

  it("creates pgplatform_catalog, its tables and the view from scratch, and a re-run applies nothing", async () => {
    assert.deepStrictEqual(await sql(db, "SELECT 1 FROM pg_namespace WHERE nspname = $1", [CATALOG_SCHEMA]), []);
    assert.deepStrictEqual(await withClient(db, (c) => migrate(c)), [1]);
    const tables = await sql(db, "SELECT table_name AS t, table_type AS k FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", [CATALOG_SCHEMA]);
    assert.deepStrictEqual(tables, [...TABLES.map((t) => ({ t, k: "BASE TABLE" })), { t: "resource_overview", k: "VIEW" }].sort((a, b) => a.t.localeCompare(b.t)));
    const applied = await sql(db, "SELECT version, name, applied_at FROM pgplatform_catalog.schema_migrations");
    assert.deepStrictEqual(applied.map((r) => [r.version, r.name]), [[1, MIGRATIONS[0].name]]);
    assert.ok(applied[0].applied_at instanceof Date);

    assert.deepStrictEqual(await withClient(db, (c) => migrate(c)), [], "nothing left to apply");
    assert.strictEqual((await sql(db, "SELECT count(*)::int AS n FROM pgplatform_catalog.schema_migrations"))[0].n, 1);
  });

  it("applies only the missing migrations, in order, each recorded once", async () => {
    await withClient(db, (c) => migrate(c));
    const more: Migration[] = [
      ...MIGRATIONS,
      { version: 3, name: "third", sql: "INSERT INTO pgplatform_catalog.trail VALUES (3)" },
      { version: 2, name: "second", sql: "CREATE TABLE pgplatform_catalog.trail (step int); INSERT INTO pgplatform_catalog.trail VALUES (2)" },
    ];
    assert.deepStrictEqual(await withClient(db, (c) => migrate(c, more)), [2, 3]);
    assert.deepStrictEqual(await sql(db, "SELECT step FROM pgplatform_catalog.trail"), [{ step: 2 }, { step: 3 }]);
    assert.deepStrictEqual((await sql(db, "SELECT version FROM pgplatform_catalog.schema_migrations ORDER BY applied_at, version")).map((r) => r.version), [1, 2, 3]);
  });

  it("rolls a failed migration back whole and says which one failed", async () => {
    const broken: Migration[] = [...MIGRATIONS, { version: 2, name: "broken", sql: "CREATE TABLE pgplatform_catalog.half (x int); SELECT no_such_function()" }];
    await assert.rejects(withClient(db, (c) => migrate(c, broken)), (err: Error) => {
      assert.match(err.message, /^catalogue migration 2 \(broken\) failed: function no_such_function\(\) does not exist$/);
      return true;
    });
    assert.deepStrictEqual(await sql(db, "SELECT to_regclass('pgplatform_catalog.half') AS t"), [{ t: null }]);
    assert.deepStrictEqual((await sql(db, "SELECT version FROM pgplatform_catalog.schema_migrations")).map((r) => r.version), [1], "migration 1 stays applied");
  });

  it("serializes 5 concurrent migrators: every migration is applied exactly once", async () => {
    const counted: Migration[] = [
      ...MIGRATIONS,
      { version: 2, name: "counter", sql: "CREATE TABLE pgplatform_catalog.applied (n int); INSERT INTO pgplatform_catalog.applied VALUES (1)" },
    ];
    const results = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const { Client } = require("pg");
        const client = new Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
        await client.connect();
        try {
          return await migrate(client, counted);
        } finally {
          await client.end();
        }
      }),
    );
    assert.deepStrictEqual(results.flat().sort(), [1, 2], `each version applied by exactly one migrator: ${JSON.stringify(results)}`);
    assert.deepStrictEqual(await sql(db, "SELECT count(*)::int AS n FROM pgplatform_catalog.applied"), [{ n: 1 }]);
    assert.deepStrictEqual((await sql(db, "SELECT version FROM pgplatform_catalog.schema_migrations ORDER BY 1")).map((r) => r.version), [1, 2]);
  });

  it("holds the vocabularies in CHECK constraints, and deleted_at exactly when DELETED", async () => {
    await withClient(db, (c) => migrate(c));
    const insert = (status: string, lifecycle: string, deletedAt: string | null) =>
      sql(
        db,
        "INSERT INTO pgplatform_catalog.resources (id, kind, project_id, environment_id, plan, version, backend, region, status, lifecycle, deleted_at) " +
          "VALUES ($1, 'pg_single', 'p', 'e', 'dev_single', '17', 'local', 'local', $2, $3, $4)",
        [`r-${status}-${lifecycle}-${deletedAt ? 1 : 0}`, status, lifecycle, deletedAt],
      );
    await insert("RUNNING", "PAUSED", null);
    await insert("FAILED", "DELETED", "2024-01-01T00:00:00Z");
    await assert.rejects(insert("DONE", "ACTIVE", null), /violates check constraint "resources_status_check"/);
    await assert.rejects(insert("RUNNING", "GONE", null), /violates check constraint "resources_lifecycle_check"/);
    await assert.rejects(insert("RUNNING", "DELETED", null), /violates check constraint "resources_check"/);
    await assert.rejects(
      sql(db, "INSERT INTO pgplatform_catalog.scale_events (id, resource_id, dimension, status) VALUES ('s', 'r-RUNNING-PAUSED-0', 'storage', 'RUNNING')"),
      /violates check constraint "scale_events_status_check"/,
    );
    await assert.rejects(
      sql(db, "INSERT INTO pgplatform_catalog.tenants (id, tenant_id, project_id, environment_id, resource_id, mode, database_name, role_name) VALUES ('t', 'a', 'p', 'e', 'nope', 'database_per_tenant', 'a', 'a')"),
      /violates foreign key constraint "tenants_resource_id_fkey"/,
    );
    // A hand edit bumps updated_at (a trigger), so drift is visible in the timestamps too.
    const [before] = await sql(db, "SELECT updated_at FROM pgplatform_catalog.resources WHERE id = 'r-RUNNING-PAUSED-0'");
    await sql(db, "UPDATE pgplatform_catalog.resources SET plan = 'small_single' WHERE id = 'r-RUNNING-PAUSED-0'");
    const [after] = await sql(db, "SELECT updated_at FROM pgplatform_catalog.resources WHERE id = 'r-RUNNING-PAUSED-0'");
    assert.ok(after.updated_at > before.updated_at);
  });
});
