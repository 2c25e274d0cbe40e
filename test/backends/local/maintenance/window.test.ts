import * as assert from "assert";
import { TEST_NOW_ENV, inWindow, maintenanceNow } from "../../../../components/backends/local/maintenance/window";

// 2026-11-28 is a Saturday, 2026-11-29 a Sunday, 2026-11-30 a Monday.
const CASES: [string, string, boolean][] = [
  // a window inside one day; start included, end excluded
  ["sun:04:00-sun:05:00", "2026-11-29T03:59:59.999Z", false],
  ["sun:04:00-sun:05:00", "2026-11-29T04:00:00.000Z", true],
  ["sun:04:00-sun:05:00", "2026-11-29T04:30:00.000Z", true],
  ["sun:04:00-sun:05:00", "2026-11-29T04:59:59.999Z", true],
  ["sun:04:00-sun:05:00", "2026-11-29T05:00:00.000Z", false],
  ["sun:04:00-sun:05:00", "2026-11-30T04:30:00.000Z", false],
  ["sun:04:00-sun:05:00", "2026-12-06T04:30:00.000Z", true],
  // crossing midnight
  ["mon:23:00-tue:01:00", "2026-11-30T22:59:00.000Z", false],
  ["mon:23:00-tue:01:00", "2026-11-30T23:30:00.000Z", true],
  ["mon:23:00-tue:01:00", "2026-12-01T00:30:00.000Z", true],
  ["mon:23:00-tue:01:00", "2026-12-01T01:00:00.000Z", false],
  // Sunday night into Monday
  ["sun:23:00-mon:01:00", "2026-11-29T22:59:59.999Z", false],
  ["sun:23:00-mon:01:00", "2026-11-29T23:00:00.000Z", true],
  ["sun:23:00-mon:01:00", "2026-11-30T00:59:59.999Z", true],
  ["sun:23:00-mon:01:00", "2026-11-30T01:00:00.000Z", false],
  ["sun:23:00-mon:01:00", "2026-11-28T23:30:00.000Z", false],
  // crossing the end of the week (Saturday into Sunday)
  ["sat:23:00-sun:01:00", "2026-11-28T23:00:00.000Z", true],
  ["sat:23:00-sun:01:00", "2026-11-29T00:30:00.000Z", true],
  ["sat:23:00-sun:01:00", "2026-11-29T01:00:00.000Z", false],
  ["sat:23:00-sun:01:00", "2026-11-28T22:00:00.000Z", false],
  ["sat:23:00-sun:01:00", "2026-11-30T00:30:00.000Z", false],
  // a window longer than a day, across the week's end
  ["fri:22:00-mon:02:00", "2026-11-29T12:00:00.000Z", true],
  ["fri:22:00-mon:02:00", "2026-11-30T02:00:00.000Z", false],
  ["fri:22:00-mon:02:00", "2026-11-26T12:00:00.000Z", false],
  // end equal to start: empty
  ["wed:10:00-wed:10:00", "2026-11-25T10:00:00.000Z", false],
];

describe("local maintenance window: inWindow", () => {
  for (const [window, at, expected] of CASES) {
    it(`${window} at ${at} → ${expected}`, () => {
      assert.strictEqual(inWindow(window, new Date(at)), expected);
    });
  }

  it("refuses a malformed window, naming the field and the value", () => {
    const msg = "`lifecycle.maintenanceWindow` must look like `sun:04:00-sun:05:00` (lower-case day, 24-hour UTC time); got ";
    assert.throws(() => inWindow("sunday 4am", new Date()), { message: msg + '"sunday 4am"' });
    assert.throws(() => inWindow("sun:25:00-sun:26:00", new Date()), { message: msg + '"sun:25:00-sun:26:00"' });
  });

  it(`${TEST_NOW_ENV} replaces the clock only when set, and must be a time`, () => {
    const saved = process.env[TEST_NOW_ENV];
    try {
      delete process.env[TEST_NOW_ENV];
      assert.ok(Math.abs(maintenanceNow().getTime() - Date.now()) < 1000);
      process.env[TEST_NOW_ENV] = "2026-11-29T04:30:00Z";
      assert.strictEqual(maintenanceNow().toISOString(), "2026-11-29T04:30:00.000Z");
      process.env[TEST_NOW_ENV] = "soon";
      assert.throws(() => maintenanceNow(), { message: `${TEST_NOW_ENV} must be an ISO time such as 2026-11-29T04:30:00Z; got "soon"` });
    } finally {
      if (saved === undefined) delete process.env[TEST_NOW_ENV];
      else process.env[TEST_NOW_ENV] = saved;
    }
  });
});
