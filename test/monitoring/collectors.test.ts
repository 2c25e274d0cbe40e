/**
 * The monitoring collectors against a real PostgreSQL 15 and a streaming standby of it: every
 * figure is provoked first (sessions opened, rows written and deleted, VACUUM and ANALYZE run,
 * WAL streamed) and then read back, and compared with what the server itself says.
 */
import assert from "assert";
import {
  bloatEstimate,
  connections,
  databaseSizes,
  maintenance,
  replicationLag,
  schemaSizes,
  tableCounts,
} from "../../components/monitoring/collectors";
import { TestPostgres, query, startTestPostgres } from "../harness/postgres";
import { TestStandby, startStandby } from "./standby";

/** Waits until `probe` returns a value that `ok` accepts; returns it. */
async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("monitoring collectors against PostgreSQL 15", () => {
  let pg: TestPostgres;
  let admin: any; // a superuser session on the `postgres` database
  let app: any; // a superuser session on the `app` database
  const open: any[] = [];

  const connect = async (uri: string) => {
    const { Client } = require("pg");
    const c = new Client({ connectionString: uri });
    c.on("error", () => undefined);
    await c.connect();
    open.push(c);
    return c;
  };

  before(async () => {
    pg = await startTestPostgres();
    admin = await connect(pg.adminUri);
    app = await connect(pg.adminUri.replace(/\/postgres$/, "/app"));
  });

  after(async () => {
    await Promise.all(open.map((c) => c.end().catch(() => undefined)));
    await pg?.stop();
  });

  it("counts connections by database, role and state against max_connections", async () => {
    const extra = await Promise.all([1, 2, 3].map(() => connect(pg.appUri)));
    await extra[2].query("BEGIN; SELECT 1");
    // Sessions of the fixture's set-up may still be on their way out.
    const figures = await until("five sessions", () => connections(admin), (f) => f.used === 5);
    assert.deepStrictEqual(figures, {
      maxConnections: 40,
      superuserReserved: 3,
      roleReserved: 0,
      used: 5,
      available: 32,
      usedPercent: 12.5,
      replicationConnections: 0,
      byDatabase: [
        { database: "app", connections: 4 },
        { database: "postgres", connections: 1 },
      ],
      byRole: [
        { role: "app", connections: 3 },
        { role: "postgres", connections: 2 },
      ],
      byState: [
        { state: "idle", connections: 3 },
        { state: "active", connections: 1 },
        { state: "idle in transaction", connections: 1 },
      ],
    });
    await Promise.all(extra.map((c) => c.end()));
    open.splice(open.length - 3, 3);
    const after = await until("the sessions to end", () => connections(admin), (f) => f.used === 2);
    assert.deepStrictEqual(after.byRole, [{ role: "postgres", connections: 2 }]);
  });

  it("sees database sizes, schema sizes and table counts move with the data", async () => {
    const sizeOfApp = async () => (await databaseSizes(admin)).find((d) => d.database === "app")!.bytes!;
    const beforeApp = await sizeOfApp();
    const dbs = await databaseSizes(admin);
    assert.deepStrictEqual(dbs.map((d) => d.database).sort(), ["app", "postgres", "template0", "template1"]);
    for (const d of dbs) assert.strictEqual(d.bytes, Number((await query(pg.adminUri, "SELECT pg_database_size($1) AS b", [d.database]))[0].b));

    await app.query("CREATE SCHEMA sales; CREATE SCHEMA empty_one");
    assert.deepStrictEqual(await schemaSizes(app), [
      { schema: "empty_one", bytes: 0, relations: 0 },
      { schema: "public", bytes: 0, relations: 0 },
      { schema: "sales", bytes: 0, relations: 0 },
    ]);
    await app.query("CREATE TABLE sales.orders (id bigserial PRIMARY KEY, note text)");
    await app.query("INSERT INTO sales.orders (note) SELECT repeat(md5(g::text), 8) FROM generate_series(1, 5000) g");
    await app.query("CREATE TABLE sales.events (at date NOT NULL) PARTITION BY RANGE (at)");
    await app.query("CREATE TABLE sales.events_2025 PARTITION OF sales.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')");
    await app.query("CREATE TABLE public.events_2026 PARTITION OF sales.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");

    const [{ expected }] = (
      await app.query(
        `SELECT pg_total_relation_size('sales.orders') + pg_total_relation_size('sales.orders_id_seq')
              + pg_total_relation_size('sales.events_2025') AS expected`,
      )
    ).rows;
    const sales = (await schemaSizes(app)).find((s) => s.schema === "sales")!;
    assert.deepStrictEqual(sales, { schema: "sales", bytes: Number(expected), relations: 3 }, "orders, its sequence and one partition; the partitioned parent holds no storage");
    assert.ok(sales.bytes > 5000 * 256, `5000 rows of 256 bytes fit in ${sales.bytes} bytes`);
    assert.ok((await sizeOfApp()) >= beforeApp + sales.bytes, "the database grew at least by the schema's size");
    assert.deepStrictEqual(await tableCounts(app), [
      { schema: "empty_one", tables: 0, partitions: 0 },
      { schema: "public", tables: 0, partitions: 1 },
      { schema: "sales", tables: 2, partitions: 1 },
    ]);
    assert.ok((await schemaSizes(app, { includeSystem: true })).some((s) => s.schema === "pg_catalog" && s.bytes > 0));
  });

  it("reports dead tuples, a bloat estimate after ANALYZE, and VACUUM/ANALYZE times", async () => {
    await app.query("CREATE TABLE public.churn (id int, payload text) WITH (autovacuum_enabled = false)");
    // In their own sessions, which flush their statistics when they end.
    const appAdminUri = pg.adminUri.replace(/\/postgres$/, "/app");
    await query(appAdminUri, "INSERT INTO public.churn SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 20000) g");
    await query(appAdminUri, "DELETE FROM public.churn WHERE id % 2 = 0");
    const churn = () => maintenance(app, { schema: "public" }).then((rows) => rows.find((r) => r.table === "churn")!);
    const dirty = await until("the delete's statistics", churn, (m) => m.deadTuples === 10_000);
    assert.deepStrictEqual(
      { live: dirty.liveTuples, vacuum: dirty.lastVacuum, analyze: dirty.lastAnalyze, autovacuum: dirty.lastAutovacuum },
      { live: 10_000, vacuum: null, analyze: null, autovacuum: null },
    );
    assert.deepStrictEqual(await bloatEstimate(app, { schema: "public" }), [], "no estimate before the table has statistics");

    const beforeAnalyze = Date.now();
    await app.query("ANALYZE public.churn");
    const [bloat] = await bloatEstimate(app, { schema: "public" });
    const [{ bytes }] = (await app.query("SELECT pg_relation_size('public.churn') AS bytes")).rows;
    assert.deepStrictEqual({ ...bloat, wastedBytes: 0, wastedRatio: 0, expectedBytes: 0 }, {
      schema: "public",
      table: "churn",
      actualBytes: Number(bytes),
      expectedBytes: 0,
      wastedBytes: 0,
      wastedRatio: 0,
      fillfactor: 100,
      estimatedRows: 10_000,
      reliable: true,
    });
    assert.ok(bloat.wastedBytes > 0 && bloat.wastedRatio > 0.4 && bloat.wastedRatio < 0.6, `half the rows deleted: ${JSON.stringify(bloat)}`);
    assert.strictEqual(bloat.wastedBytes + bloat.expectedBytes, bloat.actualBytes);
    const analyzed = await until("the analyze", churn, (m) => m.lastAnalyze !== null);
    assert.ok(Date.parse(analyzed.lastAnalyze!) >= beforeAnalyze - 1000 && analyzed.analyzeCount === 1 && analyzed.modifiedSinceAnalyze === 0);

    await app.query("VACUUM public.churn");
    const vacuumed = await until("the vacuum", churn, (m) => m.lastVacuum !== null);
    assert.deepStrictEqual(
      { dead: vacuumed.deadTuples, live: vacuumed.liveTuples, vacuums: vacuumed.vacuumCount, autovacuums: vacuumed.autovacuumCount },
      { dead: 0, live: 10_000, vacuums: 1, autovacuums: 0 },
    );
    assert.ok(Date.parse(vacuumed.lastVacuum!) >= Date.parse(analyzed.lastAnalyze!));
  });

  describe("with a streaming standby built by pg_basebackup -R", () => {
    let standby: TestStandby | undefined;
    let replica: any;

    before(async () => {
      standby = await startStandby(pg);
      replica = await connect(standby.adminUri);
    });

    after(async () => {
      await replica?.end().catch(() => undefined);
      await standby?.stop();
    });

    const primaryView = async () => {
      const status = await replicationLag(admin);
      assert.strictEqual(status.role, "primary");
      return status.role === "primary" ? status : assert.fail("not a primary");
    };
    const standbyView = async () => {
      const status = await replicationLag(replica);
      return status.role === "standby" ? status : assert.fail(`the standby says it is a ${status.role}`);
    };

    it("the primary reports the standby, caught up", async () => {
      await admin.query("CREATE TABLE repl_probe AS SELECT 1 AS n");
      // replay_lsn is null until the standby's first feedback; then the gap closes to 0 bytes.
      const status = await until("the standby to replay", primaryView, (s) => s.standbys[0]?.state === "streaming" && s.standbys[0].replayLagBytes === 0);
      assert.match(status.currentLsn, /^[0-9A-F]+\/[0-9A-F]+$/);
      const [s] = status.standbys;
      assert.deepStrictEqual(
        { count: status.standbys.length, name: s.name, address: s.clientAddress, sync: s.syncState, sendLag: s.sendLagBytes },
        { count: 1, name: "test_standby", address: "127.0.0.1", sync: "async", sendLag: 0 },
      );
      for (const lag of [s.writeLagSeconds, s.flushLagSeconds, s.replayLagSeconds]) assert.ok(lag === null || lag >= 0, `lag ${lag}`);
      assert.strictEqual((await connections(admin)).replicationConnections, 1);

      await until("the probe on the standby", async () => (await replica.query("SELECT to_regclass('public.repl_probe') AS t")).rows[0].t, (t) => t !== null);
      const own = await standbyView();
      assert.deepStrictEqual({ receiver: own.receiverStatus, upstream: own.upstream }, { receiver: "streaming", upstream: `127.0.0.1:${pg.port}` });
      assert.ok(own.replayDelaySeconds !== null && own.replayDelaySeconds >= 0 && own.replayDelaySeconds < 60, `delay ${own.replayDelaySeconds}`);
      assert.ok(own.lastReplayedAt !== null && Date.parse(own.lastReplayedAt) <= Date.now());
      assert.match(own.replayLsn!, /^[0-9A-F]+\/[0-9A-F]+$/);
    });

    it("with replay paused on the standby, both sides report the lag in bytes and seconds", async () => {
      await replica.query("SELECT pg_wal_replay_pause()");
      try {
        await admin.query("INSERT INTO repl_probe SELECT g FROM generate_series(2, 1000) g");
        const behind = await until("the primary to measure the lag", primaryView, (s) => (s.standbys[0]?.replayLagBytes ?? 0) > 0 && s.standbys[0].writeLagSeconds !== null);
        const [s] = behind.standbys;
        for (const lag of [s.writeLagSeconds, s.flushLagSeconds, s.replayLagSeconds]) assert.ok(lag === null || lag >= 0, JSON.stringify(s));
        assert.ok(s.writeLagSeconds! >= 0 && s.flushLagSeconds! >= s.writeLagSeconds!, `written, then flushed: ${JSON.stringify(s)}`);
        const own = await until("the standby to receive", standbyView, (x) => (x.receiveReplayGapBytes ?? 0) > 0);
        assert.strictEqual(own.receiveReplayGapBytes, s.replayLagBytes, "the standby holds exactly what it has not replayed");
      } finally {
        await replica.query("SELECT pg_wal_replay_resume()");
      }
      const resumed = await until("the standby to catch up", standbyView, (x) => x.receiveReplayGapBytes === 0);
      assert.ok(resumed.replayDelaySeconds !== null && resumed.replayDelaySeconds >= 0);
      assert.deepStrictEqual((await replica.query("SELECT count(*)::int AS n FROM repl_probe")).rows, [{ n: 1000 }]);
    });
  });
});
