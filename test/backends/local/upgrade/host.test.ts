/**
 * The upgrade provider as `pulumi up` runs it: serialized into the program and driven over gRPC
 * through the SDK's own dynamic-provider host. Check refuses a phase move that is not allowed,
 * with the exact message, and accepts preview values it cannot know yet.
 */
import assert from "assert";
import { LOCAL_UPGRADE_KIND, localUpgradeProvider } from "../../../../components/providers/localUpgrade";
import { ProviderHost, UNKNOWN, makeUrn, serializeProvider } from "../../../harness/providerHost";

const TYPE = "pulumi-nodejs:dynamic/pgplatform:LocalUpgrade";

describe("localUpgradeProvider through the SDK's dynamic-provider host", () => {
  let host: ProviderHost;
  let providerText: string;

  before(async () => {
    providerText = await serializeProvider(localUpgradeProvider);
    host = await ProviderHost.start();
  });

  after(async () => {
    await host?.stop();
  });

  it("serializes without the validation library, requiring pg inside its methods", () => {
    assert.doesNotMatch(providerText, /zod/);
    assert.match(providerText, /require\("pg"\)/);
  });

  it("refuses finalize before a cut-over and leaving finalize; accepts unknown preview values", async () => {
    const urn = makeUrn(TYPE, "orders-16-upgrade");
    const news = { kind: LOCAL_UPGRADE_KIND, upgradeId: "u1", phase: "finalize", maxWritePauseSeconds: 30, tablesWithoutPrimaryKey: "refuse", __provider: providerText };
    const early = await host.check(urn, { appliedPhase: "prepare", __provider: providerText }, news);
    assert.deepStrictEqual(early.failures, [
      { property: "phase", reason: '`phase` `finalize` needs a cut-over first (the upgrade is at `prepare`: set `phase: "cutover"` and run `pulumi up`); got "finalize"' },
    ]);
    const final = await host.check(urn, { appliedPhase: "finalize", __provider: providerText }, { ...news, phase: "rollback" });
    assert.deepStrictEqual(final.failures, [{ property: "phase", reason: '`phase` cannot leave `finalize`: the upgrade is final (green serves, blue is retired); got "rollback"' }]);
    const preview = await host.check(urn, {}, { ...news, phase: UNKNOWN, maxWritePauseSeconds: UNKNOWN });
    assert.deepStrictEqual(preview.failures, []);
  });
});
