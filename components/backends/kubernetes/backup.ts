/**
 * Backups through the Barman Cloud plugin (never the deprecated in-tree `barmanObjectStore`): the
 * ObjectStore, the server name a Cluster archives under, ScheduledBackups and one-off Backups, and
 * the recovery source of a restore.
 */
import { BARMAN_PLUGIN } from "./names";
import { ResolvedBackupStore } from "./options";

/** The name of the external cluster a restore or replica reads from. */
export const ORIGIN = "origin";

/**
 * The Barman server name a Cluster archives under: the cluster and its major, so an in-place major
 * upgrade (a new system id, timeline 1) archives into a fresh folder as CNPG requires.
 */
export function serverNameOf(cluster: string, major: string): string {
  return `${cluster}-pg${major}`;
}

/** The ObjectStore spec: the bucket, credentials, compression and the retention (`<days>d`). */
export function objectStoreSpec(store: ResolvedBackupStore, retentionDays: number): Record<string, any> {
  const ref = (name: string, key: string) => ({ name, key });
  const c = store.credentials;
  const s3Credentials = c
    ? {
        accessKeyId: ref(c.secretName, c.accessKeyIdKey),
        secretAccessKey: ref(c.secretName, c.secretAccessKeyKey),
        ...(c.regionKey ? { region: ref(c.secretName, c.regionKey) } : {}),
        ...(c.sessionTokenKey ? { sessionToken: ref(c.secretName, c.sessionTokenKey) } : {}),
      }
    : { inheritFromIAMRole: true };
  return {
    configuration: {
      destinationPath: store.destinationPath,
      ...(store.endpointURL ? { endpointURL: store.endpointURL } : {}),
      s3Credentials,
      wal: { compression: "gzip" },
      data: { compression: "gzip", immediateCheckpoint: false },
    },
    retentionPolicy: `${retentionDays}d`,
  };
}

/** The plugin configuration every Backup and ScheduledBackup carries (`method` defaults to the deprecated in-tree one). */
function pluginMethod() {
  return { method: "plugin", pluginConfiguration: { name: BARMAN_PLUGIN } };
}

/** A ScheduledBackup spec: a 6-field cron, the plugin, owned by the ScheduledBackup so it prunes its Backup objects with it. */
export function scheduledBackupSpec(cluster: string, cron6: string): Record<string, any> {
  return { schedule: cron6, cluster: { name: cluster }, ...pluginMethod(), backupOwnerReference: "self", target: "prefer-standby" };
}

/** A one-off Backup spec (the safety backup before an in-place restore), taken on the primary. */
export function backupSpec(cluster: string): Record<string, any> {
  return { cluster: { name: cluster }, ...pluginMethod(), target: "primary" };
}

/** The external cluster entry that reads another Cluster's archive through the plugin. */
export function archiveSource(storeName: string, serverName: string, name = ORIGIN): Record<string, any> {
  return { name, plugin: { name: BARMAN_PLUGIN, parameters: { barmanObjectName: storeName, serverName } } };
}

/** `bootstrap.recovery` at a restore target (latest, a backup, a time or an LSN), with the app database and owner. */
export function recoveryBootstrap(
  target: { type: "latest" } | { type: "backup"; backupId: string } | { type: "time"; time: string } | { type: "lsn"; lsn: string },
  database: string,
  owner: string,
  appSecretName: string,
): Record<string, any> {
  const recovery: Record<string, any> = { source: ORIGIN, database, owner, secret: { name: appSecretName } };
  if (target.type === "backup") recovery.recoveryTarget = { backupID: target.backupId, targetImmediate: true };
  if (target.type === "time") recovery.recoveryTarget = { targetTime: target.time };
  if (target.type === "lsn") recovery.recoveryTarget = { targetLSN: target.lsn };
  return { recovery };
}
