/**
 * End to end: the root program (Pulumi.yaml at the repo root) runs under mocks, its dynamic
 * resources are created through the SDK's real dynamic-provider host, and the exported URI then
 * reaches a real PostgreSQL as the app user. Then everything is deleted and nothing is left.
 */
import assert from "assert";
import * as fs from "fs";
import { CreatedResource, RANDOM_PASSWORD_TYPE, deleteCreated, hostHandler, randomPasswordHandler, until } from "../harness/engine";
import { StrictMocks, setStrictMocks, settle } from "../harness/mocks";
import { details } from "../harness/outputs";
import { processesMentioning, query, tempRoot } from "../harness/postgres";
import { ProviderHost } from "../harness/providerHost";
import { LOCAL_CATALOG_ID, localCatalogPaths } from "../../components/catalog/localCatalog";
import { destroyServer } from "../../components/backends/local/server";

describe("root program end to end (mocks + real provider host + real PostgreSQL)", () => {
  let host: ProviderHost;
  let mocks: StrictMocks;
  let dataRoot: string;
  const created: CreatedResource[] = [];

  before(async () => {
    dataRoot = tempRoot();
    host = await ProviderHost.start();
  });

  after(async () => {
    await deleteCreated(host, created).catch(() => undefined);
    await host.stop();
    await destroyServer(dataRoot, LOCAL_CATALOG_ID);
    fs.rmSync(dataRoot, { recursive: true, force: true });
  });

  it("creates a dev single reachable only by its app user, records it in the local catalogue, and deletes it without a trace", async () => {
    mocks = setStrictMocks(
      {
        [RANDOM_PASSWORD_TYPE]: randomPasswordHandler,
        "pulumi-nodejs:dynamic/pgplatform:LocalServer": hostHandler(host, created),
        "pulumi-nodejs:dynamic/pgplatform:CatalogRecord": hostHandler(host, created),
        "pulumi-nodejs:dynamic/pgplatform:ChangeGuard": hostHandler(host, created),
      },
      { allowComponents: ["pgplatform:index:PgSingle"], config: { "pgplatform:localDataRoot": dataRoot } },
    );
    const program = require("../../index");
    const uri = await details<string>(program.uri);
    const status = await details<string>(program.status);
    await settle(mocks);
    await until(() => created.some((r) => r.type.endsWith(":CatalogRecord")), "the catalogue record is created");
    mocks.assertNoUnexpected();

    assert.deepStrictEqual(
      mocks.registrations.map((r) => `${r.type} ${r.name}`),
      [
        "pgplatform:index:PgSingle quickstart",
        "pulumi-nodejs:dynamic/pgplatform:ChangeGuard quickstart-change-guard",
        `${RANDOM_PASSWORD_TYPE} quickstart-superuser-password`,
        `${RANDOM_PASSWORD_TYPE} quickstart-app-password`,
        "pulumi-nodejs:dynamic/pgplatform:LocalServer quickstart-server",
        "pulumi-nodejs:dynamic/pgplatform:ChangeGuard quickstart-change-done",
        "pulumi-nodejs:dynamic/pgplatform:CatalogRecord quickstart-record",
      ],
    );
    assert.strictEqual(status.value, "RUNNING");
    assert.strictEqual(uri.isSecret, true, "the exported URI must be a secret");
    assert.match(uri.value!, /^postgresql:\/\/app:[A-Za-z0-9]{32}@127\.0\.0\.1:\d+\/app$/);

    const rows = await query(uri.value!, "SELECT current_user AS u, current_database() AS d, current_setting('max_connections') AS mc");
    assert.deepStrictEqual(rows, [{ u: "app", d: "app", mc: "50" }]);
    const toPostgres = uri.value!.replace(/\/app$/, "/postgres");
    await assert.rejects(query(toPostgres, "SELECT 1"), /pg_hba\.conf rejects connection for host "127\.0\.0\.1", user "app", database "postgres"/);

    const server = created.find((r) => r.type.endsWith(":LocalServer"))!;
    const dataDir: string = server.properties.dataDir;
    assert.ok(dataDir.startsWith(dataRoot), `data under the configured root, got ${dataDir}`);
    assert.strictEqual(processesMentioning(dataDir).length, 1, "one postmaster runs for the data dir");

    const password = uri.value!.split(":")[2].split("@")[0];
    assert.ok(!host.stderr().includes(password), "the app password never reaches the host's log");

    // The control plane knows it: the catalogue the library started by itself holds its record.
    const creds = JSON.parse(fs.readFileSync(localCatalogPaths(dataRoot).credentials, "utf8"));
    const catalogUri = `postgresql://catalog:${creds.password}@127.0.0.1:${creds.port}/catalog`;
    const id = server.properties.resourceId;
    const overview = await query(catalogUri, "SELECT kind, plan, version, backend, status, lifecycle, endpoints FROM pgplatform_catalog.resource_overview WHERE id = $1", [id]);
    assert.deepStrictEqual(overview, [
      { kind: "pg_single", plan: "dev_single", version: "17", backend: "local", status: "RUNNING", lifecycle: "ACTIVE", endpoints: { write: { host: "127.0.0.1", port: server.properties.port, database: "app", user: "app" } } },
    ]);

    await deleteCreated(host, created);
    const history = await query(catalogUri, "SELECT event FROM pgplatform_catalog.events WHERE record_id = $1 ORDER BY id", [id]);
    assert.deepStrictEqual(history.map((r) => r.event), ["created", "deleted"]);
    assert.deepStrictEqual(await query(catalogUri, "SELECT lifecycle FROM pgplatform_catalog.resources WHERE id = $1", [id]), [{ lifecycle: "DELETED" }]);
    assert.strictEqual(fs.existsSync(server.properties.instanceDir), false, "no data dir is left");
    assert.deepStrictEqual(processesMentioning(dataDir), [], "no server process is left");
    const left = fs.readdirSync(dataRoot).filter((e) => !e.startsWith("."));
    assert.deepStrictEqual(left.filter((e) => !e.startsWith(LOCAL_CATALOG_ID)), [], "only the library's catalogue stays");
  });
});
