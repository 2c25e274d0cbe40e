/**
 * The aws upgrade provider as `pulumi up` runs it: serialized into the program and driven over gRPC
 * through the SDK's own dynamic-provider host. It serializes (pg required inside its methods, no
 * validation library), and check refuses a phase move that is not allowed and a bad write pause,
 * with the exact messages, and accepts preview values it cannot know yet.
 */
import assert from "assert";
import { AWS_UPGRADE_KIND, awsUpgradeProvider } from "../../../components/providers/awsUpgrade";
import { ProviderHost, UNKNOWN, makeUrn, serializeProvider } from "../../harness/providerHost";

const TYPE = "pulumi-nodejs:dynamic/pgplatform:AwsUpgrade";

describe("awsUpgradeProvider through the SDK's dynamic-provider host", () => {
  let host: ProviderHost;
  let providerText: string;

  before(async () => {
    providerText = await serializeProvider(awsUpgradeProvider);
    host = await ProviderHost.start();
  });
  after(async () => {
    await host?.stop();
  });

  it("serializes without the validation library, requiring pg inside its methods", () => {
    assert.doesNotMatch(providerText, /zod/);
    assert.match(providerText, /require\("pg"\)/);
  });

  it("refuses finalize before a cut-over, a write pause under 1 s and a wrong kind; accepts unknown preview values", async () => {
    const urn = makeUrn(TYPE, "to-17-upgrade");
    const news = { kind: AWS_UPGRADE_KIND, upgradeId: "u1", phase: "finalize", maxWritePauseSeconds: 30, tablesWithoutPrimaryKey: "refuse", __provider: providerText };
    const early = await host.check(urn, { appliedPhase: "prepare", __provider: providerText }, { ...news, maxWritePauseSeconds: 0, kind: "x" });
    assert.deepStrictEqual(early.failures, [
      { property: "kind", reason: '`kind` must be `pgplatform:aws:upgrade`; got "x"' },
      { property: "maxWritePauseSeconds", reason: "`maxWritePauseSeconds` must be a whole number of seconds of at least 1; got 0" },
      { property: "phase", reason: '`phase` `finalize` needs a cut-over first (the upgrade is at `prepare`: set `phase: "cutover"` and run `pulumi up`); got "finalize"' },
    ]);
    const preview = await host.check(urn, {}, { ...news, phase: UNKNOWN, maxWritePauseSeconds: UNKNOWN });
    assert.deepStrictEqual(preview.failures, []);
  });
});
