/**
 * Bad PgCluster and ReadReplicaSet inputs, each with the exact message a user reads.
 */
import { DbResourceRef, parsePgClusterArgs, parseReadReplicaSetArgs } from "../../components/model";
import { BadInput, itRejects } from "./table";

const cluster = { projectId: "shop", environmentId: "prod", plan: "prod_ha" };
const single: DbResourceRef = {
  kind: "pg_single",
  plan: "small_single",
  backend: "local",
  resourceId: "shop-dev-orders-0a1b2c3d",
  environmentTier: "dev",
};

const clusterRows: BadInput[] = [
  {
    what: 'a single plan on PgCluster',
    args: { ...cluster, plan: "medium_single" },
    message: [
      'Invalid args for PgCluster "main": 1 problem:',
      '  - `plan` `medium_single` is a pg_single plan; PgCluster takes `prod_ha` (use PgSingle for `medium_single`)',
    ],
  },
  {
    what: 'standbys below the plan minimum',
    args: { ...cluster, standbys: 1 },
    message: [
      'Invalid args for PgCluster "main": 1 problem:',
      '  - `standbys` must be between 2 and 5 for plan `prod_ha`; got 1',
    ],
  },
  {
    what: 'standbys above the plan maximum',
    args: { ...cluster, standbys: 6 },
    message: [
      'Invalid args for PgCluster "main": 1 problem:',
      '  - `standbys` must be between 2 and 5 for plan `prod_ha`; got 6',
    ],
  },
  {
    what: 'a negative standby count',
    args: { ...cluster, standbys: -1 },
    message: [
      'Invalid args for PgCluster "main": 1 problem:',
      '  - `standbys` must be >= 0; got -1',
    ],
  },
  {
    what: 'an unknown replication mode',
    args: { ...cluster, replicationMode: "semi-sync" },
    message: [
      'Invalid args for PgCluster "main": 1 problem:',
      '  - `replicationMode` must be one of `sync`, `async`; got "semi-sync"',
    ],
  },
  {
    what: 'syncStandbys in async mode',
    args: { ...cluster, replicationMode: "async", syncStandbys: 1 },
    message: [
      'Invalid args for PgCluster "main": 1 problem:',
      '  - `syncStandbys` must be 0 or left out when replication is asynchronous (`replicationMode` is `async`; only `sync` waits for standbys); got 1',
    ],
  },
  {
    what: 'syncStandbys 0 in sync mode',
    args: { ...cluster, syncStandbys: 0 },
    message: [
      'Invalid args for PgCluster "main": 1 problem:',
      '  - `syncStandbys` must be between 1 and `standbys` (2) when `replicationMode` is `sync`; got 0',
    ],
  },
  {
    what: 'more syncStandbys than standbys',
    args: { ...cluster, standbys: 3, syncStandbys: 4 },
    message: [
      'Invalid args for PgCluster "main": 1 problem:',
      '  - `syncStandbys` must be between 1 and `standbys` (3) when `replicationMode` is `sync`; got 4',
    ],
  },
  {
    what: 'multiAz off for prod_ha in production',
    args: { ...cluster, multiAz: false },
    message: [
      'Invalid args for PgCluster "main": 1 problem:',
      '  - `multiAz` cannot be turned off for plan `prod_ha` in a production environment (`environmentId` "prod" is production; the plan keeps standbys in other zones so a zone outage fails over); got false',
    ],
  },
  {
    what: 'multi_az_cluster with 3 standbys on aws',
    args: { ...cluster, environmentId: "staging", backend: "aws", awsTopology: "multi_az_cluster", standbys: 3 },
    message: [
      'Invalid args for PgCluster "main": 1 problem:',
      '  - `standbys` must be 2 with `awsTopology` `multi_az_cluster` on AWS (an RDS Multi-AZ DB cluster always has exactly 2 readable standbys; use `awsTopology` `aurora` for another count); got 3',
    ],
  },
  {
    what: 'multi_az_cluster without multiAz on aws',
    args: { ...cluster, environmentId: "staging", backend: "aws", awsTopology: "multi_az_cluster", multiAz: false },
    message: [
      'Invalid args for PgCluster "main": 1 problem:',
      '  - `multiAz` cannot be false with `awsTopology` `multi_az_cluster` on AWS (an RDS Multi-AZ DB cluster always spans 3 zones; use `awsTopology` `aurora`); got false',
    ],
  },
  {
    what: 'an unknown AWS topology',
    args: { ...cluster, awsTopology: "serverless" },
    message: [
      'Invalid args for PgCluster "main": 1 problem:',
      '  - `awsTopology` must be one of `aurora`, `multi_az_cluster`; got "serverless"',
    ],
  },
  {
    what: 'readReplicas above the plan maximum',
    args: { ...cluster, readReplicas: 6 },
    message: [
      'Invalid args for PgCluster "main": 1 problem:',
      '  - `readReplicas` must be at most 5 for plan `prod_ha`; got 6',
    ],
  },
  {
    what: 'a reserved user name and local options on kubernetes',
    args: { ...cluster, backend: "kubernetes", username: "postgres", local: { port: 6543 } },
    message: [
      'Invalid args for PgCluster "main": 2 problems:',
      '  - `username` must not be one of the reserved names `postgres`, `public`, `none`, `current_user`, `current_role`, `session_user`, `system_user`; got "postgres"',
      '  - `local` options apply to the `local` back end only, and this db_resource uses `kubernetes`; got {"port":6543}',
    ],
  },
];

const replicaRows: BadInput<{ source?: DbResourceRef }>[] = [
  {
    what: 'no source and no replicas',
    args: {},
    message: [
      'Invalid args for ReadReplicaSet "reads": 2 problems:',
      '  - `replicas` is required',
      '  - `source` is required',
    ],
  },
  {
    what: 'a source that is not a db_resource',
    args: { source: "orders", replicas: 1 },
    message: [
      'Invalid args for ReadReplicaSet "reads": 1 problem:',
      '  - `source` must be a PgSingle or PgCluster; got "orders"',
    ],
  },
  {
    what: 'zero replicas',
    args: { source: {}, replicas: 0 },
    ctx: { source: single },
    message: [
      'Invalid args for ReadReplicaSet "reads": 1 problem:',
      '  - `replicas` must be >= 1; got 0',
    ],
  },
  {
    what: 'more replicas than the source plan allows',
    args: { source: {}, replicas: 2 },
    ctx: { source: single },
    message: [
      'Invalid args for ReadReplicaSet "reads": 1 problem:',
      '  - `replicas` must be at most 1 for the source\'s plan `small_single`; got 2',
    ],
  },
  {
    what: 'replicas of a dev_single',
    args: { source: {}, replicas: 1 },
    ctx: { source: { ...single, plan: "dev_single" } },
    message: [
      'Invalid args for ReadReplicaSet "reads": 1 problem:',
      '  - `replicas` cannot be used with the source\'s plan `dev_single`, which allows no read replicas (plans that do: `small_single`, `medium_single`, `prod_ha`); got 1',
    ],
  },
  {
    what: 'a lag below one second and a negative byte lag',
    args: { source: {}, replicas: 1, maxLagSeconds: 0, maxLagBytes: -1 },
    ctx: { source: single },
    message: [
      'Invalid args for ReadReplicaSet "reads": 2 problems:',
      '  - `maxLagSeconds` must be >= 1; got 0',
      '  - `maxLagBytes` must be >= 0; got -1',
    ],
  },
  {
    what: 'an unknown endpoint strategy',
    args: { source: {}, replicas: 1, endpointStrategy: "round_robin" },
    ctx: { source: single },
    message: [
      'Invalid args for ReadReplicaSet "reads": 1 problem:',
      '  - `endpointStrategy` must be one of `single`, `per_replica`; got "round_robin"',
    ],
  },
  {
    what: 'a pool larger than the client limit',
    args: { source: {}, replicas: 1, pooling: { maxClientConnections: 50, defaultPoolSize: 60 } },
    ctx: { source: single },
    message: [
      'Invalid args for ReadReplicaSet "reads": 1 problem:',
      '  - `pooling.defaultPoolSize` must be at most `pooling.maxClientConnections` (50); got 60',
    ],
  },
  {
    what: 'a pool larger than the default client limit',
    args: { source: {}, replicas: 1, pooling: { defaultPoolSize: 101 } },
    ctx: { source: single },
    message: [
      'Invalid args for ReadReplicaSet "reads": 1 problem:',
      '  - `pooling.defaultPoolSize` must be at most `pooling.maxClientConnections` (100 by default); got 101',
    ],
  },
  {
    what: 'statement pooling and an unknown pooling field',
    args: { source: {}, replicas: 1, pooling: { mode: "statement", size: 5 } },
    ctx: { source: single },
    message: [
      'Invalid args for ReadReplicaSet "reads": 2 problems:',
      '  - `pooling.mode` must be one of `transaction`, `session`; got "statement"',
      '  - `pooling.size` is not a known field of `pooling`; check its spelling',
    ],
  },
];

describe("PgCluster bad input", () => {
  itRejects(clusterRows, (args) => parsePgClusterArgs("main", args));
});

describe("ReadReplicaSet bad input", () => {
  itRejects(replicaRows, (args, ctx) => parseReadReplicaSetArgs("reads", args, ctx));
});
