/**
 * What the kubernetes back end keeps about what it rendered, for the components that act on it
 * later (ReadReplicaSet, BackupPolicy, BlueGreenUpgrade, a restore). Only this back end reads it.
 */
import * as pulumi from "@pulumi/pulumi";
import { objectNames } from "./names";
import { DbSpec, ResolvedK8s } from "./options";
import { CustomObject } from "./resources";

/** The WAL archive of a Cluster: the plugin's ObjectStore and the server name inside it. */
export interface ArchiveHandle {
  /** Name of the ObjectStore object. */
  storeName: string;
  /** The Barman server name the Cluster archives under (the folder in the bucket). */
  serverName: string;
  store: CustomObject;
  retentionDays: number;
  /** The db_resource's own ScheduledBackup and its 5-field cron. */
  scheduled: { cron: string; resource: CustomObject };
}

/** A db_resource (PgSingle, PgCluster, or the green side of an upgrade) as the kubernetes back end rendered it. */
export interface KubernetesHandle {
  type: "kubernetes";
  spec: DbSpec;
  options: ResolvedK8s;
  clusterName: string;
  /** The namespace the objects live in (the provider's default when none was given). */
  namespace: pulumi.Output<string>;
  cluster: CustomObject;
  names: ReturnType<typeof objectNames>;
  appSecretName: string;
  superuserSecretName: string;
  archive?: ArchiveHandle;
}

/** A BackupPolicy as the kubernetes back end rendered it: where a restore reads from. */
export interface KubernetesBackupHandle {
  type: "kubernetes-backup";
  target: KubernetesHandle;
  storeName: string;
  serverName: string;
}

/** The handle of a rendered db_resource, or an error naming what was passed when another back end made it. */
export function kubernetesHandleOf(handle: unknown, what: string): KubernetesHandle {
  const h = handle as KubernetesHandle | undefined;
  if (!h || h.type !== "kubernetes") throw new Error(`${what} was not rendered by the kubernetes back end`);
  return h;
}
