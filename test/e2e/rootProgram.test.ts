/**
 * End to end: the root program (Pulumi.yaml at the repo root) runs under mocks, its dynamic
 * resources are created through the SDK's real dynamic-provider host, and the exported URI then
 * reaches a real PostgreSQL as the app user. Then everything is deleted and nothing is left.
 */
import assert from "assert";
import * as fs from "fs";
import { CreatedResource, RANDOM_PASSWORD_TYPE, deleteCreated, hostHandler, randomPasswordHandler } from "../harness/engine";
import { StrictMocks, setStrictMocks } from "../harness/mocks";
import { details } from "../harness/outputs";
import { processesMentioning, query, tempRoot } from "../harness/postgres";
import { ProviderHost } from "../harness/providerHost";

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
    fs.rmSync(dataRoot, { recursive: true, force: true });
  });

  it("creates a dev single reachable only by its app user, and deletes it without a trace", async () => {
    mocks = setStrictMocks(
      { [RANDOM_PASSWORD_TYPE]: randomPasswordHandler, "pulumi-nodejs:dynamic/pgplatform:LocalServer": hostHandler(host, created) },
      { allowComponents: ["pgplatform:index:PgSingle"], config: { "pgplatform:localDataRoot": dataRoot } },
    );
    const program = require("../../index");
    const uri = await details<string>(program.uri);
    const status = await details<string>(program.status);
    mocks.assertNoUnexpected();

    assert.deepStrictEqual(
      mocks.registrations.map((r) => `${r.type} ${r.name}`),
      [
        "pgplatform:index:PgSingle quickstart",
        `${RANDOM_PASSWORD_TYPE} quickstart-superuser-password`,
        `${RANDOM_PASSWORD_TYPE} quickstart-app-password`,
        "pulumi-nodejs:dynamic/pgplatform:LocalServer quickstart-server",
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

    await deleteCreated(host, created);
    assert.strictEqual(fs.existsSync(server.properties.instanceDir), false, "no data dir is left");
    assert.deepStrictEqual(processesMentioning(dataDir), [], "no server process is left");
    assert.deepStrictEqual(fs.readdirSync(dataRoot).filter((e) => !e.startsWith(".")), []);
  });
});
