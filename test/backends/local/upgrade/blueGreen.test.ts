/**
 * A blue-green upgrade from PostgreSQL 15 (Debian's) to 16 (embedded) for real, through the
 * upgrade provider: a writer keeps inserting through the stable PgBouncer endpoint during the
 * initial copy, the cut-over and the rollback; every acknowledged row is found on the side that
 * serves, both sides hold the same counts and sums, and the catalogue holds the migration's
 * status and log. Tables without a primary key: refused with their list, or given REPLICA
 * IDENTITY FULL and replicated with their UPDATEs and DELETEs.
 */
import assert from "assert";
import { endpointPid } from "../../../../components/backends/local/upgrade/endpoint";
import { withSide } from "../../../../components/backends/local/upgrade/sql";
import { replicationNames } from "../../../../components/backends/local/upgrade/types";
import { readRecord, withCatalog } from "../../../../components/catalog/store";
import { localUpgradeProvider } from "../../../../components/providers/localUpgrade";
import { closePools } from "../../../../components/providers/sql/connection";
import { tableFingerprints } from "../../../../components/providers/sql/replication";
import { TestPostgres, query } from "../../../harness/postgres";
import { Writer, catalogOn, inputsFor, sideOf, startPair, until } from "./support";

describe("local blue-green upgrade 15 -> 16 (real servers)", function () {
  this.timeout(240_000);
  let blue: TestPostgres;
  let green: TestPostgres;
  let catalog: Awaited<ReturnType<typeof catalogOn>>;

  before(async () => {
    ({ blue, green } = await startPair());
    catalog = await catalogOn(green);
    await query(
      blue.appUri,
      `CREATE TABLE orders (id bigserial PRIMARY KEY, amount integer NOT NULL);
       CREATE TABLE audit (note text, at integer);
       INSERT INTO orders (amount) SELECT g FROM generate_series(1, 50000) g;
       INSERT INTO audit SELECT 'n' || g, g FROM generate_series(1, 100) g;`,
    );
  });

  after(async () => {
    await closePools();
    await Promise.all([blue?.stop(), green?.stop()]);
  });

  it("refuses tables without a primary key when asked to, listing them, and leaves nothing behind", async () => {
    const inputs = await inputsFor("upgrade-refuse", blue, green, { tablesWithoutPrimaryKey: "refuse", catalog: { connection: catalog } });
    await assert.rejects(localUpgradeProvider.create!(inputs), {
      message:
        "the blue-green upgrade cannot start:\n  - 1 table has no primary key, so logical replication cannot apply their UPDATE and DELETE: `public.audit`; " +
        'add primary keys, or set `tablesWithoutPrimaryKey: "replica_identity_full"`',
    });
    assert.strictEqual(endpointPid(blue.dataRoot, "upgrade-refuse-endpoint"), undefined);
    const names = replicationNames("upgrade-refuse");
    assert.deepStrictEqual(await query(blue.adminUri.replace(/\/postgres$/, "/app"), "SELECT pubname FROM pg_publication"), []);
    assert.deepStrictEqual(await query(blue.adminUri, "SELECT slot_name FROM pg_replication_slots WHERE slot_name = $1", [names.subscription]), []);
    const row = await withCatalog(catalog, (c) => readRecord(c, "migration", "upgrade-refuse"));
    assert.strictEqual(row?.data.status, "FAILED");
    assert.deepStrictEqual((row?.data.log as any[]).map((e) => e.step), ["started", "failed", "replication_removed"]);
  });

  it("prepares with writes during the initial copy, cuts over, takes writes on 16, rolls back without losing one", async () => {
    const inputs = await inputsFor("upgrade-main", blue, green, { catalog: { connection: catalog } });
    const writer = new Writer(`postgresql://app:${blue.appPassword}@127.0.0.1:${inputs.port}/app`);
    writer.start();
    let outs: any;
    try {
      // Prepare: schema, publication, subscription, initial copy of 50,000 rows while the writer writes through the endpoint.
      outs = (await localUpgradeProvider.create!(inputs)).outs;
      assert.strictEqual(outs.appliedPhase, "prepare");
      assert.strictEqual(outs.activeSide, "blue");
      assert.strictEqual(outs.status, "IN_PROGRESS");
      assert.strictEqual(outs.endpointPort, inputs.port);
      await until(async () => writer.acked.size > 200, 30_000, "writes through the endpoint");
      assert.deepStrictEqual(await query(blue.adminUri.replace(/\/postgres$/, "/app"), "SELECT relreplident AS r FROM pg_class WHERE relname = 'audit'"), [{ r: "f" }]);

      // Cut-over while writing.
      const before = writer.acked.size;
      outs = (await localUpgradeProvider.update!("upgrade-main", outs, { ...inputs, phase: "cutover" })).outs;
      assert.strictEqual(outs.appliedPhase, "cutover");
      assert.strictEqual(outs.activeSide, "green");
      assert.ok(outs.lastSwitch.pauseMs < 10_000, `pause ${outs.lastSwitch.pauseMs} ms within maxWritePauseSeconds`);
      await until(async () => writer.majors.includes("16") && writer.acked.size > before + 200, 30_000, "writes on 16 through the endpoint");

      // The app role on blue is read-only now; green's UPDATE and DELETE on the key-less table reach blue through the reverse stream.
      await assert.rejects(query(blue.appUri, "INSERT INTO orders (amount) VALUES (1)"), /read-only transaction/);
      await query(`postgresql://app:${blue.appPassword}@127.0.0.1:${inputs.port}/app`, "UPDATE audit SET at = -at WHERE at <= 10; DELETE FROM audit WHERE at > 90");
      await writer.stop();
      await sameOnBothSides(inputs);
      const onGreen = await withSide(sideOf(green, "16"), async (c) => (await c.query("SELECT id, amount FROM orders")).rows);
      const green16 = new Map<number, number>(onGreen.map((r: any) => [Number(r.id), r.amount]));
      for (const [id, amount] of writer.acked) assert.strictEqual(green16.get(id), amount, `acknowledged row ${id} is on green`);
      const audit = await query(green.adminUri.replace(/\/postgres$/, "/app"), "SELECT count(*)::int AS n, sum(at)::int AS s FROM audit");
      assert.deepStrictEqual(audit, [{ n: 90, s: 4095 - 110 }]);

      // Rollback: writes on green after the cut-over are kept; blue serves again.
      const writer2 = new Writer(`postgresql://app:${blue.appPassword}@127.0.0.1:${inputs.port}/app`);
      writer2.start();
      await until(async () => writer2.acked.size > 100, 30_000, "writes before the rollback");
      outs = (await localUpgradeProvider.update!("upgrade-main", outs, { ...inputs, phase: "rollback" })).outs;
      assert.strictEqual(outs.activeSide, "blue");
      assert.strictEqual(outs.status, "ROLLED_BACK");
      await until(async () => writer2.majors.includes("15"), 30_000, "writes on 15 after the rollback");
      await writer2.stop();
      const onBlue = await withSide(sideOf(blue, "15"), async (c) => (await c.query("SELECT id, amount FROM orders")).rows);
      const blue15 = new Map<number, number>(onBlue.map((r: any) => [Number(r.id), r.amount]));
      for (const [id, amount] of [...writer.acked, ...writer2.acked]) assert.strictEqual(blue15.get(id), amount, `acknowledged row ${id} is on blue after the rollback`);
      assert.deepStrictEqual(await query(blue.appUri, "SELECT 1 AS ok"), [{ ok: 1 }], "blue takes its app role's sessions again");
      await query(blue.appUri, "INSERT INTO orders (amount) VALUES (7)");

      const row = await withCatalog(catalog, (c) => readRecord(c, "migration", "upgrade-main"));
      assert.strictEqual(row?.data.status, "ROLLED_BACK");
      assert.strictEqual(row?.data.phase, "rollback");
      assert.deepStrictEqual(
        (row?.data.log as any[]).map((e) => e.step),
        ["started", "replica_identity_full", "schema_copied", "publication_created", "subscription_created", "initial_copy_done", "caught_up", "cutover", "reverse_replication_started", "rolled_back", "replication_removed"],
      );
    } finally {
      await writer.stop();
      if (outs) await localUpgradeProvider.delete!("upgrade-main", outs);
    }
    assert.strictEqual(endpointPid(blue.dataRoot, "upgrade-main-endpoint"), undefined);
    assert.deepStrictEqual(await query(blue.adminUri, "SELECT slot_name FROM pg_replication_slots"), []);
    assert.deepStrictEqual(await query(green.adminUri, "SELECT slot_name FROM pg_replication_slots"), []);
  });

  /** Waits for the reverse stream to catch up, then compares every table's count and checksum. */
  async function sameOnBothSides(inputs: { upgradeId: string }): Promise<void> {
    const names = replicationNames(inputs.upgradeId);
    await until(
      async () => {
        const lag = await query(green.adminUri, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::int AS lag FROM pg_replication_slots WHERE slot_name = $1", [names.reverseSubscription]);
        return lag.length === 1 && lag[0].lag <= 0;
      },
      30_000,
      "the reverse stream to catch up",
    );
    const b = await withSide(sideOf(blue, "15"), tableFingerprints);
    const g = await withSide(sideOf(green, "16"), tableFingerprints);
    assert.deepStrictEqual(g, b);
    const sums = await query(green.adminUri.replace(/\/postgres$/, "/app"), "SELECT count(*)::int AS n, sum(amount)::bigint AS s FROM orders");
    const sumsBlue = await query(blue.adminUri.replace(/\/postgres$/, "/app"), "SELECT count(*)::int AS n, sum(amount)::bigint AS s FROM orders");
    assert.deepStrictEqual(sums, sumsBlue);
  }
});
