/**
 * Bad PgSingle inputs, part 2: network allowlist, unknown fields, parameters, lifecycle, backup,
 * read replicas, `local` options, and several problems in one input.
 */
import assert from "assert";
import { parsePgSingleArgs } from "../../components/model";
import { BadInput, itRejects } from "./table";

const base = { projectId: "shop", environmentId: "dev", plan: "dev_single" };
const prod = { projectId: "shop", environmentId: "prod", plan: "small_single" };

const rows: BadInput<{ stackBackend?: unknown }>[] = [
  {
    what: '0.0.0.0/0 outside dev',
    args: { ...base, environmentId: "staging", network: { allowedCidrs: ["0.0.0.0/0"] } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `network.allowedCidrs[0]` admits the whole internet, which only a dev environment may do (`environmentId` "staging" is staging); got "0.0.0.0/0"',
    ],
  },
  {
    what: '::/0 in production',
    args: { ...prod, network: { allowedCidrs: ["10.0.0.0/8", "::/0"] } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `network.allowedCidrs[1]` admits the whole internet, which only a dev environment may do (`environmentId` "prod" is production); got "::/0"',
    ],
  },
  {
    what: 'an invalid CIDR',
    args: { ...base, network: { allowedCidrs: ["10.0.0.300/8", "10.0.0.0/33"] } },
    message: [
      'Invalid args for PgSingle "orders": 2 problems:',
      '  - `network.allowedCidrs[0]` must be an IPv4 or IPv6 CIDR such as `10.0.0.0/16`; got "10.0.0.300/8"',
      '  - `network.allowedCidrs[1]` must be an IPv4 or IPv6 CIDR such as `10.0.0.0/16`; got "10.0.0.0/33"',
    ],
  },
  {
    what: 'publicAccess in production',
    args: { ...prod, network: { publicAccess: true } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `network.publicAccess` may only be `true` in a dev environment (`environmentId` "prod" is production); got true',
    ],
  },
  {
    what: 'a security-group allowlist on backend local',
    args: { ...base, network: { allowedSecurityGroupIds: ["sg-0123"] } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `network.allowedSecurityGroupIds` applies to the `aws` back end only, and this db_resource uses `local`; got ["sg-0123"]',
    ],
  },
  {
    what: 'Kubernetes namespaces on backend aws',
    args: { ...base, backend: "aws", network: { allowedNamespaces: ["shop"] } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `network.allowedNamespaces` applies to the `kubernetes` back end only, and this db_resource uses `aws`; got ["shop"]',
    ],
  },
  {
    what: 'an unknown top-level field',
    args: { ...base, databse: "orders" },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `databse` is not a known field; check its spelling',
    ],
  },
  {
    what: 'an unknown nested field',
    args: { ...base, storage: { size: 50 } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `storage.size` is not a known field of `storage`; check its spelling',
    ],
  },
  {
    what: 'a plan that is not a string',
    args: { ...base, plan: 42 },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `plan` must be a string; got 42',
    ],
  },
  {
    what: 'a managed parameter',
    args: { ...base, parameters: { shared_buffers: "1GB" } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `parameters.shared_buffers` is managed by pgplatform and cannot be set here (use the plan, `compute` or `network`); got "1GB"',
    ],
  },
  {
    what: 'a multi-line parameter value',
    args: { ...base, parameters: { application_name: "a\nb" } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `parameters.application_name` must be a single line; got "a\\nb"',
    ],
  },
  {
    what: 'a parameter name that is not one',
    args: { ...base, parameters: { "Work-Mem": "8MB" } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `parameters.Work-Mem` is not a valid PostgreSQL parameter name (lower-case letters, digits, `_`, one optional `.`); got "8MB"',
    ],
  },
  {
    what: 'a bad maintenance window',
    args: { ...base, lifecycle: { maintenanceWindow: "sunday 04:00" } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `lifecycle.maintenanceWindow` must look like `sun:04:00-sun:05:00` (lower-case day, 24-hour UTC time); got "sunday 04:00"',
    ],
  },
  {
    what: 'pitr with backups turned off',
    args: { ...prod, backup: { enabled: false, pitr: true } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `backup.pitr` needs `backup.enabled` to be true (PITR replays WAL on top of a backup); got true',
    ],
  },
  {
    what: 'pitr on a plan without backups',
    args: { ...base, backup: { pitr: true } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `backup.pitr` needs backups, and plan `dev_single` has none by default (PITR replays WAL on top of a backup); set `backup.enabled` to true; got true',
    ],
  },
  {
    what: 'an unknown backup schedule',
    args: { ...base, backup: { schedule: "weekly" } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `backup.schedule` must be one of `hourly`, `daily`; got "weekly"',
    ],
  },
  {
    what: 'readReplicas above the plan maximum',
    args: { ...prod, readReplicas: 2 },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `readReplicas` must be at most 1 for plan `small_single`; got 2',
    ],
  },
  {
    what: 'a relative local.dataRoot',
    args: { ...base, local: { dataRoot: "data/pg" } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `local.dataRoot` must be an absolute path; got "data/pg"',
    ],
  },
  {
    what: 'local options on backend aws',
    args: { ...base, backend: "aws", local: { port: 6543 } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `local` options apply to the `local` back end only, and this db_resource uses `aws`; got {"port":6543}',
    ],
  },
  {
    what: 'a local port below 1024',
    args: { ...base, local: { port: 80 } },
    message: [
      'Invalid args for PgSingle "orders": 1 problem:',
      '  - `local.port` must be >= 1024; got 80',
    ],
  },
  {
    what: 'several problems at once',
    args: { ...base, environmentId: "prod", version: "13", databaseName: "Orders", storage: { sizeGb: 5 }, network: { publicAccess: true }, extra: 1 },
    message: [
      'Invalid args for PgSingle "orders": 6 problems:',
      '  - `extra` is not a known field; check its spelling',
      '  - `plan` `dev_single` is not allowed in a production environment (`environmentId` "prod" is production); allowed tiers: `dev`, `staging`',
      '  - `version` must be a supported major, one of `15`, `16`, `17`, `18` (PostgreSQL 13 reached end of life on 2025-11-13); got "13"',
      '  - `storage.sizeGb` must be between 20 and 100 for plan `dev_single`; got 5',
      '  - `network.publicAccess` may only be `true` in a dev environment (`environmentId` "prod" is production); got true',
      '  - `databaseName` must start with a lower-case letter or `_` and hold only lower-case letters, digits and `_`; got "Orders"',
    ],
  },
];

describe("PgSingle bad input: network, fields, parameters, backup, local", () => {
  itRejects(rows, (args, ctx) => parsePgSingleArgs("orders", args, ctx));

  it("accepts 0.0.0.0/0, ::/0 and public access in a dev environment", () => {
    const spec = parsePgSingleArgs("orders", { ...base, network: { allowedCidrs: ["0.0.0.0/0", "::/0"], publicAccess: true } });
    assert.deepStrictEqual(spec.network.allowedCidrs, ["0.0.0.0/0", "::/0"]);
    assert.strictEqual(spec.network.publicAccess, true);
  });
});
