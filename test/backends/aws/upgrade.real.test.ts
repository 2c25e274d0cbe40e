/**
 * The aws blue-green upgrade's SQL (components/backends/aws/upgradeDriver.ts, upgradeSchema.ts)
 * against two real servers with TLS on: blue PostgreSQL 15, green PostgreSQL 16, every connection
 * verify-full. The admins here are the test servers' superusers: vanilla PostgreSQL lets only a
 * superuser CREATE PUBLICATION ... FOR ALL TABLES and CREATE SUBSCRIPTION (RDS grants both to its
 * master user through rds_superuser), so the RDS-like non-superuser master cannot run them locally.
 * Phases run through the provider (create, update) as the engine would. Shown: the catalogue schema
 * copy and its refusal, prepare under concurrent writes, the call-off
 * (blue writable again), the cut-over (blue read-only, identical counts and checksums, sequences
 * copied), the rollback carrying green's writes back, the removal of every replication object.
 */
import { strict as assert } from "assert";
import { AwsUpgradePlan, finalizeAws } from "../../../components/backends/aws/upgradeDriver";
import { AWS_UPGRADE_KIND, AwsUpgradeInputs, awsUpgradeProvider } from "../../../components/providers/awsUpgrade";
import { unsupportedObjects } from "../../../components/backends/aws/upgradeSchema";
import { replicationNames } from "../../../components/backends/local/upgrade/types";
import { SqlConnection, closePools, withClient } from "../../../components/providers/sql/connection";
import { tableFingerprints } from "../../../components/providers/sql/replication";
import { TlsTestPostgres, startTlsPostgres } from "../../harness/tlsPostgres";

describe("aws blue-green upgrade SQL, PostgreSQL 15 to 16 over TLS (real servers)", function () {
  this.timeout(180_000);
  let blue: TlsTestPostgres;
  let green: TlsTestPostgres;
  let plan: AwsUpgradePlan;
  let inputs: AwsUpgradeInputs;
  let outs: any;
  const log = () => outs.log as { step: string; detail?: string }[];
  const admin = (pg: TlsTestPostgres): SqlConnection => ({ host: "127.0.0.1", port: pg.port, user: pg.superuser, password: pg.password, ssl: { mode: "verify-full", ca: pg.certs.caPem } });
  const app = (pg: TlsTestPostgres, user: string, password: string): SqlConnection => ({ host: "127.0.0.1", port: pg.port, user, password, database: pg.database, ssl: { mode: "verify-full", ca: pg.certs.caPem } });
  const onBlueApp = <T>(fn: (c: any) => Promise<T>) => withClient(app(blue, blue.appUser, blue.appPassword), fn);
  const onGreenApp = <T>(fn: (c: any) => Promise<T>) => withClient(app(green, blue.appUser, blue.appPassword), fn);
  const prints = (pg: TlsTestPostgres) => withClient({ ...admin(pg), database: pg.database }, tableFingerprints);

  before(async () => {
    [blue, green] = await Promise.all([startTlsPostgres({ version: "15", parameters: { wal_level: "logical" } }), startTlsPostgres({ version: "16", parameters: { wal_level: "logical" } })]);
    await onBlueApp(async (c) => {
      await c.query("CREATE TABLE orders (id bigserial PRIMARY KEY, item text NOT NULL, amount numeric(10,2) DEFAULT 0 CHECK (amount >= 0), code text UNIQUE)");
      await c.query("CREATE INDEX orders_item ON orders (item)");
      await c.query("CREATE TABLE lines (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, order_id bigint REFERENCES orders(id), qty int)");
      await c.query("CREATE TABLE events (at timestamptz DEFAULT now(), what text)");
      await c.query("CREATE SEQUENCE invoice_no START 1000");
      await c.query("INSERT INTO orders (item, amount, code) SELECT 'item' || g, g, 'c' || g FROM generate_series(1, 500) g");
      await c.query("INSERT INTO lines (order_id, qty) SELECT g, g FROM generate_series(1, 500) g");
      await c.query("INSERT INTO events (what) VALUES ('a'), ('b')");
      await c.query("SELECT nextval('invoice_no'), nextval('invoice_no')");
    });
    plan = {
      id: "pgdb-orders-to-16",
      blue: { admin: admin(blue), database: blue.database, appUser: blue.appUser, appPassword: blue.appPassword },
      green: { admin: admin(green), database: green.database, appUser: blue.appUser, appPassword: "unused-on-green" },
      tablesWithoutPrimaryKey: "replica_identity_full",
      maxWritePauseSeconds: 5,
      prepareTimeoutSeconds: 60,
    };
    inputs = {
      kind: AWS_UPGRADE_KIND, upgradeId: plan.id, phase: "prepare", blue: plan.blue, green: plan.green, stableEndpoint: "to-16.db.example.internal",
      tablesWithoutPrimaryKey: plan.tablesWithoutPrimaryKey, maxWritePauseSeconds: plan.maxWritePauseSeconds, prepareTimeoutSeconds: plan.prepareTimeoutSeconds,
      migration: { migrationType: "blue_green_upgrade", sourceResourceId: "pgdb-orders", targetResourceId: "pgdb-orders-green", fromVersion: "15", toVersion: "16" },
    };
  });
  after(async () => {
    await closePools();
    await Promise.all([blue?.stop(), green?.stop()]);
  });

  it("lists, by name, what the catalogue copy cannot carry", async () => {
    await withClient({ ...admin(blue), database: blue.database }, async (c) => {
      await c.query("CREATE SCHEMA extra; CREATE VIEW extra.v AS SELECT 1 AS x; CREATE FUNCTION extra.f() RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE TYPE extra.mood AS ENUM ('ok')");
      try {
        assert.deepEqual(await unsupportedObjects(c), ["view extra.v", "function extra.f", "type extra.mood"]);
      } finally {
        await c.query("DROP SCHEMA extra CASCADE");
      }
      assert.deepEqual(await unsupportedObjects(c), []);
    });
  });

  it("prepare copies the schema and the rows while the application writes, and gives green's app role blue's password", async () => {
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await onBlueApp((c) => c.query("INSERT INTO orders (item, amount) VALUES ('live', 1)"));
        written++;
      }
    })();
    try {
      outs = (await awsUpgradeProvider.create!(inputs)).outs;
    } finally {
      writing = false;
      await writer;
    }
    assert.ok(written > 0, "the application wrote during prepare");
    assert.deepEqual([outs.appliedPhase, outs.activeSide, outs.status], ["prepare", "blue", "IN_PROGRESS"]);
    assert.deepEqual(log().map((e) => e.step), ["started", "replica_identity_full", "app_role_ready", "schema_copied", "publication_created", "subscription_created", "initial_copy_done", "caught_up"]);
    assert.equal(log()[3].detail, "3 tables, 18 statements from blue's catalogue");
    // Blue's app login works on green (same password), and green has blue's indexes and constraints.
    const facts = await onGreenApp(async (c) => (await c.query("SELECT current_setting('server_version_num')::int / 10000 AS major, (SELECT count(*)::int FROM pg_indexes WHERE schemaname = 'public') AS indexes, (SELECT count(*)::int FROM pg_constraint WHERE connamespace = 'public'::regnamespace) AS constraints")).rows[0]);
    assert.deepEqual(facts, { major: 16, indexes: 4, constraints: 5 });
  });

  it("a cut-over that cannot catch up in time is called off and blue takes writes again", async () => {
    const sub = replicationNames(plan.id).subscription;
    await withClient({ ...admin(green), database: green.database }, (c) => c.query(`ALTER SUBSCRIPTION ${sub} DISABLE`));
    await onBlueApp((c) => c.query("INSERT INTO orders (item) VALUES ('while green is stopped')"));
    assert.deepEqual(awsUpgradeProvider.diff ? (await awsUpgradeProvider.diff(plan.id, outs, { ...inputs, phase: "cutover" })).changes : undefined, true);
    await assert.rejects(awsUpgradeProvider.update!(plan.id, outs, { ...inputs, phase: "cutover", maxWritePauseSeconds: 1 }), (err: Error) => {
      assert.match(err.message, /^the switch from blue to green was called off: green did not confirm blue's WAL position [0-9A-F]+\/[0-9A-F]+ in time \(`maxWritePauseSeconds` is 1\); blue keeps serving and takes writes again, replication goes on; run `pulumi up` again at a quieter time, or raise `maxWritePauseSeconds`$/);
      return true;
    });
    await onBlueApp((c) => c.query("INSERT INTO orders (item) VALUES ('after the call-off')"));
    await withClient({ ...admin(green), database: green.database }, (c) => c.query(`ALTER SUBSCRIPTION ${sub} ENABLE`));
  });

  it("cutover: blue read-only, green holds the same rows and sequences and takes writes", async () => {
    outs = (await awsUpgradeProvider.update!(plan.id, outs, { ...inputs, phase: "cutover" })).outs;
    assert.deepEqual([outs.appliedPhase, outs.activeSide, outs.status], ["cutover", "green", "IN_PROGRESS"]);
    // Without a catalogue, the called-off run's log lives only in its error: the state kept is the prepare's.
    assert.deepEqual(log().map((e) => e.step).slice(7), ["caught_up", "cutover", "reverse_replication_started"]);
    assert.ok(outs.lastSwitch.pauseMs < 5000 && outs.lastSwitch.sequences === 3, JSON.stringify(outs.lastSwitch));
    await assert.rejects(onBlueApp((c) => c.query("INSERT INTO orders (item) VALUES ('x')")), /cannot execute INSERT in a read-only transaction/);
    assert.deepEqual(await prints(green), await prints(blue));
    const sums = async (pg: TlsTestPostgres) => withClient({ ...admin(pg), database: pg.database }, async (c) => (await c.query("SELECT count(*)::int AS n, sum(amount)::text AS s FROM orders")).rows[0]);
    assert.deepEqual(await sums(green), await sums(blue));
    const blueMax = await withClient({ ...admin(blue), database: blue.database }, async (c) => (await c.query("SELECT max(id)::int AS o, (SELECT max(id) FROM lines)::int AS l FROM orders")).rows[0]);
    const ids = await onGreenApp(async (c) => {
      const o = (await c.query("INSERT INTO orders (item, code) VALUES ('on green', 'g1') RETURNING id")).rows[0].id;
      const l = (await c.query("INSERT INTO lines (order_id, qty) VALUES ($1, 1) RETURNING id", [o])).rows[0].id;
      const inv = (await c.query("SELECT nextval('invoice_no') AS v")).rows[0].v;
      return { o: Number(o), l: Number(l), inv: Number(inv) };
    });
    assert.deepEqual(ids, { o: blueMax.o + 1, l: blueMax.l + 1, inv: 1002 });
  });

  it("rollback carries green's writes back to blue, which takes writes again; finalize leaves no replication object", async () => {
    await onGreenApp((c) => c.query("INSERT INTO orders (item) VALUES ('second on green')"));
    outs = (await awsUpgradeProvider.update!(plan.id, outs, { ...inputs, phase: "rollback" })).outs;
    assert.deepEqual([outs.appliedPhase, outs.activeSide, outs.status], ["rollback", "blue", "ROLLED_BACK"]);
    const onBlue = await onBlueApp(async (c) => (await c.query("SELECT item FROM orders WHERE item IN ('on green', 'second on green') ORDER BY id")).rows.map((r: any) => r.item));
    assert.deepEqual(onBlue, ["on green", "second on green"]);
    assert.deepEqual(await prints(blue), await prints(green));
    await onBlueApp((c) => c.query("INSERT INTO orders (item) VALUES ('blue again')"));
    await assert.rejects(onGreenApp((c) => c.query("INSERT INTO orders (item) VALUES ('x')")), /read-only transaction/);
    await finalizeAws(plan, []);
    for (const pg of [blue, green]) {
      const left = await withClient({ ...admin(pg), database: pg.database }, async (c) =>
        (await c.query("SELECT (SELECT count(*) FROM pg_publication)::int + (SELECT count(*) FROM pg_subscription)::int + (SELECT count(*) FROM pg_replication_slots)::int AS n")).rows[0].n,
      );
      assert.equal(left, 0);
    }
  });
});
