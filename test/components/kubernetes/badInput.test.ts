/**
 * Bad inputs specific to the kubernetes back end fail at construction with one error that names
 * every field, the value received and what to do (the parse, or the back end's check before the
 * component registers; a restore's namespace when the render starts, before any child). Each
 * message is pinned whole.
 */
import assert from "assert";
import { exampleHandlers } from "../../harness/handlers";
import { StrictMocks, setStrictMocks } from "../../harness/mocks";
import { BAD_PROGRAMS } from "./cases";

/** The exact message of each row of BAD_PROGRAMS, one item per line. */
const MESSAGES: Record<string, string[]> = {
  "db_resource quotas and a vacuum job at odds with scheduledVacuum": [
    "Invalid args for PgSingle \"orders\" on the kubernetes back end: 2 problems:",
    "  - `quotas` on a db_resource are measured and enforced by the `local` back end only; on `kubernetes` the PrometheusRule alerts near the storage and connection limits (`kubernetes.alerts`), and tenants take `TenantDatabase.quotas`",
    "  - `maintenance.vacuumAnalyze` is the vacuum CronJob on `kubernetes`, which `kubernetes.scheduledVacuum` turns on and off (default true): set both alike; got false with `kubernetes.scheduledVacuum` true",
  ],
  "backups on without a backup store": [
    "Invalid args for PgSingle \"orders\" on the kubernetes back end: 1 problem:",
    "  - `kubernetes.backupStore` is required when backups are on (`backup.enabled` is true, plan `small_single`'s default unless set): the Barman Cloud plugin archives WAL and base backups to an S3 bucket; give `{ bucket, credentials: { secretName } }` (or `inheritFromIAMRole: true`), or set `backup.enabled: false`; got nothing",
  ],
  "production without a StorageClass": [
    "Invalid args for PgCluster \"orders\" on the kubernetes back end: 1 problem:",
    "  - `kubernetes.storageClass` is required in production (`environmentId` \"prod\" is production): the cluster's default StorageClass is a guess; name one with `allowVolumeExpansion: true` (storage only grows), `volumeBindingMode: WaitForFirstConsumer` and the plan's IOPS (12000); got nothing",
  ],
  "a pooler in `statement` mode": [
    "Invalid args for ReadReplicaSet \"orders-reads\": 1 problem:",
    "  - `pooling.mode` must be one of `transaction`, `session`; got \"statement\"",
  ],
  "a 5-field cron where a CNPG cron is asked": [
    "Invalid args for PgSingle \"orders\": 1 problem:",
    "  - `kubernetes.backupSchedule` is a CloudNativePG cron with 6 fields, seconds first (such as `0 0 3 * * *`); got 5 fields \"0 3 * * *\" (write `0 0 3 * * *`)",
  ],
  "a 6-field cron with a bad seconds field": [
    "Invalid args for PgSingle \"orders\": 1 problem:",
    "  - `kubernetes.backupSchedule` is not a valid CloudNativePG cron: its seconds field \"75\" must be one number from 0 to 59; got \"75 0 3 * * *\"",
  ],
  "a component name that cannot name a Cluster": [
    "Invalid args for PgSingle \"Orders_DB\" on the kubernetes back end: 1 problem:",
    "  - `kubernetes.clusterName` is needed: the component's name \"Orders_DB\" is not a DNS-1035 label of at most 40 characters (lower-case letters, digits and `-`, starting with a letter), and the CNPG Cluster and its Services are named after it",
  ],
  "an image whose tag is another major": [
    "Invalid args for PgSingle \"orders\" on the kubernetes back end: 1 problem:",
    "  - `kubernetes.imageName` must carry the db_resource's major (`version` 16) at the start of its tag, such as `ghcr.io/cloudnative-pg/postgresql:16-standard-trixie` (CNPG reads the major from it); got \"ghcr.io/cloudnative-pg/postgresql:17.6-standard-trixie\"",
  ],
  "a parameter CNPG sets itself": [
    "Invalid args for PgSingle \"orders\" on the kubernetes back end: 2 problems:",
    "  - `parameters.wal_level` is set by CloudNativePG itself and refused in `postgresql.parameters`; remove it; got \"logical\"",
    "  - `parameters.log_destination` is set by CloudNativePG itself and refused in `postgresql.parameters`; remove it; got \"stderr\"",
  ],
  "a backup store with neither keys nor IAM role, a bad bucket and namespace": [
    "Invalid args for PgSingle \"orders\": 3 problems:",
    "  - `kubernetes.namespace` must be a namespace name (DNS-1123 label: lower-case letters, digits and `-`, at most 63); got \"Shop_NS\"",
    "  - `kubernetes.backupStore.bucket` must be a bucket name: 3 to 63 lower-case letters, digits, `.` or `-`, starting and ending with a letter or digit; got \"Shop_Backups\"",
    "  - `kubernetes.backupStore` needs exactly one of `credentials` (a Secret with the S3 keys) and `inheritFromIAMRole: true`; got neither",
  ],
  "an image catalogue and an image name together": [
    "Invalid args for PgSingle \"orders\": 1 problem:",
    "  - `kubernetes.imageCatalog` and `kubernetes.imageName` exclude each other (CNPG takes one image source); got both",
  ],
  "a backup schedule without backups": [
    "Invalid args for PgSingle \"orders\" on the kubernetes back end: 1 problem:",
    "  - `kubernetes.backupSchedule` needs backups on (`backup.enabled` is false); got \"0 0 3 * * *\"",
  ],
  "a BackupPolicy with another retention and bucket than its target's store": [
    "Invalid args for BackupPolicy \"orders-backups\" on the kubernetes back end: 2 problems:",
    "  - `retentionDays` must equal the target's `backup.retentionDays` (7): the ObjectStore keeps one retention policy for the whole archive; set it on the target or leave `retentionDays` out; got 30",
    "  - `location.bucket` must be the target's `kubernetes.backupStore.bucket` (\"shop-backups\"), where its WAL archiver writes; got \"other-bucket\"",
  ],
  "a BackupPolicy on a target without backups": [
    "Invalid args for BackupPolicy \"orders-backups\" on the kubernetes back end: 1 problem:",
    "  - `target` must have backups on (its `backup.enabled` and `kubernetes.backupStore`): on kubernetes the WAL archiver lives in the Cluster spec, so the db_resource renders it; got `backup.enabled` false",
  ],
  "an in-place BlueGreenUpgrade and replica identity full": [
    "Invalid args for BlueGreenUpgrade \"orders-17\" on the kubernetes back end: 2 problems:",
    "  - `strategy` `in_place` is done on kubernetes by setting `version: \"17\"` on the db_resource itself (CNPG >= 1.26 runs pg_upgrade when the image's major changes); remove the BlueGreenUpgrade or use `blue_green`; got \"in_place\"",
    "  - `tablesWithoutPrimaryKey` `replica_identity_full` needs SQL on the source, which the kubernetes back end does not run (CNPG has no CRD for it); run `ALTER TABLE ... REPLICA IDENTITY FULL` yourself and use `refuse`; got \"replica_identity_full\"",
  ],
  "a ReadReplicaSet on a paused source, with a name that cannot name a Cluster": [
    "Invalid args for ReadReplicaSet \"Orders.Reads\" on the kubernetes back end: 2 problems:",
    "  - the ReadReplicaSet's name \"Orders.Reads\" must be a DNS-1035 label of at most 40 characters (lower-case letters, digits and `-`, starting with a letter), since its replica Cluster and Services are named after it; rename it",
    "  - `source` is paused (`lifecycle.state` `paused` hibernates its Cluster \"orders\"), and a replica cluster streams from a running primary; resume it first",
  ],
  "a clone restore into another namespace than the backups'": [
    "Invalid args for PgSingle \"orders-copy\" on the kubernetes back end: 1 problem:",
    "  - `kubernetes.namespace` must be the namespace of BackupPolicy \"orders-backups\"'s ObjectStore (\"shop\"): a Cluster reads an ObjectStore of its own namespace; got \"other\"",
  ],
  "kubernetes options on another back end": [
    "Invalid args for PgSingle \"orders\": 1 problem:",
    "  - `kubernetes` options apply to the `kubernetes` back end only, and this db_resource uses `local`; got {\"namespace\":\"shop\"}",
  ],
};

describe("kubernetes back end: bad input", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  it("pins a message for every bad program (at least 10)", () => {
    assert.deepStrictEqual(Object.keys(MESSAGES).sort(), BAD_PROGRAMS.map((p) => p.what).sort());
    assert.ok(BAD_PROGRAMS.length >= 10);
  });

  for (const program of BAD_PROGRAMS) {
    it(`rejects ${program.what}`, () => {
      mocks = setStrictMocks(exampleHandlers(), { allowComponents: ["pgplatform:index:*"], config: { "pgplatform:catalog": "off" } });
      assert.throws(() => program.run(), (e: Error) => {
        assert.strictEqual(e.message, MESSAGES[program.what].join("\n"));
        return true;
      });
    });
  }
});
