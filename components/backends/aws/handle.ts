/**
 * What the aws back end keeps about a db_resource or backup policy it rendered (the seam's
 * opaque `handle`), for the components that act on it later: ReadReplicaSet, BackupPolicy,
 * restore and BlueGreenUpgrade. Only the aws back end reads it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { AwsSettings } from "./settings";

/** The AWS shape of a db_resource. */
export type AwsTopologyKind = "instance" | "aurora" | "multi_az_cluster";

/** A db_resource as the aws back end rendered it. */
export interface AwsHandle {
  type: "aws";
  topology: AwsTopologyKind;
  /** The base identifier every RDS identifier of this db_resource starts with. */
  baseIdentifier: string;
  /** The instance (topology `instance`). */
  instance?: aws.rds.Instance;
  /** The cluster and its members (topologies `aurora`, `multi_az_cluster`). */
  cluster?: aws.rds.Cluster;
  members: aws.rds.ClusterInstance[];
  /** The DB shard group of a sharded cluster (Aurora Limitless): its compute, in place of members. */
  shardGroup?: aws.rds.ShardGroup;
  /** Identifier of the instance or cluster, and its ARN (what AWS Backup selects). */
  identifier: pulumi.Output<string>;
  arn: pulumi.Output<string>;
  /** The engine and parameter group family it runs. */
  engine: "postgres" | "aurora-postgresql";
  family: string;
  securityGroup: aws.ec2.SecurityGroup;
  subnetGroup: aws.rds.SubnetGroup;
  parameterGroup: aws.rds.ParameterGroup | aws.rds.ClusterParameterGroup;
  port: number;
  /** The master user and its password (a secret: generated, or read from the managed secret). */
  masterUsername: string;
  masterPassword: pulumi.Output<string>;
  /** The managed master secret's ARN, when RDS manages the password. */
  masterSecretArn?: pulumi.Output<string>;
  /** The role enhanced monitoring publishes with, when monitoring is on. */
  monitoringRoleArn?: pulumi.Input<string>;
  /** The SNS topic the alarms notify, when there is one. */
  alarmTopicArn?: pulumi.Input<string>;
  /** The resolved aws settings (subnets, KMS key, dns, ...). */
  settings: AwsSettings;
}

/** A BackupPolicy as the aws back end rendered it. */
export interface AwsBackupHandle {
  type: "aws-backup";
  vault: aws.backup.Vault;
  plan: aws.backup.Plan;
  /** The db_resource the policy backs up. */
  target: AwsHandle;
  /** Whether the plan keeps continuous backups (PITR through AWS Backup). */
  continuous: boolean;
}

/** The handle of a rendered db_resource, or an error naming `what` when another back end made it. */
export function awsHandleOf(handle: unknown, what: string): AwsHandle {
  const h = handle as AwsHandle | undefined;
  if (!h || h.type !== "aws") throw new Error(`${what} was not rendered by the aws back end`);
  return h;
}
