/**
 * catalogTarget() under strict mocks: stack config decides local (the default), uri (a secret
 * connection) or off, and a bad URI fails with a message that names the key and never the password.
 * Also what `catalogInputOf` hands a CatalogRecord, and that CatalogRecord registers as expected.
 */
import assert from "assert";
import * as path from "path";
import { defaultDataRoot } from "../../components/backends/local";
import { catalogInputOf, catalogTarget, parseCatalogUri } from "../../components/catalog/target";
import { CatalogRecord } from "../../components/providers/catalogRecord";
import { StrictMocks, isSecretWrapped, setStrictMocks, unwrapSecrets } from "../harness/mocks";
import { details } from "../harness/outputs";
import { dbResourceData } from "./support";

const ROOT = path.resolve(__dirname, "..", "..");
const TYPE = "pulumi-nodejs:dynamic/pgplatform:CatalogRecord";
const EXPECTED = "expected `postgresql://user:password@host:port/database`; set it with `pulumi config set --secret pgplatform:catalogUri <uri>`";

describe("catalogTarget (strict mocks)", () => {
  let mocks: StrictMocks;
  const withConfig = (config: Record<string, string>, handlers = {}) => (mocks = setStrictMocks(handlers, { config }));
  afterEach(() => mocks?.assertNoUnexpected());

  it("defaults to the local catalogue under the local back end's data root, run as postgres", async () => {
    withConfig({});
    assert.deepStrictEqual(catalogTarget(), { mode: "local", dataRoot: defaultDataRoot(), runAs: "postgres" });
    withConfig({ "pgplatform:catalog": "local", "pgplatform:localDataRoot": "/srv/pg", "pgplatform:localRunAs": "pgrunner" });
    const target = catalogTarget();
    assert.deepStrictEqual(target, { mode: "local", dataRoot: "/srv/pg", runAs: "pgrunner" });
    assert.deepStrictEqual(await details(catalogInputOf(target)!), {
      value: { local: { dataRoot: "/srv/pg", runAs: "pgrunner", binarySearchPaths: [ROOT] } },
      isKnown: true,
      isSecret: true,
    });
  });

  it("is off when `pgplatform:catalog` is off, even with a URI set", () => {
    withConfig({ "pgplatform:catalog": "off", "pgplatform:catalogUri": "postgresql://cat:pw@db:5432/catalog" });
    assert.deepStrictEqual(catalogTarget(), { mode: "off" });
    assert.strictEqual(catalogInputOf({ mode: "off" }), undefined);
  });

  it("reads `pgplatform:catalogUri` into a secret connection", async () => {
    withConfig({ "pgplatform:catalogUri": "postgresql://cat%40ops:p%2Fw0rd@db.internal:6432/platform" });
    const target = catalogTarget();
    assert.strictEqual(target.mode, "uri");
    const connection = { host: "db.internal", port: 6432, user: "cat@ops", password: "p/w0rd", database: "platform" };
    assert.deepStrictEqual(await details((target as any).connection), { value: connection, isKnown: true, isSecret: true });
    assert.deepStrictEqual(await details(catalogInputOf(target)!), { value: { connection }, isKnown: true, isSecret: true });
    assert.deepStrictEqual(parseCatalogUri("postgres://cat:pw@[::1]/"), { host: "::1", port: 5432, user: "cat", password: "pw", database: "cat" });
  });

  it("refuses a malformed URI naming the key, never the password", () => {
    const cases: [string, string][] = [
      ["not a uri s3cr3t", "it does not parse as a URI"],
      ["mysql://cat:s3cr3t@db/catalog", "its scheme must be `postgresql` or `postgres`, got `mysql`"],
      ["postgresql://cat@db:5432/catalog", "it has no password (postgresql://cat:***@db:5432/catalog)"],
      ["postgresql://:s3cr3t@db/catalog", "it names no user (postgresql://?:***@db/catalog)"],
      ["postgresql://cat:s3cr3t@db/catalog?sslmode=require", "it has query parameters (`sslmode`), which the catalogue connection does not support yet (postgresql://cat:***@db/catalog)"],
      ["postgresql://cat:s3cr3t@db:99999/catalog", "it does not parse as a URI"],
    ];
    for (const [uri, what] of cases) {
      withConfig({ "pgplatform:catalogUri": uri });
      assert.throws(() => catalogTarget(), (err: Error) => {
        assert.strictEqual(err.message, `stack config \`pgplatform:catalogUri\` is not a usable PostgreSQL URI: ${what}; ${EXPECTED}`);
        assert.ok(!err.message.includes("s3cr3t") && !String(err.stack).includes("s3cr3t"));
        return true;
      });
    }
  });

  it("refuses an unknown mode, a uri mode without a URI, and local with a URI", () => {
    withConfig({ "pgplatform:catalog": "remote" });
    assert.throws(() => catalogTarget(), { message: 'stack config `pgplatform:catalog` must be one of `local`, `uri`, `off`; got "remote"' });
    withConfig({ "pgplatform:catalog": "uri" });
    assert.throws(() => catalogTarget(), { message: `stack config \`pgplatform:catalog\` is \`uri\` but \`pgplatform:catalogUri\` is not set; ${EXPECTED}` });
    withConfig({ "pgplatform:catalog": "local", "pgplatform:catalogUri": "postgresql://cat:pw@db/catalog" });
    assert.throws(() => catalogTarget(), /^Error: stack config `pgplatform:catalog` is `local` but `pgplatform:catalogUri` is set too/);
  });

  it("CatalogRecord registers one dynamic resource with kind, record and a secret catalogue", async () => {
    withConfig({ "pgplatform:catalogUri": "postgresql://cat:pw@db:5432/catalog" }, {
      [TYPE]: (a: any) => ({ id: `${a.inputs.recordType}/${a.inputs.recordId}`, state: { ...a.inputs, status: "RUNNING", lifecycle: "ACTIVE" } }),
    });
    const record = new CatalogRecord("orders-catalog", { catalog: catalogInputOf(catalogTarget())!, recordType: "db_resource", recordId: "shop-dev-orders", data: dbResourceData() });
    assert.strictEqual((await details(record.lifecycle)).value, "ACTIVE");
    const [reg] = mocks.byType(TYPE);
    assert.deepStrictEqual(Object.keys(reg.inputs).sort(), ["__provider", "catalog", "data", "kind", "recordId", "recordType"]);
    assert.ok(isSecretWrapped(reg.inputs.catalog), "the catalogue connection is a secret");
    assert.deepStrictEqual(unwrapSecrets(reg.inputs.catalog), { connection: { host: "db", port: 5432, user: "cat", password: "pw", database: "catalog" } });
    assert.deepStrictEqual([reg.inputs.kind, reg.inputs.recordType, reg.inputs.recordId, reg.inputs.data], ["pgplatform:catalog:record", "db_resource", "shop-dev-orders", dbResourceData()]);
    assert.doesNotMatch(reg.inputs.__provider, /zod/);
  });
});
