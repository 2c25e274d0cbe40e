/**
 * The pure parts of the tenant quota: `evaluateQuota` as a table of usage and exact state, and
 * `check` as a table of bad inputs and the exact failure (unknown preview values are skipped).
 * No server needed.
 */
import assert from "assert";
import { KINDS, UNKNOWN } from "../../../components/providers/values";
import { QuotaAction, evaluateQuota, tenantQuotaProvider, tenantQuotaId } from "../../../components/providers/sql/tenantQuota";

const GOOD = {
  kind: KINDS.tenantQuota,
  admin: { host: "127.0.0.1", port: 5432, user: "postgres", password: "s3cret-Pw", database: "postgres" },
  scope: { type: "database", name: "tenant_a" },
  role: "tenant_a",
  maxStorageBytes: 1_000_000,
  warnAtPercent: 80,
  onLimit: "lock",
};

describe("evaluateQuota", () => {
  const rows: [usage: number, max: number, warn: number, onLimit: QuotaAction, state: string, percent: number, lock: boolean][] = [
    [0, 1000, 80, "lock", "ok", 0, false],
    [799, 1000, 80, "lock", "ok", 79.9, false],
    [800, 1000, 80, "lock", "warning", 80, false],
    [999, 1000, 80, "warn", "warning", 99.9, false],
    [1000, 1000, 80, "warn", "over", 100, false],
    [1000, 1000, 80, "lock", "locked", 100, true],
    [2500, 1000, 80, "lock", "locked", 250, true],
    [999, 1000, 100, "lock", "ok", 99.9, false],
    [1, 3, 34, "warn", "ok", 33.33, false],
    [1, 3, 33, "warn", "warning", 33.33, false],
    // 79.9999%: below the threshold even though it rounds to 80.
    [7_999_999, 10_000_000, 80, "lock", "ok", 80, false],
  ];
  for (const [usage, max, warn, onLimit, state, usagePercent, lock] of rows) {
    it(`${usage} of ${max} bytes, warn at ${warn}%, ${onLimit} → ${state}`, () => {
      assert.deepStrictEqual(evaluateQuota(usage, max, warn, onLimit), { state, usagePercent, lock });
    });
  }
});

describe("TenantQuota check", () => {
  const check = async (news: object) => (await tenantQuotaProvider.check!({}, news)).failures ?? [];

  it("passes good inputs through unchanged, for a database and a schema scope", async () => {
    assert.deepStrictEqual(await tenantQuotaProvider.check!({}, GOOD), { inputs: GOOD, failures: [] });
    assert.deepStrictEqual(await check({ ...GOOD, scope: { type: "schema", database: "app", name: "tenant_a" }, onLimit: "warn", warnAtPercent: 100 }), []);
  });

  it("skips values that are unknown during preview", async () => {
    const preview = { ...GOOD, admin: UNKNOWN, scope: { type: "schema", database: UNKNOWN, name: UNKNOWN }, role: UNKNOWN, maxStorageBytes: UNKNOWN, warnAtPercent: UNKNOWN, onLimit: UNKNOWN };
    assert.deepStrictEqual(await check(preview), []);
    assert.deepStrictEqual(await check({ ...GOOD, admin: { ...GOOD.admin, password: UNKNOWN, port: UNKNOWN } }), []);
  });

  const bad: [what: string, patch: object, failures: { property: string; reason: string }[]][] = [
    ["a zero limit", { maxStorageBytes: 0 }, [{ property: "maxStorageBytes", reason: "`maxStorageBytes` must be a number of bytes greater than 0; got 0" }]],
    ["a limit as text", { maxStorageBytes: "10GB" }, [{ property: "maxStorageBytes", reason: '`maxStorageBytes` must be a number of bytes greater than 0; got "10GB"' }]],
    ["a warn threshold of 0", { warnAtPercent: 0 }, [{ property: "warnAtPercent", reason: "`warnAtPercent` must be an integer from 1 to 100; got 0" }]],
    ["a warn threshold of 100.5", { warnAtPercent: 100.5 }, [{ property: "warnAtPercent", reason: "`warnAtPercent` must be an integer from 1 to 100; got 100.5" }]],
    ["an unknown action", { onLimit: "drop" }, [{ property: "onLimit", reason: '`onLimit` must be `warn` or `lock`; got "drop"' }]],
    ["an unknown scope type", { scope: { type: "table", name: "x" } }, [{ property: "scope.type", reason: '`scope.type` must be `database` or `schema`; got "table"' }]],
    ["a schema scope without its database", { scope: { type: "schema", name: "t" } }, [{ property: "scope.database", reason: "`scope.database` must be the name of the database that holds the schema; got nothing" }]],
    ["an empty role", { role: "" }, [{ property: "role", reason: '`role` must be the name of the tenant\'s login role; got ""' }]],
    ["a role name PostgreSQL would cut", { role: "r".repeat(64) }, [{ property: "role", reason: `\`role\` must be at most 63 bytes long (PostgreSQL would cut it); got "${"r".repeat(64)}"` }]],
    ["a wrong kind", { kind: "pgplatform:sql:role" }, [{ property: "kind", reason: '`kind` must be `pgplatform:sql:tenant-quota`; got "pgplatform:sql:role"' }]],
    ["a port out of range", { admin: { ...GOOD.admin, port: 70000 } }, [{ property: "admin.port", reason: "`admin.port` must be an integer from 1 to 65535; got 70000" }]],
    ["no admin", { admin: undefined }, [{ property: "admin", reason: "`admin` must be a connection { host, port, user, password, database? }; got nothing" }]],
  ];
  for (const [what, patch, failures] of bad) {
    it(`refuses ${what}`, async () => {
      assert.deepStrictEqual(await check({ ...GOOD, ...patch }), failures);
    });
  }

  it("never shows the admin password, and lists every problem at once", async () => {
    const failures = await check({ ...GOOD, admin: { ...GOOD.admin, password: 42 }, maxStorageBytes: -1, onLimit: undefined });
    assert.deepStrictEqual(failures.map((f) => f.property), ["admin.password", "maxStorageBytes", "onLimit"]);
    assert.strictEqual(failures[0].reason, "`admin.password` must be a non-empty string");
  });

  it("gives each quota a deterministic id from its role and scope", () => {
    assert.strictEqual(tenantQuotaId("t1", { type: "database", name: "t1" }), "storage-quota:t1:database:t1");
    assert.strictEqual(tenantQuotaId("t1", { type: "schema", database: "app", name: "t1" }), "storage-quota:t1:schema:app.t1");
  });
});
