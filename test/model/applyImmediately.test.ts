/**
 * `lifecycle.applyImmediately`: absent unless given (the local back end reads it as false), kept
 * when given, and a non-boolean is refused naming the field.
 */
import assert from "assert";
import { parsePgSingleArgs } from "../../components/model";
import { ValidationError } from "../../components/model/errors";

const minimal = { projectId: "shop", environmentId: "dev", plan: "dev_single" };

describe("lifecycle.applyImmediately", () => {
  it("is absent from the spec when not given (@default false)", () => {
    const spec = parsePgSingleArgs("orders", minimal);
    assert.strictEqual("applyImmediately" in spec.lifecycle, false);
    assert.strictEqual(spec.lifecycle.applyImmediately ?? false, false);
  });

  it("is kept when given, next to the maintenance window", () => {
    const spec = parsePgSingleArgs("orders", { ...minimal, lifecycle: { applyImmediately: true, maintenanceWindow: "sat:23:00-sun:01:00" } });
    assert.deepStrictEqual([spec.lifecycle.applyImmediately, spec.lifecycle.maintenanceWindow], [true, "sat:23:00-sun:01:00"]);
    assert.strictEqual(parsePgSingleArgs("orders", { ...minimal, lifecycle: { applyImmediately: false } }).lifecycle.applyImmediately, false);
  });

  it("refuses a value that is not a boolean, naming the field", () => {
    assert.throws(() => parsePgSingleArgs("orders", { ...minimal, lifecycle: { applyImmediately: "yes" } } as any), {
      name: ValidationError.name,
      message: 'Invalid args for PgSingle "orders": 1 problem:\n  - `lifecycle.applyImmediately` must be `true` or `false`; got "yes"',
    });
  });
});
