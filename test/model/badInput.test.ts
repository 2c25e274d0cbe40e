/**
 * Bad PgSingle inputs, each with the exact message a user reads (part 1: args, ids, plan, version,
 * back end, names, storage; part 2 is badInputNetwork.test.ts). Every message names the field in
 * backticks, shows the value received and says what is allowed.
 */
import assert from "assert";
import { parsePgSingleArgs } from "../../components/model";
import { BadInput, itRejects } from "./table";

const base = { projectId: "shop", environmentId: "dev", plan: "dev_single" };

const rows: BadInput<{ stackBackend?: unknown }>[] = [
  {
    what: 'args that are not an object',
    args: null,
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `args` must be an object; got null',
    ],
  },
  {
    what: 'no args at all',
    args: {},
    message: [
      'Invalid args for PgSingle "orders": 3 problems:',
      '  - `projectId` is required',
      '  - `environmentId` is required',
      '  - `plan` is required',
    ],
  },
  {
    what: 'an unknown plan',
    args: { ...base, plan: "nano" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `plan` must be one of `dev_single`, `small_single`, `medium_single`; got "nano"',
    ],
  },
  {
    what: 'a cluster plan on PgSingle',
    args: { ...base, plan: "prod_ha" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `plan` `prod_ha` is a pg_cluster plan; PgSingle takes `dev_single`, `small_single`, `medium_single` (use PgCluster for `prod_ha`)',
    ],
  },
  {
    what: 'dev_single in production',
    args: { ...base, environmentId: "prod" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `plan` `dev_single` is not allowed in a production environment (`environmentId` "prod" is production); allowed tiers: `dev`, `staging`',
    ],
  },
  {
    what: 'dev_single with environmentTier production',
    args: { ...base, environmentId: "eu-1", environmentTier: "production" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `plan` `dev_single` is not allowed in a production environment (`environmentTier` is `production`); allowed tiers: `dev`, `staging`',
    ],
  },
  {
    what: 'an unknown environmentTier',
    args: { ...base, environmentTier: "prod" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `environmentTier` must be one of `dev`, `staging`, `production`; got "prod"',
    ],
  },
  {
    what: 'a projectId that is not a slug',
    args: { ...base, projectId: "Shop_1" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `projectId` must be 1 to 40 lower-case letters, digits or `-`, starting and ending with a letter or digit; got "Shop_1"',
    ],
  },
  {
    what: 'version 14, past its end of life',
    args: { ...base, version: 14 },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `version` must be a supported major, one of `15`, `16`, `17`, `18` (PostgreSQL 14 reached end of life on 2026-11-12); got 14',
    ],
  },
  {
    what: 'a minor version',
    args: { ...base, version: "16.2" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `version` must be a supported major, one of `15`, `16`, `17`, `18` (give the major only, such as `16`; the back end picks the minor release); got "16.2"',
    ],
  },
  {
    what: 'a major that does not exist',
    args: { ...base, version: 99 },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `version` must be a supported major, one of `15`, `16`, `17`, `18`; got 99',
    ],
  },
  {
    what: 'a version that is neither string nor number',
    args: { ...base, version: true },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `version` must be a string or a number; got true',
    ],
  },
  {
    what: 'an unknown backend',
    args: { ...base, backend: "azure" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `backend` must be one of `aws`, `kubernetes`, `local`; got "azure"',
    ],
  },
  {
    what: 'a bad stack config backend',
    args: base,
    ctx: { stackBackend: "gcp" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - stack config `pgplatform:backend` must be one of `aws`, `kubernetes`, `local`; got "gcp"',
    ],
  },
  {
    what: 'a database name with a double quote',
    args: { ...base, databaseName: 'my"db' },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `databaseName` must start with a lower-case letter or `_` and hold only lower-case letters, digits and `_`; got "my\\"db"',
    ],
  },
  {
    what: 'a database name with a semicolon',
    args: { ...base, databaseName: "orders;drop" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `databaseName` must start with a lower-case letter or `_` and hold only lower-case letters, digits and `_`; got "orders;drop"',
    ],
  },
  {
    what: 'an upper-case database name',
    args: { ...base, databaseName: "Orders" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `databaseName` must start with a lower-case letter or `_` and hold only lower-case letters, digits and `_`; got "Orders"',
    ],
  },
  {
    what: 'a user name with a space',
    args: { ...base, username: "app user" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `username` must start with a lower-case letter or `_` and hold only lower-case letters, digits and `_`; got "app user"',
    ],
  },
  {
    what: 'a database name over 63 bytes',
    args: { ...base, databaseName: "a".repeat(64) },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `databaseName` must be at most 63 bytes; got "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" (64 bytes)',
    ],
  },
  {
    what: 'a user name with the pg_ prefix',
    args: { ...base, username: "pg_admin" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `username` must not start with `pg_` (PostgreSQL reserves it); got "pg_admin"',
    ],
  },
  {
    what: 'the reserved database postgres',
    args: { ...base, databaseName: "postgres" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `databaseName` must not be one of the reserved names `postgres`, `template0`, `template1`; got "postgres"',
    ],
  },
  {
    what: 'the reserved database template1',
    args: { ...base, databaseName: "template1" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `databaseName` must not be one of the reserved names `postgres`, `template0`, `template1`; got "template1"',
    ],
  },
  {
    what: 'the reserved role public',
    args: { ...base, username: "public" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `username` must not be one of the reserved names `postgres`, `public`, `none`, `current_user`, `current_role`, `session_user`, `system_user`; got "public"',
    ],
  },
  {
    what: 'an empty database name',
    args: { ...base, databaseName: "" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `databaseName` must not be empty; got ""',
    ],
  },
  {
    what: 'an empty user name',
    args: { ...base, username: "" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `username` must not be empty; got ""',
    ],
  },
  {
    what: 'storage below the plan minimum',
    args: { ...base, storage: { sizeGb: 10 } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `storage.sizeGb` must be between 20 and 100 for plan `dev_single`; got 10',
    ],
  },
  {
    what: 'storage above the plan maximum',
    args: { ...base, storage: { sizeGb: 200 } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `storage.sizeGb` must be between 20 and 100 for plan `dev_single`; got 200',
    ],
  },
  {
    what: 'storage that is not a whole number',
    args: { ...base, storage: { sizeGb: 25.5 } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `storage.sizeGb` must be a whole number; got 25.5',
    ],
  },
  {
    what: 'storage of 0',
    args: { ...base, storage: { sizeGb: 0 } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `storage.sizeGb` must be >= 1; got 0',
    ],
  },
  {
    what: 'storage given as a string',
    args: { ...base, storage: { sizeGb: "50" } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `storage.sizeGb` must be a number; got "50"',
    ],
  },
  {
    what: 'autoscaling below the size',
    args: { ...base, storage: { sizeGb: 40, autoscaleMaxGb: 30 } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `storage.autoscaleMaxGb` must be 0 (off) or between `storage.sizeGb` (40) and 100 for plan `dev_single`; got 30',
    ],
  },
];

describe("PgSingle bad input: args, plan, version, names, storage", () => {
  itRejects(rows, (args, ctx) => parsePgSingleArgs("orders", args, ctx));

  it("gives each problem its field path, shape problems first", () => {
    try {
      parsePgSingleArgs("orders", { ...base, databaseName: "Orders", storage: { sizeGb: 5 }, extra: 1 });
      assert.fail("expected a ValidationError");
    } catch (err: any) {
      assert.deepStrictEqual(
        err.problems.map((p: { path: string }) => p.path),
        ["extra", "storage.sizeGb", "databaseName"],
      );
    }
  });
});
