/**
 * The db_resource quota provider against a real PostgreSQL 15: storage warn, block (read-only,
 * writers ended) and unblock; the connection cap; the qps alert; catalogue events on each change of
 * state; delete lifts what the quota set. Asserts what the database and the catalogue then hold.
 */
import assert from "assert";
import { upsertRecord, withCatalog } from "../../components/catalog/store";
import { DB_QUOTA_KIND, DbQuotaInputs, dbQuotaFailures, dbQuotaProvider, limitState } from "../../components/providers/dbQuota";
import { SqlConnection, closePools } from "../../components/providers/sql/connection";
import { TestPostgres, query, startTestPostgres } from "../harness/postgres";

const RESOURCE = "shop-dev-orders-22222222";

describe("DbQuota provider (real PostgreSQL)", function () {
  this.timeout(120_000);
  let pg: TestPostgres;
  let catalog: SqlConnection;
  let admin: SqlConnection;

  before(async () => {
    pg = await startTestPostgres();
    await query(pg.adminUri, "CREATE DATABASE catalog");
    catalog = { host: "127.0.0.1", port: pg.port, user: pg.superuser, password: pg.password, database: "catalog" };
    admin = { host: "127.0.0.1", port: pg.port, user: pg.superuser, password: pg.password, database: "postgres" };
    await withCatalog(catalog, (c) =>
      upsertRecord(c, "db_resource", RESOURCE, { kind: "pg_single", projectId: "shop", environmentId: "dev", plan: "dev_single", version: "15", backend: "local", region: "local" }),
    );
    await query(pg.appUri, "CREATE TABLE t (id serial PRIMARY KEY, pad text)");
  });

  after(async () => {
    await closePools();
    await pg?.stop();
  });

  const events = async () =>
    (await query(catalog && `postgresql://${pg.superuser}:${pg.password}@127.0.0.1:${pg.port}/catalog`, "SELECT event, detail->>'limit' AS lim FROM pgplatform_catalog.events WHERE record_type = 'db_resource' AND event LIKE 'quota_%' ORDER BY id")).map(
      (r: any) => `${r.event} ${r.lim}`,
    );
  const size = async () => Number((await query(pg.adminUri, "SELECT pg_database_size('app') AS b"))[0].b);

  it("states its limits: warning from warnAtPercent, over at the limit", () => {
    assert.deepStrictEqual([limitState(79, 100, 80), limitState(80, 100, 80), limitState(100, 100, 80), limitState(5, undefined, 80)], ["ok", "warning", "over", undefined]);
    assert.deepStrictEqual(dbQuotaFailures({ kind: DB_QUOTA_KIND, warnAtPercent: 80, onLimit: "block" }), [
      { property: "onLimit", reason: '`onLimit` must be `warn` or `read_only`; got "block"' },
      { property: "maxStorageBytes", reason: "a quota needs at least one of `maxStorageBytes`, `maxConnections`, `maxQps`" },
    ]);
  });

  it("warns near the storage limit, blocks writes past it, lifts the block when the limit is raised", async () => {
    const used = await size();
    const base: DbQuotaInputs = { kind: DB_QUOTA_KIND, admin, resourceId: RESOURCE, database: "app", maxStorageBytes: Math.round(used / 0.85), warnAtPercent: 80, onLimit: "read_only", catalog: { connection: catalog } };
    let outs: any = (await dbQuotaProvider.create!(base)).outs;
    assert.strictEqual(outs.states.storage, "warning");
    assert.strictEqual(outs.readOnly, false);
    assert.deepStrictEqual(await events(), ["quota_warning storage"]);

    // A writer with an open session; the data grows past the limit.
    const { Client } = require("pg");
    const writer = new Client({ connectionString: pg.appUri });
    writer.on("error", () => undefined);
    await writer.connect();
    await writer.query("INSERT INTO t (pad) SELECT repeat('x', 1000) FROM generate_series(1, 3000)");
    outs = (await dbQuotaProvider.update!(outs.id, outs, base)).outs;
    assert.strictEqual(outs.states.storage, "over");
    assert.strictEqual(outs.readOnly, true);
    await assert.rejects(writer.query("SELECT 1"), "the writer's session was ended");
    await assert.rejects(query(pg.appUri, "INSERT INTO t (pad) VALUES ('y')"), /cannot execute INSERT in a read-only transaction/);
    assert.deepStrictEqual(await query(pg.appUri, "SELECT count(*)::int AS n FROM t"), [{ n: 3000 }], "reads still work");
    assert.deepStrictEqual(await events(), ["quota_warning storage", "quota_blocked storage"]);

    // Refresh measures without enforcing; diff sees nothing to do while the block matches the usage.
    const read = (await dbQuotaProvider.read!(outs.id, outs)).props;
    assert.strictEqual(read.states.storage, "over");
    assert.strictEqual((await dbQuotaProvider.diff!(outs.id, read, base)).changes, false);

    const raised = { ...base, maxStorageBytes: (await size()) * 10 };
    outs = (await dbQuotaProvider.update!(outs.id, outs, raised)).outs;
    assert.strictEqual(outs.states.storage, "ok");
    assert.strictEqual(outs.readOnly, false);
    await query(pg.appUri, "INSERT INTO t (pad) VALUES ('y')");
    assert.deepStrictEqual(await events(), ["quota_warning storage", "quota_blocked storage", "quota_cleared storage"]);
    await dbQuotaProvider.delete!(outs.id, outs);
  });

  it("caps connections with read_only, alerts on qps, and lifts the cap on delete", async () => {
    const base: DbQuotaInputs = { kind: DB_QUOTA_KIND, admin, resourceId: RESOURCE, database: "app", maxConnections: 3, maxQps: 1, warnAtPercent: 80, onLimit: "read_only" };
    const { Client } = require("pg");
    const busy = new Client({ connectionString: pg.appUri });
    busy.on("error", () => undefined);
    await busy.connect();
    let stop = false;
    const loop = (async () => {
      while (!stop) await busy.query("INSERT INTO t (pad) VALUES ('q')");
    })();
    try {
      const outs: any = (await dbQuotaProvider.create!(base)).outs;
      assert.strictEqual(outs.connections, 1);
      assert.strictEqual(outs.states.connections, "ok");
      assert.ok(outs.qps > 1, `qps ${outs.qps} measured`);
      assert.strictEqual(outs.states.qps, "over");
      assert.strictEqual(outs.readOnly, false, "qps only alerts");
      assert.deepStrictEqual(await query(pg.adminUri, "SELECT datconnlimit FROM pg_database WHERE datname = 'app'"), [{ datconnlimit: 3 }]);
      await dbQuotaProvider.delete!(outs.id, outs);
      assert.deepStrictEqual(await query(pg.adminUri, "SELECT datconnlimit FROM pg_database WHERE datname = 'app'"), [{ datconnlimit: -1 }]);
    } finally {
      stop = true;
      await loop.catch(() => undefined);
      await busy.end();
    }
  });
});
