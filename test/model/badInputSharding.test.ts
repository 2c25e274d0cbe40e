/**
 * `sharding` on PgCluster: how it resolves (defaults from `standbys` and `multiAz`, version 16,
 * database `postgres_limitless`), every bad input with the exact message a user reads, and the
 * refusal of the back ends that do not shard (kubernetes, local).
 */
import assert from "assert";
import { parsePgClusterArgs } from "../../components/model";
import { KubernetesBackend } from "../../components/backends/kubernetes";
import { checkLocalCluster } from "../../components/backends/local/cluster/render";
import { BadInput, itRejects } from "./table";

const aws = { projectId: "shop", environmentId: "prod", plan: "prod_ha", backend: "aws" };
const head = 'Invalid args for PgCluster "events": ';

const rows: BadInput[] = [
  {
    what: "a shard group capacity outside 16-6144 ACUs, a minimum over the maximum's range and a redundancy of 3",
    args: { ...aws, sharding: { maxAcu: 8000, minAcu: 7000, computeRedundancy: 3 } },
    message: [
      `${head}3 problems:`,
      "  - `sharding.maxAcu` must be between 16 and 6144 (the capacity range of an Aurora Limitless DB shard group, in ACUs); got 8000",
      "  - `sharding.minAcu` must be between 16 and 6144 (a DB shard group keeps at least 16 ACUs); got 7000",
      "  - `sharding.computeRedundancy` must be 0, 1 or 2 (compute standbys per shard, each in another availability zone); got 3",
    ],
  },
  {
    what: "a minimum below 16 ACUs",
    args: { ...aws, sharding: { maxAcu: 64, minAcu: 8 } },
    message: [`${head}1 problem:`, "  - `sharding.minAcu` must be between 16 and `sharding.maxAcu` (64) (a DB shard group keeps at least 16 ACUs); got 8"],
  },
  {
    what: "a minimum above the maximum",
    args: { ...aws, sharding: { maxAcu: 64, minAcu: 128 } },
    message: [`${head}1 problem:`, "  - `sharding.minAcu` must be between 16 and `sharding.maxAcu` (64) (a DB shard group keeps at least 16 ACUs); got 128"],
  },
  {
    what: "a sharding without maxAcu, with a fractional ACU and an unknown key",
    args: { ...aws, sharding: { minAcu: 16.5, shards: 4 } },
    message: [
      `${head}3 problems:`,
      "  - `sharding.maxAcu` is required",
      "  - `sharding.minAcu` must be a whole number; got 16.5",
      "  - `sharding.shards` is not a known field of `sharding`; check its spelling",
    ],
  },
  {
    what: "sharding on PostgreSQL 17, as a Multi-AZ DB cluster, with read replicas and another database",
    args: { ...aws, version: "17", awsTopology: "multi_az_cluster", readReplicas: 1, databaseName: "events", sharding: { maxAcu: 256 } },
    message: [
      `${head}4 problems:`,
      '  - `version` must be 16 with `sharding` (Aurora Limitless Database runs PostgreSQL 16 only, engine versions `16.x-limitless`; leave `version` out to get it); got "17"',
      '  - `awsTopology` must be `aurora` with `sharding` (sharding is Aurora Limitless Database; an RDS Multi-AZ DB cluster does not shard); got "multi_az_cluster"',
      "  - `readReplicas` is not possible with `sharding` (an Aurora Limitless cluster has no DB instances to add readers to: its routers serve reads and writes, and `sharding.maxAcu` scales them); got 1",
      '  - `databaseName` must be `postgres_limitless` with `sharding` (the one database of an Aurora Limitless cluster, which cannot name another at create); leave it out; got "events"',
    ],
  },
  {
    what: "a sharded cluster restored from backups",
    args: { ...aws, version: "16", restore: { mode: "in_place", confirm: true }, sharding: { maxAcu: 256 } },
    message: [
      `${head}1 problem:`,
      "  - `restore` is not possible with `sharding`: an Aurora Limitless cluster is not made from another cluster's backups (AWS Backup does not cover it, and pgplatform does not restore a DB shard group); create it empty and load the data with Limitless Database's data loading utility",
    ],
  },
  {
    what: "3 standbys on a sharded cluster",
    args: { ...aws, standbys: 3, sharding: { maxAcu: 256 } },
    message: [`${head}1 problem:`, "  - `standbys` must be at most 2 with `sharding` (each shard has at most 2 compute standbys: `sharding.computeRedundancy`); got 3"],
  },
  {
    what: "a compute redundancy that disagrees with standbys, and 0 in production",
    args: { ...aws, standbys: 2, sharding: { maxAcu: 256, computeRedundancy: 0 } },
    message: [
      `${head}2 problems:`,
      "  - `sharding.computeRedundancy` and `standbys` disagree (on a sharded cluster a shard's compute standbys are its standbys): give one of them, or the same number; got 0 and `standbys` 2",
      '  - `sharding.computeRedundancy` cannot be 0 for plan `prod_ha` in a production environment (`environmentId` "prod" is production; each shard needs a compute standby in another zone to fail over to); got 0',
    ],
  },
  {
    what: "compute standbys with multiAz off",
    args: { ...aws, environmentId: "staging", multiAz: false, sharding: { maxAcu: 256, computeRedundancy: 1 } },
    message: [`${head}1 problem:`, "  - `sharding.computeRedundancy` must be 0 when `multiAz` is false (compute standbys always go to other zones); got 1"],
  },
];

describe("PgCluster sharding", () => {
  itRejects(rows, (args) => parsePgClusterArgs("events", args));

  it("resolves: version 16, database postgres_limitless, compute redundancy from standbys (capped at 2) when multiAz", () => {
    const spec = parsePgClusterArgs("events", { ...aws, sharding: { maxAcu: 384 } });
    assert.deepStrictEqual([spec.sharding, spec.version, spec.databaseName, spec.standbys], [{ maxAcu: 384, computeRedundancy: 2 }, "16", "postgres_limitless", 2]);
    const staging = parsePgClusterArgs("events", { ...aws, environmentId: "staging", multiAz: false, sharding: { maxAcu: 16, minAcu: 16 } });
    assert.deepStrictEqual(staging.sharding, { maxAcu: 16, minAcu: 16, computeRedundancy: 0 });
    const given = parsePgClusterArgs("events", { ...aws, environmentId: "staging", version: 16, databaseName: "postgres_limitless", sharding: { maxAcu: 6144, computeRedundancy: 1 } });
    assert.deepStrictEqual([given.sharding, given.version, given.databaseName], [{ maxAcu: 6144, computeRedundancy: 1 }, "16", "postgres_limitless"]);
  });

  it("leaves an unsharded cluster as it was: no sharding, version 17, database app", () => {
    const spec = parsePgClusterArgs("events", aws);
    assert.deepStrictEqual([spec.sharding, "sharding" in spec, spec.version, spec.databaseName], [undefined, false, "17", "app"]);
  });

  it("checks the ACU bounds on every back end, and the aws rules only on aws", () => {
    assert.throws(
      () => parsePgClusterArgs("events", { ...aws, backend: "local", sharding: { maxAcu: 4 } }),
      (err: any) => err.message === `${head}1 problem:\n  - \`sharding.maxAcu\` must be between 16 and 6144 (the capacity range of an Aurora Limitless DB shard group, in ACUs); got 4`,
    );
    const local = parsePgClusterArgs("events", { ...aws, backend: "local", version: "17", readReplicas: 1, sharding: { maxAcu: 64 } });
    assert.deepStrictEqual([local.version, local.readReplicas], ["17", 1]);
  });

  it("kubernetes refuses sharding, naming the field and the back end that offers it", () => {
    const spec = parsePgClusterArgs("events", { ...aws, backend: "kubernetes", sharding: { maxAcu: 64 }, kubernetes: { storageClass: "gp3", backupStore: { bucket: "shop-backups", credentials: { secretName: "s3" } } } });
    assert.throws(
      () => new KubernetesBackend().checkCluster(spec),
      (err: any) =>
        err.message ===
        'Invalid args for PgCluster "events" on the kubernetes back end: 1 problem:\n' +
          "  - `sharding` is offered on the `aws` back end only (Aurora PostgreSQL Limitless Database); a CloudNativePG cluster is one primary whose standbys all hold every row: " +
          'leave `sharding` out on `kubernetes`, or use `backend: "aws"`; got {"maxAcu":64,"computeRedundancy":2}',
    );
  });

  it("local refuses sharding, naming the field and the back end that offers it", () => {
    const spec = parsePgClusterArgs("events", { ...aws, backend: "local", sharding: { maxAcu: 64, computeRedundancy: 1 } });
    assert.throws(
      () => checkLocalCluster(spec),
      (err: any) =>
        err.message ===
        'PgCluster "events" asks for what the local back end cannot do yet:\n' +
          "  - `sharding` is offered on the `aws` back end only (Aurora PostgreSQL Limitless Database); a local PgCluster is one primary whose standbys all hold every row: " +
          'leave `sharding` out on `local`, or use `backend: "aws"`; got {"maxAcu":64,"computeRedundancy":1}',
    );
  });
});
