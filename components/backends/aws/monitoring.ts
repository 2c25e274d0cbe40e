/**
 * Monitoring of a db_resource on AWS: the enhanced-monitoring role (when none is given) and
 * CloudWatch alarms on free storage near the plan's size, connections near `max_connections`,
 * CPU and replica lag, notifying an SNS topic (given, or made here).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { DbResourceSpec } from "../../model/spec";
import { AWS_CHILD, tagsOf } from "./names";
import { AwsSettings } from "./settings";

/** The managed policy RDS enhanced monitoring publishes with. */
export const ENHANCED_MONITORING_POLICY = "policy/service-role/AmazonRDSEnhancedMonitoringRole";

/** An IAM trust policy letting `service` assume a role. */
export function assumeRolePolicy(service: string): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });
}

/** The ARN of an AWS managed policy in the current partition (`aws`, `aws-cn`, `aws-us-gov`). */
export function managedPolicyArn(scope: pulumi.Resource, policy: string): pulumi.Output<string> {
  return aws.getPartitionOutput({}, { parent: scope }).partition.apply((p) => `arn:${p}:iam::aws:${policy}`);
}

/** The role enhanced monitoring publishes with: the given one, a new one, or none when monitoring is off. */
export function monitoringRoleOf(scope: pulumi.ComponentResource, name: string, spec: DbResourceSpec, settings: AwsSettings): { arn?: pulumi.Input<string>; resources: pulumi.Resource[] } {
  if (settings.monitoringInterval === 0) return { resources: [] };
  if (settings.monitoringRoleArn) return { arn: settings.monitoringRoleArn, resources: [] };
  const role = new aws.iam.Role(
    `${name}-${AWS_CHILD.monitoringRole}`,
    { assumeRolePolicy: assumeRolePolicy("monitoring.rds.amazonaws.com"), description: `RDS enhanced monitoring of ${spec.resourceId}`, tags: tagsOf(spec) },
    { parent: scope },
  );
  const attachment = new aws.iam.RolePolicyAttachment(
    `${name}-${AWS_CHILD.monitoringPolicy}`,
    { role: role.name, policyArn: managedPolicyArn(scope, ENHANCED_MONITORING_POLICY) },
    { parent: scope },
  );
  return { arn: role.arn, resources: [role, attachment] };
}

/** One alarm to make. */
export interface AlarmSpec {
  /** Suffix after `alarm-`: `cpu`, `free-storage`, `connections`, `replica-lag-1`. */
  key: string;
  metricName: string;
  comparisonOperator: "GreaterThanThreshold" | "LessThanThreshold";
  threshold: number;
  dimensions: Record<string, pulumi.Input<string>>;
  description: string;
  statistic?: "Average" | "Maximum" | "Minimum";
}

/** The SNS topic the alarms notify, or none: the given ARN, a topic made here, or nothing. */
export function alarmTopicOf(scope: pulumi.ComponentResource, name: string, spec: DbResourceSpec, settings: AwsSettings): { arn?: pulumi.Input<string>; resources: pulumi.Resource[] } {
  if (!settings.alarms.enabled) return { resources: [] };
  if (settings.alarms.snsTopicArn) return { arn: settings.alarms.snsTopicArn, resources: [] };
  if (!settings.alarms.createSnsTopic) return { resources: [] };
  const topic = new aws.sns.Topic(`${name}-${AWS_CHILD.alarmTopic}`, { name: `${settings.identifier}-alarms`, tags: tagsOf(spec) }, { parent: scope });
  return { arn: topic.arn, resources: [topic] };
}

/** Renders `alarms` (5-minute periods, 3 of them breaching), each notifying `topicArn` when there is one. */
export function renderAlarms(
  scope: pulumi.ComponentResource,
  name: string,
  spec: DbResourceSpec,
  settings: AwsSettings,
  alarms: AlarmSpec[],
  topicArn?: pulumi.Input<string>,
): aws.cloudwatch.MetricAlarm[] {
  if (!settings.alarms.enabled) return [];
  const actions = topicArn ? { alarmActions: [topicArn], okActions: [topicArn] } : {};
  return alarms.map(
    (a) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${AWS_CHILD.alarm}-${a.key}`,
        {
          name: `${settings.identifier}-${a.key}`,
          alarmDescription: a.description,
          namespace: "AWS/RDS",
          metricName: a.metricName,
          dimensions: a.dimensions,
          statistic: a.statistic ?? "Average",
          period: 300,
          evaluationPeriods: 3,
          datapointsToAlarm: 3,
          comparisonOperator: a.comparisonOperator,
          threshold: a.threshold,
          treatMissingData: "missing",
          ...actions,
          tags: tagsOf(spec),
        },
        { parent: scope },
      ),
  );
}

/** The alarms of one database node (instance) or cluster: CPU, free storage near the plan's size, connections near max_connections. */
export function nodeAlarms(spec: DbResourceSpec, settings: AwsSettings, dimensions: Record<string, pulumi.Input<string>>, withStorage: boolean): AlarmSpec[] {
  const a = settings.alarms;
  const maxConnections = Number(spec.parameters.max_connections ?? "100");
  const out: AlarmSpec[] = [
    {
      key: "cpu",
      metricName: "CPUUtilization",
      comparisonOperator: "GreaterThanThreshold",
      threshold: a.cpuPercent,
      dimensions,
      description: `CPU of ${spec.resourceId} above ${a.cpuPercent}% for 15 minutes`,
    },
    {
      key: "connections",
      metricName: "DatabaseConnections",
      comparisonOperator: "GreaterThanThreshold",
      threshold: Math.floor((maxConnections * a.connectionsPercent) / 100),
      dimensions,
      description: `connections to ${spec.resourceId} above ${a.connectionsPercent}% of max_connections (${maxConnections}) for 15 minutes`,
    },
  ];
  if (withStorage) {
    const bytes = Math.floor((spec.storage.sizeGb * 1024 ** 3 * a.freeStoragePercent) / 100);
    out.splice(1, 0, {
      key: "free-storage",
      metricName: "FreeStorageSpace",
      comparisonOperator: "LessThanThreshold",
      threshold: bytes,
      dimensions,
      statistic: "Minimum",
      description: `free storage of ${spec.resourceId} below ${a.freeStoragePercent}% of ${spec.storage.sizeGb} GiB for 15 minutes`,
    });
  }
  return out;
}
