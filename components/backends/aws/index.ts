/**
 * The `aws` back end: RDS for PostgreSQL (PgSingle), Aurora PostgreSQL and the RDS Multi-AZ DB
 * cluster (PgCluster), read replicas with RDS Proxy, AWS Backup, restores and upgrades, built with
 * @pulumi/aws. See docs/aws.md for the mapping.
 */
import * as pulumi from "@pulumi/pulumi";
import { BackupPolicySpec, BlueGreenUpgradeSpec, PgClusterSpec, PgSingleSpec, ReadReplicaSetSpec } from "../../model/spec";
import { Backend, RenderedBackupPolicy, RenderedBackupSource, RenderedDbResource, RenderedReplicaSet, RenderedSource, RenderedUpgrade } from "../backend";
import { checkClusterAws, checkSingleAws } from "./checks";
import { renderClusterAws } from "./cluster";
import { renderSingleAws } from "./instance";

export { AwsHandle, AwsBackupHandle } from "./handle";
export { AWS_CHILD } from "./names";

export class AwsBackend implements Backend {
  readonly name = "aws" as const;

  checkSingle(spec: PgSingleSpec): void {
    checkSingleAws(spec);
  }

  renderSingle(scope: pulumi.ComponentResource, spec: PgSingleSpec, restoreFrom?: RenderedBackupSource): RenderedDbResource {
    return renderSingleAws(scope, spec, restoreFrom);
  }

  checkCluster(spec: PgClusterSpec): void {
    checkClusterAws(spec);
  }

  renderCluster(scope: pulumi.ComponentResource, spec: PgClusterSpec, restoreFrom?: RenderedBackupSource): RenderedDbResource {
    return renderClusterAws(scope, spec, restoreFrom);
  }

  checkReplicas(spec: ReadReplicaSetSpec, _source: RenderedSource): void {
    notYet("ReadReplicaSet", spec.name);
  }

  renderReplicas(_scope: pulumi.ComponentResource, spec: ReadReplicaSetSpec): RenderedReplicaSet {
    return notYet("ReadReplicaSet", spec.name);
  }

  checkBackup(spec: BackupPolicySpec, _target: RenderedSource): void {
    notYet("BackupPolicy", spec.name);
  }

  renderBackup(_scope: pulumi.ComponentResource, spec: BackupPolicySpec): RenderedBackupPolicy {
    return notYet("BackupPolicy", spec.name);
  }

  checkUpgrade(spec: BlueGreenUpgradeSpec, _source: RenderedSource): void {
    notYet("BlueGreenUpgrade", spec.name);
  }

  renderUpgrade(_scope: pulumi.ComponentResource, spec: BlueGreenUpgradeSpec): RenderedUpgrade {
    return notYet("BlueGreenUpgrade", spec.name);
  }
}

function notYet(component: string, name: string): never {
  throw new Error(`${component} ${JSON.stringify(name)}: the aws back end does not run ${component} yet`);
}
