/**
 * The change guard provider, called directly, against a real PostgreSQL 15 catalogue: what check
 * refuses (shrink, downgrade, kind change) with the exact message, and the scale events an update
 * leaves in the catalogue (IN_PROGRESS, then DONE by the marker, or FAILED when a later update starts).
 */
import assert from "assert";
import { upsertRecord, withCatalog } from "../../components/catalog/store";
import { CHANGE_GUARD_KIND, ChangeGuardInputs, changeGuardProvider as provider } from "../../components/providers/changeGuard";
import { SqlConnection } from "../../components/providers/sql/connection";
import { UNKNOWN } from "../../components/providers/values";
import { dbResourceData, sql, useFreshDatabases } from "../catalog/support";

const p = provider as Required<typeof provider>;
const ID = "shop-prod-main-4e5f6a7b";

describe("changeGuardProvider", () => {
  const fresh = useFreshDatabases();
  let db: SqlConnection;

  beforeEach(async () => {
    db = fresh.db;
    await withCatalog(db, (c) => upsertRecord(c, "db_resource", ID, dbResourceData({ kind: "pg_cluster", plan: "prod_ha" })));
  });

  const guard = (size: Record<string, string | number>, over: Partial<ChangeGuardInputs> = {}): ChangeGuardInputs => ({
    kind: CHANGE_GUARD_KIND,
    phase: "before",
    resourceId: ID,
    resourceKind: "pg_cluster",
    version: "17",
    size,
    catalog: { connection: db },
    ...over,
  });
  const events = () => sql(db, "SELECT id, dimension, from_value, to_value, status, finished_at IS NOT NULL AS finished, detail FROM pgplatform_catalog.scale_events ORDER BY dimension");

  it("refuses a storage shrink, a major downgrade and a kind change, naming each field", async () => {
    const olds = guard({ storageGb: 200, compute: "db.r6g.large" });
    const news = guard({ storageGb: 100, compute: "db.r6g.large" }, { version: "16", resourceKind: "pg_single" });
    const { failures } = await p.check(olds, news);
    assert.deepStrictEqual(failures, [
      { property: "resourceKind", reason: `db_resource \`${ID}\`: \`kind\` cannot change in place from \`pg_cluster\` to \`pg_single\`; migrate to a new db_resource with BlueGreenUpgrade instead; got \`pg_single\`` },
      { property: "size.storageGb", reason: `db_resource \`${ID}\`: \`storage.sizeGb\` cannot shrink from 200 (storage only grows; move the data to a new db_resource to shrink); got 100` },
      { property: "version", reason: `db_resource \`${ID}\`: \`version\` cannot go down from \`17\` (a major downgrade needs a dump and restore into a new db_resource); got \`16\`` },
    ]);
  });

  it("on aws, refuses storage growth under 10% and a changed RDS identifier", async () => {
    const aws = (storageGb: number, identifier: string) => guard({ storageGb }, { backend: "aws", identifier });
    const { failures } = await p.check(aws(100, "shop-prod-main"), aws(105, "shop-prod-main-2"));
    assert.deepStrictEqual(failures, [
      { property: "size.storageGb", reason: `db_resource \`${ID}\`: \`storage.sizeGb\` must grow by at least 10% at a time on the \`aws\` back end (RDS refuses smaller increases): from 100 at least 110; got 105` },
      { property: "identifier", reason: `db_resource \`${ID}\`: \`aws.identifier\` cannot change from "shop-prod-main" (RDS would replace the database with a new, empty one); keep it, or restore into a new db_resource; got "shop-prod-main-2"` },
    ]);
    assert.deepStrictEqual((await p.check(aws(100, "shop-prod-main"), aws(110, "shop-prod-main"))).failures, []);
    assert.deepStrictEqual((await p.check(guard({ storageGb: 100 }, { backend: "local" }), guard({ storageGb: 105 }, { backend: "local" }))).failures, [], "10% is an RDS rule only");
  });

  it("accepts growth, a first create, and values unknown at preview", async () => {
    assert.deepStrictEqual((await p.check(guard({ storageGb: 100 }), guard({ storageGb: 150 }))).failures, []);
    assert.deepStrictEqual((await p.check({}, guard({ storageGb: 100 }))).failures, []);
    assert.deepStrictEqual((await p.check(guard({ storageGb: 100 }), guard(UNKNOWN as any))).failures, []);
  });

  it("records one IN_PROGRESS scale event per changed dimension; the marker makes them DONE", async () => {
    const created = await p.create(guard({ storageGb: 100, compute: "db.r6g.large", standbys: 2 }));
    assert.deepStrictEqual(created.outs.events, []);
    assert.deepStrictEqual(await events(), [], "a create is no scale event");
    const updated = await p.update(created.id, created.outs, guard({ storageGb: 150, compute: "db.r6g.xlarge", standbys: 2 }));
    const ids: string[] = updated.outs.events;
    assert.strictEqual(ids.length, 2);
    assert.deepStrictEqual(
      (await events()).map((e) => [e.dimension, e.from_value, e.to_value, e.status, e.finished]),
      [
        ["compute", "db.r6g.large", "db.r6g.xlarge", "IN_PROGRESS", false],
        ["storageGb", 100, 150, "IN_PROGRESS", false],
      ],
    );
    await p.create({ ...guard({ storageGb: 150 }), phase: "after", pending: ids });
    assert.deepStrictEqual((await events()).map((e) => [e.dimension, e.status, e.finished]), [
      ["compute", "DONE", true],
      ["storageGb", "DONE", true],
    ]);
  });

  it("marks events FAILED when the next update starts before they were marked done", async () => {
    const created = await p.create(guard({ storageGb: 100 }));
    const first = await p.update(created.id, created.outs, guard({ storageGb: 150 }));
    await p.update(created.id, first.outs, guard({ storageGb: 200 }));
    const rows = await events();
    assert.deepStrictEqual(
      rows.map((e) => [e.from_value, e.to_value, e.status, e.detail.error ?? null]),
      [
        [100, 150, "FAILED", "the change did not complete: a later update started before it was marked done"],
        [150, 200, "IN_PROGRESS", null],
      ],
    );
  });

  it("records nothing without a catalogue, and diff sees a size change as an update, a new resource id as a replace", async () => {
    const { catalog, ...noCatalog } = guard({ storageGb: 100 });
    const created = await p.create(noCatalog);
    const updated = await p.update(created.id, created.outs, { ...noCatalog, size: { storageGb: 120 } });
    assert.deepStrictEqual(updated.outs.events, []);
    assert.deepStrictEqual(await p.diff(created.id, created.outs, { ...noCatalog, size: { storageGb: 120 } }), { changes: true, replaces: [], deleteBeforeReplace: false });
    assert.deepStrictEqual(await p.diff(created.id, created.outs, noCatalog), { changes: false, replaces: [], deleteBeforeReplace: false });
    assert.deepStrictEqual((await p.diff(created.id, created.outs, { ...noCatalog, resourceId: "other" })).replaces, ["resourceId"]);
  });
});
