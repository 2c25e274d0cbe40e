/**
 * The LocalCluster provider's check and diff for the deletion inputs (`deletionPolicy`,
 * `softDeleteRetentionDays`), which decide before anything runs: exact reasons for bad values,
 * unknown preview values skipped, a change is an in-place update (never a replace). No process.
 */
import assert from "assert";
import { LOCAL_CLUSTER_KIND, localClusterProvider as provider } from "../../../../components/providers/localCluster";
import { UNKNOWN } from "../../../harness/providerHost";
import { clusterSpec } from "./support";

const ROOT = "/var/lib/pgplatform-test-never-created";

describe("localClusterProvider check and diff: deletionPolicy and softDeleteRetentionDays", () => {
  const olds: any = { kind: LOCAL_CLUSTER_KIND, resourceKind: "pg_cluster", storageGb: 10, ...clusterSpec(ROOT, { resourceId: "orders" }), deletionPolicy: "soft", softDeleteRetentionDays: 7 };
  const failures = async (news: object, from: object = olds) => (await provider.check!(from, { ...olds, ...news })).failures;

  it("passes hard or soft with 1 to 365 days, on a create and on an update, and skips unknown preview values", async () => {
    for (const news of [{}, { deletionPolicy: "hard" }, { softDeleteRetentionDays: 1 }, { softDeleteRetentionDays: 365 }, { deletionPolicy: UNKNOWN, softDeleteRetentionDays: UNKNOWN }]) {
      assert.deepStrictEqual(await failures(news), [], JSON.stringify(news));
      assert.deepStrictEqual(await failures(news, {}), [], `create ${JSON.stringify(news)}`);
    }
    const { deletionPolicy, softDeleteRetentionDays, ...without } = olds;
    assert.deepStrictEqual((await provider.check!({}, without)).failures, [], "both are optional (hard, 7 days)");
  });

  it("refuses any other policy and a retention that is not a whole number of days from 1 to 365, naming each input", async () => {
    assert.deepStrictEqual(await failures({ deletionPolicy: "archive", softDeleteRetentionDays: 0 }), [
      { property: "deletionPolicy", reason: '`deletionPolicy` must be `hard` or `soft`; got "archive"' },
      { property: "softDeleteRetentionDays", reason: "`softDeleteRetentionDays` must be a whole number of days from 1 to 365; got 0" },
    ]);
    for (const days of [2.5, 366, "7"]) {
      assert.deepStrictEqual(await failures({ softDeleteRetentionDays: days }), [
        { property: "softDeleteRetentionDays", reason: `\`softDeleteRetentionDays\` must be a whole number of days from 1 to 365; got ${JSON.stringify(days)}` },
      ]);
    }
  });

  it("diffs a changed policy or retention as an in-place update, and an unknown or equal value as no change", async () => {
    const diff = (news: object) => provider.diff!("orders", olds, { ...olds, ...news });
    const update = { changes: true, replaces: [], deleteBeforeReplace: false };
    const none = { changes: false, replaces: [], deleteBeforeReplace: false };
    assert.deepStrictEqual(await diff({ deletionPolicy: "hard" }), update);
    assert.deepStrictEqual(await diff({ softDeleteRetentionDays: 30 }), update);
    assert.deepStrictEqual(await diff({}), none);
    assert.deepStrictEqual(await diff({ deletionPolicy: UNKNOWN, softDeleteRetentionDays: UNKNOWN }), none);
    // A state from before these inputs: giving them records them (an update, nothing replaced).
    const { deletionPolicy, softDeleteRetentionDays, ...older } = olds;
    assert.deepStrictEqual(await provider.diff!("orders", older, olds), update);
  });
});
