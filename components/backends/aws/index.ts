/**
 * The `aws` back end: RDS for PostgreSQL (PgSingle), Aurora PostgreSQL and the RDS Multi-AZ DB
 * cluster (PgCluster), read replicas with RDS Proxy, AWS Backup, restores and upgrades, built with
 * @pulumi/aws. See docs/aws.md for the mapping.
 */
import * as pulumi from "@pulumi/pulumi";
import { BackupPolicySpec, BlueGreenUpgradeSpec, PgClusterSpec, PgSingleSpec, ReadReplicaSetSpec } from "../../model/spec";
import { Backend, RenderedBackupPolicy, RenderedBackupSource, RenderedDbResource, RenderedReplicaSet, RenderedSource, RenderedUpgrade } from "../backend";
import { checkBackupAws, renderBackupAws } from "./backup";
import { checkClusterAws, checkSingleAws } from "./checks";
import { renderClusterAws } from "./cluster";
import { renderSingleAws } from "./instance";
import { checkReplicasAws, renderReplicasAws } from "./replicas";
import { checkUpgradeAws, renderUpgradeAws } from "./upgrade";

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

  checkReplicas(spec: ReadReplicaSetSpec, source: RenderedSource): void {
    checkReplicasAws(spec, source);
  }

  renderReplicas(scope: pulumi.ComponentResource, spec: ReadReplicaSetSpec, source: RenderedSource): RenderedReplicaSet {
    return renderReplicasAws(scope, spec, source);
  }

  checkBackup(spec: BackupPolicySpec, target: RenderedSource): void {
    checkBackupAws(spec, target);
  }

  renderBackup(scope: pulumi.ComponentResource, spec: BackupPolicySpec, target: RenderedSource): RenderedBackupPolicy {
    return renderBackupAws(scope, spec, target);
  }

  checkUpgrade(spec: BlueGreenUpgradeSpec, source: RenderedSource): void {
    checkUpgradeAws(spec, source);
  }

  renderUpgrade(scope: pulumi.ComponentResource, spec: BlueGreenUpgradeSpec, source: RenderedSource): RenderedUpgrade {
    return renderUpgradeAws(scope, spec, source);
  }
}
