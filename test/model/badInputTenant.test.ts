/**
 * Bad BackupPolicy and TenantDatabase inputs, each with the exact message a user reads.
 */
import { DbResourceRef, parseBackupPolicyArgs, parseTenantDatabaseArgs } from "../../components/model";
import { BadInput, itRejects } from "./table";

const single: DbResourceRef = {
  kind: "pg_single",
  plan: "small_single",
  backend: "local",
  resourceId: "shop-dev-orders-0a1b2c3d",
  environmentTier: "dev",
};
const clusterRef: DbResourceRef = {
  kind: "pg_cluster",
  plan: "prod_ha",
  backend: "aws",
  resourceId: "shop-prod-main-4e5f6a7b",
  environmentTier: "production",
};
const tenant = { tenantId: "acme", projectId: "shop", environmentId: "dev", target: {}, mode: "database_per_tenant" };

const backupRows: BadInput<{ target?: DbResourceRef }>[] = [
  {
    what: 'no target',
    args: { schedule: "daily" },
    message: [
      'Invalid args for BackupPolicy "nightly": 1 problem:',
      '  - `target` is required',
    ],
  },
  {
    what: 'a named schedule that does not exist',
    args: { target: {}, schedule: "weekly" },
    ctx: { target: single },
    message: [
      'Invalid args for BackupPolicy "nightly": 1 problem:',
      '  - `schedule` must be `hourly`, `daily` or a 5-field cron such as `0 3 * * 0` (UTC); got "weekly"',
    ],
  },
  {
    what: 'a 6-field cron',
    args: { target: {}, schedule: "0 0 3 * * *" },
    ctx: { target: single },
    message: [
      'Invalid args for BackupPolicy "nightly": 1 problem:',
      '  - `schedule` is not `hourly`, `daily` or a valid 5-field cron: it has 6 fields, not 5 (minute hour day month weekday; leave out the seconds); got "0 0 3 * * *"',
    ],
  },
  {
    what: 'a cron with an hour of 24',
    args: { target: {}, schedule: "0 24 * * *" },
    ctx: { target: single },
    message: [
      'Invalid args for BackupPolicy "nightly": 1 problem:',
      '  - `schedule` is not `hourly`, `daily` or a valid 5-field cron: its hour field "24" is out of range (hour is 0-23); got "0 24 * * *"',
    ],
  },
  {
    what: 'a cron with several bad fields',
    args: { target: {}, schedule: "60 1-0 0 13 */0" },
    ctx: { target: single },
    message: [
      'Invalid args for BackupPolicy "nightly": 1 problem:',
      '  - `schedule` is not `hourly`, `daily` or a valid 5-field cron: its minute field "60" is out of range (minute is 0-59); its hour field "1-0" has a range that goes backwards; its day field "0" is out of range (day is 1-31); its month field "13" is out of range (month is 1-12); its weekday field "*/0" has a step that is not a whole number of at least 1; got "60 1-0 0 13 */0"',
    ],
  },
  {
    what: 'a cron with names',
    args: { target: {}, schedule: "0 3 * * MON" },
    ctx: { target: single },
    message: [
      'Invalid args for BackupPolicy "nightly": 1 problem:',
      '  - `schedule` is not `hourly`, `daily` or a valid 5-field cron: its weekday field "MON" is not a number, `*`, a list, a range or a step (such as `*/15`); got "0 3 * * MON"',
    ],
  },
  {
    what: 'retention over 35 days on aws',
    args: { target: {}, retentionDays: 90 },
    ctx: { target: clusterRef },
    message: [
      'Invalid args for BackupPolicy "nightly": 1 problem:',
      '  - `retentionDays` must be between 1 and 35 on the `aws` back end (RDS keeps automated backups for at most 35 days); got 90',
    ],
  },
  {
    what: 'retention of 0 days',
    args: { target: {}, retentionDays: 0 },
    ctx: { target: single },
    message: [
      'Invalid args for BackupPolicy "nightly": 1 problem:',
      '  - `retentionDays` must be >= 1; got 0',
    ],
  },
  {
    what: 'unknown fullBackupEvery and incrementalType',
    args: { target: {}, fullBackupEvery: "month", incrementalType: "incr" },
    ctx: { target: single },
    message: [
      'Invalid args for BackupPolicy "nightly": 2 problems:',
      '  - `fullBackupEvery` must be one of `day`, `week`; got "month"',
      '  - `incrementalType` must be one of `incremental`, `differential`; got "incr"',
    ],
  },
  {
    what: 'a relative location path',
    args: { target: {}, location: { path: "backups" } },
    ctx: { target: single },
    message: [
      'Invalid args for BackupPolicy "nightly": 1 problem:',
      '  - `location.path` must be an absolute path; got "backups"',
    ],
  },
  {
    what: 'a location path on aws and a bad bucket',
    args: { target: {}, location: { path: "/srv/backups", bucket: "My_Bucket" } },
    ctx: { target: clusterRef },
    message: [
      'Invalid args for BackupPolicy "nightly": 2 problems:',
      '  - `location.path` applies to the `local` back end only, and the target uses `aws` (use `location.bucket`); got "/srv/backups"',
      '  - `location.bucket` must be a bucket name: 3 to 63 lower-case letters, digits, `.` or `-`, starting and ending with a letter or digit; got "My_Bucket"',
    ],
  },
  {
    what: 'a bucket on the local back end',
    args: { target: {}, location: { bucket: "shop-backups" } },
    ctx: { target: single },
    message: [
      'Invalid args for BackupPolicy "nightly": 1 problem:',
      '  - `location.bucket` applies to the `aws` and `kubernetes` back ends, and the target uses `local` (use `location.path`); got "shop-backups"',
    ],
  },
  {
    what: 'a prefix without a bucket',
    args: { target: {}, location: { prefix: "orders/" } },
    ctx: { target: clusterRef },
    message: [
      'Invalid args for BackupPolicy "nightly": 1 problem:',
      '  - `location.prefix` needs `location.bucket` (it is a key prefix inside the bucket); got "orders/"',
    ],
  },
];

const tenantRows: BadInput<{ target?: DbResourceRef }>[] = [
  {
    what: 'no args but the tenant',
    args: { tenantId: "acme" },
    message: [
      'Invalid args for TenantDatabase "acme": 4 problems:',
      '  - `projectId` is required',
      '  - `environmentId` is required',
      '  - `mode` is required: one of `database_per_tenant`, `schema_per_tenant`',
      '  - `target` is required',
    ],
  },
  {
    what: 'ids that are not slugs',
    args: { ...tenant, tenantId: "Acme Corp", environmentId: "-dev" },
    ctx: { target: single },
    message: [
      'Invalid args for TenantDatabase "acme": 2 problems:',
      '  - `tenantId` must be 1 to 40 lower-case letters, digits or `-`, starting and ending with a letter or digit; got "Acme Corp"',
      '  - `environmentId` must be 1 to 40 lower-case letters, digits or `-`, starting and ending with a letter or digit; got "-dev"',
    ],
  },
  {
    what: 'an unknown mode',
    args: { ...tenant, mode: "table_per_tenant" },
    ctx: { target: single },
    message: [
      'Invalid args for TenantDatabase "acme": 1 problem:',
      '  - `mode` must be one of `database_per_tenant`, `schema_per_tenant`; got "table_per_tenant"',
    ],
  },
  {
    what: 'an unknown placeholder',
    args: { ...tenant, naming: "t_{tenant}_{env}" },
    ctx: { target: single },
    message: [
      'Invalid args for TenantDatabase "acme": 1 problem:',
      '  - `naming` uses `{tenant}`, `{env}`, which are not placeholders; the placeholders are `{tenant_id}`, `{project_id}`, `{environment_id}`; got "t_{tenant}_{env}"',
    ],
  },
  {
    what: 'a template without {tenant_id}',
    args: { ...tenant, naming: "shared_{project_id}" },
    ctx: { target: single },
    message: [
      'Invalid args for TenantDatabase "acme": 1 problem:',
      '  - `naming` must contain `{tenant_id}`, or every tenant on the target would get the same name; got "shared_{project_id}"',
    ],
  },
  {
    what: 'a template giving a name with a dash',
    args: { ...tenant, naming: "{tenant_id}-db" },
    ctx: { target: single },
    message: [
      'Invalid args for TenantDatabase "acme": 1 problem:',
      '  - `naming` gives "acme-db" as the tenant\'s database and role name, which must start with a lower-case letter or `_` and hold only lower-case letters, digits and `_`; got "{tenant_id}-db"',
    ],
  },
  {
    what: 'a template giving a name that starts with a digit',
    args: { ...tenant, tenantId: "42", naming: "{tenant_id}" },
    ctx: { target: single },
    message: [
      'Invalid args for TenantDatabase "acme": 1 problem:',
      '  - `naming` gives "42" as the tenant\'s database and role name, which must start with a lower-case letter or `_` and hold only lower-case letters, digits and `_`; got "{tenant_id}"',
    ],
  },
  {
    what: 'a template giving the reserved schema public',
    args: { ...tenant, tenantId: "public", naming: "{tenant_id}", mode: "schema_per_tenant" },
    ctx: { target: single },
    message: [
      'Invalid args for TenantDatabase "acme": 1 problem:',
      '  - `naming` gives "public" as the tenant\'s schema and role name, which must not be one of the reserved names `public`, `information_schema`, `postgres`, `none`, `current_user`, `current_role`, `session_user`, `system_user`; got "{tenant_id}"',
    ],
  },
  {
    what: 'a template giving a name over 63 bytes',
    args: { ...tenant, tenantId: "a".repeat(40), naming: "{tenant_id}_{project_id}_{tenant_id}" },
    ctx: { target: single },
    message: [
      'Invalid args for TenantDatabase "acme": 1 problem:',
      '  - `naming` gives "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_shop_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" as the tenant\'s database and role name, which must be at most 63 bytes (86 bytes); got "{tenant_id}_{project_id}_{tenant_id}"',
    ],
  },
  {
    what: 'a name taken by the target\'s database and role',
    args: { ...tenant, tenantId: "app", naming: "{tenant_id}" },
    ctx: { target: { ...single, databaseName: "app", username: "app" } },
    message: [
      'Invalid args for TenantDatabase "acme": 2 problems:',
      '  - `naming` gives "app", the name of the target\'s application database; got "{tenant_id}"',
      '  - `naming` gives "app", the name of the target\'s application role; got "{tenant_id}"',
    ],
  },
  {
    what: 'quotas without a limit and out of range',
    args: { ...tenant, quotas: { warnAtPercent: 120, onLimit: "block" } },
    ctx: { target: single },
    message: [
      'Invalid args for TenantDatabase "acme": 3 problems:',
      '  - `quotas.warnAtPercent` must be <= 100; got 120',
      '  - `quotas.onLimit` must be one of `warn`, `lock`; got "block"',
      '  - `quotas` must set `maxConnections` or `maxStorageGb` (`warnAtPercent` and `onLimit` apply to those limits); got {"warnAtPercent":120,"onLimit":"block"}',
    ],
  },
  {
    what: 'a storage quota of 0',
    args: { ...tenant, quotas: { maxStorageGb: 0, maxConnections: 0 } },
    ctx: { target: single },
    message: [
      'Invalid args for TenantDatabase "acme": 2 problems:',
      '  - `quotas.maxConnections` must be >= 1; got 0',
      '  - `quotas.maxStorageGb` must be > 0; got 0',
    ],
  },
  {
    what: 'archive without a location',
    args: { ...tenant, deletion: { policy: "archive" } },
    ctx: { target: single },
    message: [
      'Invalid args for TenantDatabase "acme": 1 problem:',
      '  - `deletion.archiveLocation` is required when `deletion.policy` is `archive` (an absolute path where the tenant\'s dump is kept)',
    ],
  },
  {
    what: 'a backup before delete without a location',
    args: { ...tenant, deletion: { backupBeforeDelete: true } },
    ctx: { target: single },
    message: [
      'Invalid args for TenantDatabase "acme": 1 problem:',
      '  - `deletion.archiveLocation` is required when `deletion.backupBeforeDelete` is true (an absolute path where the tenant\'s dump is kept)',
    ],
  },
  {
    what: 'drop in production without a location',
    args: { ...tenant, environmentId: "prod", deletion: { policy: "drop" } },
    ctx: { target: single },
    message: [
      'Invalid args for TenantDatabase "acme": 1 problem:',
      '  - `deletion.archiveLocation` is required: in a production environment (`environmentId` "prod" is production) a tenant is backed up before it is dropped (`deletion.backupBeforeDelete` defaults to true); give an absolute path, or set `deletion.backupBeforeDelete` to false',
    ],
  },
  {
    what: 'drop on a production target without a location',
    args: { ...tenant, deletion: { policy: "drop" } },
    ctx: { target: clusterRef },
    message: [
      'Invalid args for TenantDatabase "acme": 1 problem:',
      '  - `deletion.archiveLocation` is required: in a production environment (the target is production) a tenant is backed up before it is dropped (`deletion.backupBeforeDelete` defaults to true); give an absolute path, or set `deletion.backupBeforeDelete` to false',
    ],
  },
  {
    what: 'a relative archive location',
    args: { ...tenant, deletion: { policy: "archive", archiveLocation: "dumps" } },
    ctx: { target: single },
    message: [
      'Invalid args for TenantDatabase "acme": 1 problem:',
      '  - `deletion.archiveLocation` must be an absolute path; got "dumps"',
    ],
  },
];

describe("BackupPolicy bad input", () => {
  itRejects(backupRows, (args, ctx) => parseBackupPolicyArgs("nightly", args, ctx));
});

describe("TenantDatabase bad input", () => {
  itRejects(tenantRows, (args, ctx) => parseTenantDatabaseArgs("acme", args, ctx));
});
