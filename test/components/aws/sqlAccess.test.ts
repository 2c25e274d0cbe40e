/**
 * `aws.sqlAccess` under strict mocks: the master user becomes `aws.masterUsername`, the app gets its
 * own Role and Database ownership made over TLS on the RDS endpoint (verify-full with
 * `aws.caBundle`, else require), the outputs split app and admin; TenantDatabase on an aws target
 * takes the TLS admin, and is refused without sqlAccess or with a lock policy. Bad options name
 * their field.
 */
import assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PgCluster, PgSingle, TenantDatabase } from "../../../components";
import { RDS_HOST } from "../../harness/handlers/aws";
import { StrictMocks, settle } from "../../harness/mocks";
import { valueOf } from "../../harness/outputs";
import { Connection } from "../../../components/outputs";
import { NET, awsChildren, awsMocks, inputsOf } from "./support";

const DEV_ID = "shop-dev-orders-7996cb6b";
const PEM = "-----BEGIN CERTIFICATE-----\nMIIBrdsGlobalBundleForTests\n-----END CERTIFICATE-----\n";

/** The plain values of a connection's host, user, database and password. */
async function plain(c: Connection): Promise<{ host: string; user: string; database: string; password: string }> {
  const [host, user, database, password] = await Promise.all([valueOf(c.host), valueOf(c.user), valueOf(c.database), valueOf(c.password)]);
  return { host, user, database, password };
}

/** A dynamic resource's inputs without its serialized provider. */
function dynamicInputs(mocks: StrictMocks, name: string): Record<string, any> {
  const { __provider, ...rest } = inputsOf(mocks, name);
  assert.equal(typeof __provider, "string");
  return rest;
}

async function failure(fn: () => unknown): Promise<string> {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a failure");
}

describe("aws.sqlAccess (strict mocks)", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  it("PgSingle: master user pgadmin, the app's own Role and Database over verify-full on the RDS endpoint, app and admin outputs", async () => {
    mocks = awsMocks();
    const db = new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single", backend: "aws", aws: { ...NET, sqlAccess: true, caBundle: PEM } });
    const [conn, admin] = await Promise.all([plain(db.connection), plain(db.adminConnection)]);
    assert.deepStrictEqual(await awsChildren(mocks), [
      "aws:ec2/securityGroup:SecurityGroup orders-security-group",
      "aws:rds/instance:Instance orders-instance",
      "aws:rds/instanceDesiredState:InstanceDesiredState orders-desired-state",
      "aws:rds/parameterGroup:ParameterGroup orders-parameter-group",
      "aws:rds/subnetGroup:SubnetGroup orders-subnet-group",
      "random:index/randomPassword:RandomPassword orders-app-password",
      "random:index/randomPassword:RandomPassword orders-master-password",
    ]);
    const instance = inputsOf(mocks, "orders-instance");
    assert.equal(instance.username, "pgadmin");
    assert.equal(instance.dbName, "app");
    const host = `${DEV_ID}.${RDS_HOST}`;
    const sqlAdmin = { host, port: 5432, user: "pgadmin", password: "pw1".padEnd(32, "x"), database: "postgres", ssl: { mode: "verify-full", ca: PEM } };
    assert.deepStrictEqual(dynamicInputs(mocks, "orders-app-role"), {
      kind: "pgplatform:sql:role",
      admin: sqlAdmin,
      name: "app",
      password: "pw2".padEnd(32, "x"),
      login: true,
      connectionLimit: -1,
      memberOf: [],
      onDelete: "lock",
    });
    assert.deepStrictEqual(dynamicInputs(mocks, "orders-app-database"), {
      kind: "pgplatform:sql:database",
      admin: sqlAdmin,
      name: "app",
      owner: "app",
      connectionLimit: -1,
      onDelete: { policy: "lock", backupBeforeDelete: false },
    });
    assert.equal(conn.user, "app");
    assert.equal(conn.host, host);
    assert.equal(conn.database, "app");
    assert.equal(conn.password, "pw2".padEnd(32, "x"));
    assert.equal(admin.user, "pgadmin");
    assert.equal(admin.host, host);
    assert.equal(admin.password, "pw1".padEnd(32, "x"));
  });

  it("PgSingle with aws.dns: the app keeps the CNAME, the SQL runs on the RDS endpoint (RDS certificates do not name the CNAME); no bundle = require", async () => {
    mocks = awsMocks();
    const db = new PgSingle("orders", {
      projectId: "shop", environmentId: "dev", plan: "dev_single", backend: "aws", username: "orders_app",
      aws: { ...NET, sqlAccess: true, masterUsername: "dba", dns: { zoneId: "Z1", name: "orders.db.example.com" } },
    });
    const [conn, admin] = await Promise.all([plain(db.connection), plain(db.adminConnection)]);
    await awsChildren(mocks);
    assert.equal(inputsOf(mocks, "orders-instance").username, "dba");
    const role = dynamicInputs(mocks, "orders-app-role");
    assert.deepStrictEqual(role.admin, { host: `${DEV_ID}.${RDS_HOST}`, port: 5432, user: "dba", password: "pw1".padEnd(32, "x"), database: "postgres", ssl: { mode: "require" } });
    assert.equal(role.name, "orders_app");
    assert.equal(conn.user, "orders_app");
    assert.equal(conn.host, "orders.db.example.com");
    assert.equal(admin.host, `${DEV_ID}.${RDS_HOST}`);
  });

  it("PgCluster on Aurora: masterUsername on the cluster, the app's Role made through the writer endpoint with the bundle read from a file", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgplatform-ca-"));
    const file = path.join(dir, "global-bundle.pem");
    fs.writeFileSync(file, PEM);
    try {
      mocks = awsMocks();
      const db = new PgCluster("ledger", { projectId: "shop", environmentId: "prod", plan: "prod_ha", backend: "aws", aws: { ...NET, sqlAccess: true, caBundle: file } });
      const conn = await plain(db.connection);
      await awsChildren(mocks);
      const cluster = inputsOf(mocks, "ledger-cluster");
      assert.equal(cluster.masterUsername, "pgadmin");
      const role = dynamicInputs(mocks, "ledger-app-role");
      assert.equal(role.admin.user, "pgadmin");
      assert.deepStrictEqual(role.admin.ssl, { mode: "verify-full", ca: PEM });
      assert.match(role.admin.host, /^shop-prod-ledger-[0-9a-f]{8}\.cluster-/);
      assert.equal(conn.user, "app");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("maintenance.vacuumAnalyze with sqlAccess: pg_cron preloaded by the parameter group, its job made over verify-full at the window's start", async () => {
    mocks = awsMocks();
    const db = new PgSingle("orders", {
      projectId: "shop", environmentId: "dev", plan: "dev_single", backend: "aws",
      lifecycle: { maintenanceWindow: "sun:04:00-sun:05:00" }, maintenance: { vacuumAnalyze: true },
      aws: { ...NET, sqlAccess: true, caBundle: PEM },
    });
    await plain(db.connection);
    await settle(mocks);
    const params = inputsOf(mocks, "orders-parameter-group").parameters.filter((x: any) => ["shared_preload_libraries", "cron.database_name"].includes(x.name));
    assert.deepStrictEqual(params, [
      { applyMethod: "pending-reboot", name: "cron.database_name", value: "app" },
      { applyMethod: "pending-reboot", name: "shared_preload_libraries", value: "pg_stat_statements,pg_cron" },
    ]);
    const host = `${DEV_ID}.${RDS_HOST}`;
    assert.deepStrictEqual(dynamicInputs(mocks, "orders-maintenance"), {
      kind: "pgplatform:local:maintenance",
      admin: { host, port: 5432, user: "pgadmin", password: "pw1".padEnd(32, "x"), database: "app", ssl: { mode: "verify-full", ca: PEM } },
      database: "app",
      cronDatabase: "app",
      schedule: "0 4 * * 0",
      vacuumAnalyze: true,
    });
  });

  it("without sqlAccess nothing changes: the master user is `username`, no SQL resource", async () => {
    mocks = awsMocks();
    const db = new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single", backend: "aws", aws: NET });
    await plain(db.connection);
    await awsChildren(mocks);
    assert.equal(inputsOf(mocks, "orders-instance").username, "app");
    assert.deepStrictEqual(mocks.registrations.filter((r) => /Role$|Database$/.test(r.type)).map((r) => r.type), []);
  });

  it("TenantDatabase on an aws target with sqlAccess: Role, Database and Grants take the TLS admin on the RDS endpoint", async () => {
    mocks = awsMocks();
    const shared = new PgSingle("shared", { projectId: "saas", environmentId: "dev", plan: "dev_single", backend: "aws", aws: { ...NET, sqlAccess: true, caBundle: PEM } });
    const acme = new TenantDatabase("acme", { tenantId: "acme", projectId: "saas", environmentId: "dev", target: shared, mode: "database_per_tenant" });
    await plain(acme.connection);
    await awsChildren(mocks);
    const id = shared.spec.resourceId;
    const master = inputsOf(mocks, "shared-instance").password;
    assert.match(master, /^pw\d+x+$/);
    const admin = { host: `${id.slice(0, 51)}.${RDS_HOST}`, port: 5432, user: "pgadmin", password: master, database: "postgres", ssl: { mode: "verify-full", ca: PEM } };
    for (const child of ["acme-role", "acme-database", "acme-grants"]) assert.deepStrictEqual(dynamicInputs(mocks, child).admin, admin, child);
    assert.deepStrictEqual(dynamicInputs(mocks, "acme-role").memberOf, ["pgplatform_tenants"]);
  });

  it("TenantDatabase on an aws target is refused without sqlAccess, and with the lock policies", async () => {
    mocks = awsMocks();
    const plain = new PgSingle("plain", { projectId: "saas", environmentId: "dev", plan: "dev_single", backend: "aws", aws: NET });
    assert.equal(
      await failure(() => new TenantDatabase("t1", { tenantId: "t1", projectId: "saas", environmentId: "dev", target: plain, mode: "database_per_tenant" })),
      'Invalid args for TenantDatabase "t1": 1 problem:\n' +
        `  - \`target\` \`${plain.spec.resourceId}\` is on the \`aws\` back end without \`aws.sqlAccess\`: a tenant is made by SQL from this program over TLS, which needs network reach to the database ` +
        "(an in-VPC runner or a VPN); set `aws.sqlAccess: true` on the target when it is created (it names the master user)",
    );
    const shared = new PgSingle("shared", { projectId: "saas", environmentId: "prod", plan: "small_single", backend: "aws", aws: { ...NET, sqlAccess: true } });
    assert.equal(
      await failure(() => new TenantDatabase("t2", { tenantId: "t2", projectId: "saas", environmentId: "prod", target: shared, mode: "schema_per_tenant", quotas: { maxStorageGb: 1, onLimit: "lock" } })),
      'Invalid args for TenantDatabase "t2": 2 problems:\n' +
        "  - `deletion.policy` `lock` is not available on the `aws` back end: the lock is marked by a role setting only a superuser may set, and RDS's master user is not one; " +
        "use `drop` (with `backupBeforeDelete`) or `archive` (`lock` is the default in production); got \"lock\"\n" +
        "  - `quotas.onLimit` `lock` is not available on the `aws` back end: the quota's lock is marked by a role setting only a superuser may set, and RDS's master user is not one; use `warn`; got \"lock\"",
    );
    await awsChildren(mocks);
  });

  it("bad sqlAccess options name their field", async () => {
    mocks = awsMocks();
    const msg = await failure(
      () =>
        new PgSingle("bad", {
          projectId: "shop", environmentId: "dev", plan: "dev_single", backend: "aws",
          aws: { ...NET, sqlAccess: true, masterUsername: "rdsadmin", caBundle: "/nonexistent/bundle.pem" },
        }),
    );
    assert.equal(
      msg,
      'Invalid args for PgSingle "bad": 2 problems:\n' +
        "  - `aws.masterUsername` must not be one of `rdsadmin`, `rdsrepladmin`, `rds_superuser`, `rds_replication`, `rds_iam`, `postgres_fdw` (RDS keeps them); got \"rdsadmin\"\n" +
        "  - `aws.caBundle` must be PEM text or the path of a readable PEM file; \"/nonexistent/bundle.pem\" could not be read (ENOENT)",
    );
    const same = await failure(
      () => new PgSingle("same", { projectId: "shop", environmentId: "dev", plan: "dev_single", backend: "aws", username: "pgadmin", aws: { ...NET, sqlAccess: true } }),
    );
    assert.match(same, /`aws\.masterUsername` must differ from `username` with `aws\.sqlAccess` \(the application gets its own role, the master user stays the admin\); got "pgadmin"/);
    const without = await failure(() => new PgSingle("w", { projectId: "shop", environmentId: "dev", plan: "dev_single", backend: "aws", aws: { ...NET, masterUsername: "dba" } }));
    assert.match(without, /`aws\.masterUsername` needs `aws\.sqlAccess: true` \(without it the master user is `username`\); got "dba"/);
  });
});
