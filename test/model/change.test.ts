/**
 * validateChange: the changes that are never allowed in place, with their exact messages.
 */
import assert from "assert";
import { ChangeView, ValidationError, changeProblems, validateChange } from "../../components/model";

const old: ChangeView = { kind: "pg_single", version: "16", storageGb: 50 };

/** The message validateChange throws for `next`, or undefined when it allows it. */
function messageOf(next: ChangeView, subject?: string): string | undefined {
  try {
    validateChange(old, next, subject);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof ValidationError);
    return err.message;
  }
}

describe("validateChange", () => {
  it("allows growing storage, upgrading the major, and no change at all", () => {
    assert.strictEqual(messageOf({ ...old, storageGb: 100 }), undefined);
    assert.strictEqual(messageOf({ ...old, version: "17" }), undefined);
    assert.strictEqual(messageOf({ ...old, version: "18", storageGb: 51 }), undefined);
    assert.strictEqual(messageOf(old), undefined);
    assert.deepStrictEqual(changeProblems(old, { ...old }), []);
  });

  it("rejects a storage shrink", () => {
    assert.strictEqual(
      messageOf({ ...old, storageGb: 20 }),
      [
        "Change not allowed: 1 problem:",
        "  - `storage.sizeGb` cannot shrink from 50 (storage only grows; move the data to a new db_resource to shrink); got 20",
      ].join("\n"),
    );
  });

  it("rejects a major downgrade", () => {
    assert.strictEqual(
      messageOf({ ...old, version: "15" }),
      [
        "Change not allowed: 1 problem:",
        "  - `version` cannot go down from `16` (a major downgrade needs a dump and restore into a new db_resource); got `15`",
      ].join("\n"),
    );
  });

  it("rejects a kind change", () => {
    assert.strictEqual(
      messageOf({ ...old, kind: "pg_cluster" }),
      [
        "Change not allowed: 1 problem:",
        "  - `kind` cannot change in place from `pg_single` to `pg_cluster`; migrate to a new db_resource with BlueGreenUpgrade instead; got `pg_cluster`",
      ].join("\n"),
    );
  });

  it("lists every problem at once, under the caller's subject", () => {
    assert.strictEqual(
      messageOf({ kind: "pg_cluster", version: "15", storageGb: 10 }, 'Cannot update PgSingle "orders"'),
      [
        'Cannot update PgSingle "orders": 3 problems:',
        "  - `kind` cannot change in place from `pg_single` to `pg_cluster`; migrate to a new db_resource with BlueGreenUpgrade instead; got `pg_cluster`",
        "  - `storage.sizeGb` cannot shrink from 50 (storage only grows; move the data to a new db_resource to shrink); got 10",
        "  - `version` cannot go down from `16` (a major downgrade needs a dump and restore into a new db_resource); got `15`",
      ].join("\n"),
    );
    assert.deepStrictEqual(
      changeProblems(old, { kind: "pg_cluster", version: "15", storageGb: 10 }).map((p) => p.path),
      ["kind", "storage.sizeGb", "version"],
    );
  });

  it("compares majors as numbers, not text", () => {
    assert.strictEqual(messageOf({ ...old, version: "9" })?.includes("cannot go down from `16`"), true);
    assert.strictEqual(validateChange({ ...old, version: "9" }, { ...old, version: "16" }), undefined);
  });
});
