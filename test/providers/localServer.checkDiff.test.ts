/**
 * The local server provider's check and diff, which decide before anything runs: the changes that
 * are refused (exact reasons), the unknown preview values that are skipped, what replaces the
 * server and what spelling of a setting is no change at all. No server is needed.
 */
import assert from "assert";
import { LOCAL_SERVER_REPLACES, LocalServerInputs, localServerProvider as provider } from "../../components/providers/localServer";
import { UNKNOWN } from "../harness/providerHost";
import { serverInputs } from "./support";

const ROOT = "/var/lib/pgplatform-test-never-created";

describe("localServerProvider check and diff", () => {
  const olds = serverInputs(ROOT, { resourceId: "orders", version: "16", storageGb: 20 });
  const check = (news: Partial<LocalServerInputs>, from: object = olds) => provider.check!(from, { ...olds, ...news });

  describe("check", () => {
    it("passes a first create (olds {}) and returns the inputs unchanged", async () => {
      const news = serverInputs(ROOT, { version: "13", storageGb: 1 });
      assert.deepStrictEqual(await provider.check!({}, news), { inputs: news, failures: [] });
    });

    it("passes a change that is allowed in place (storage grows, passwords and parameters change)", async () => {
      const news = { storageGb: 50, password: "new-password", parameters: { work_mem: "64MB" } };
      assert.deepStrictEqual((await check(news)).failures, []);
    });

    const refused: [string, Partial<LocalServerInputs>, { property: string; reason: string }[]][] = [
      [
        "a storage shrink",
        { storageGb: 10 },
        [{ property: "storageGb", reason: "`storage.sizeGb` cannot shrink from 20 (storage only grows; move the data to a new db_resource to shrink); got 10" }],
      ],
      [
        "a major downgrade",
        { version: "15" },
        [{ property: "version", reason: "`version` cannot go down from `16` (a major downgrade needs a dump and restore into a new db_resource); got `15`" }],
      ],
      [
        "a kind change",
        { resourceKind: "pg_cluster" },
        [{ property: "resourceKind", reason: "`kind` cannot change in place from `pg_single` to `pg_cluster`; migrate to a new db_resource with BlueGreenUpgrade instead; got `pg_cluster`" }],
      ],
      [
        "an in-place major upgrade",
        { version: "17" },
        [
          {
            property: "version",
            reason:
              "`version` cannot change in place from `16` to `17` on the local back end (the embedded server packages ship no pg_upgrade); upgrade with BlueGreenUpgrade instead",
          },
        ],
      ],
      [
        "a shrink and a downgrade at once (every problem listed)",
        { storageGb: 5, version: "15" },
        [
          { property: "storageGb", reason: "`storage.sizeGb` cannot shrink from 20 (storage only grows; move the data to a new db_resource to shrink); got 5" },
          { property: "version", reason: "`version` cannot go down from `16` (a major downgrade needs a dump and restore into a new db_resource); got `15`" },
        ],
      ],
    ];
    for (const [what, news, failures] of refused) {
      it(`refuses ${what}`, async () => {
        const r = await check(news);
        assert.deepStrictEqual(r.failures, failures);
        assert.deepStrictEqual(r.inputs, { ...olds, ...news });
      });
    }

    for (const field of ["version", "storageGb", "resourceKind"] as const) {
      it(`skips an unknown \`${field}\` during preview`, async () => {
        assert.deepStrictEqual((await check({ [field]: UNKNOWN })).failures, []);
      });
    }

    it("still judges the known values when another one is unknown", async () => {
      const r = await check({ version: UNKNOWN, resourceKind: UNKNOWN, storageGb: 10 });
      assert.deepStrictEqual(r.failures?.map((f) => f.property), ["storageGb"]);
    });
  });

  describe("diff", () => {
    /** Outputs of a running server created from `olds`. */
    const outs = { ...olds, port: 54321, host: "127.0.0.1", running: true, status: "RUNNING", drift: [], parameters: { ...olds.parameters } };
    const diff = (news: Partial<LocalServerInputs>, from: object = outs) => provider.diff!("orders", from, { ...olds, ...news });
    const SOME = { changes: true, replaces: [], deleteBeforeReplace: false };
    const NONE = { changes: false, replaces: [], deleteBeforeReplace: false };

    it("sees no change for the same inputs, nor for an unset port against the port the server got", async () => {
      assert.deepStrictEqual(await diff({}), NONE);
      assert.deepStrictEqual(await diff({ port: undefined }), NONE);
    });

    for (const key of LOCAL_SERVER_REPLACES) {
      it(`replaces the server when \`${key}\` changes, and only then`, async () => {
        assert.deepStrictEqual(await diff({ [key]: "other" }), { changes: true, replaces: [key], deleteBeforeReplace: false });
        assert.deepStrictEqual(await diff({ [key]: UNKNOWN }), NONE, "an unknown value is no change yet");
      });
    }

    it("lists exactly resourceId, dataRoot and superuser as its replaces", async () => {
      assert.deepStrictEqual([...LOCAL_SERVER_REPLACES], ["resourceId", "dataRoot", "superuser"]);
      const all = await diff({ resourceId: "other", dataRoot: "/elsewhere", superuser: "admin", password: "p", port: 1 });
      assert.deepStrictEqual(all, { changes: true, replaces: ["resourceId", "dataRoot", "superuser"], deleteBeforeReplace: false });
    });

    it("sees no change when a setting is only spelled differently", async () => {
      const from = { ...outs, parameters: { statement_timeout: "1s", shared_buffers: "1GB", jit: "off", TimeZone: "UTC", idle_session_timeout: "10min" } };
      const news = { parameters: { statement_timeout: "1000ms", shared_buffers: "1024MB", jit: "false", TimeZone: "utc", idle_session_timeout: "600s" } };
      assert.deepStrictEqual(await diff(news, from), NONE);
    });

    const updates: [string, Partial<LocalServerInputs>][] = [
      ["port", { port: 54322 }],
      ["allowedCidrs", { allowedCidrs: ["127.0.0.1/32", "10.0.0.0/8"] }],
      ["allowedCidrs emptied", { allowedCidrs: [] }],
      ["password", { password: "another" }],
      ["superuserPassword", { superuserPassword: "another" }],
      ["databaseName", { databaseName: "shop" }],
      ["username", { username: "shopper" }],
      ["storageGb", { storageGb: 30 }],
      ["a parameter's value", { parameters: { ...olds.parameters, work_mem: "8MB" } }],
      ["a parameter added", { parameters: { ...olds.parameters, jit: "off" } }],
      ["a parameter removed", { parameters: { max_connections: "40" } }],
    ];
    for (const [what, news] of updates) {
      it(`updates in place for ${what}`, async () => {
        assert.deepStrictEqual(await diff(news), SOME);
      });
    }

    it("updates in place when read found the server stopped or its objects drifted", async () => {
      assert.deepStrictEqual(await diff({}, { ...outs, running: false, status: "FAILED", drift: ["server stopped"] }), SOME);
      assert.deepStrictEqual(await diff({}, { ...outs, drift: ["role app"] }), SOME);
    });

    it("skips unknown values of updatable inputs", async () => {
      assert.deepStrictEqual(await diff({ port: UNKNOWN as any, password: UNKNOWN, allowedCidrs: UNKNOWN as any, parameters: UNKNOWN as any }), NONE);
    });
  });
});
