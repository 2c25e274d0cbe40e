/**
 * BackupPolicy on AWS. The automated backups (retention 1-35 days, daily window) stay on the
 * instance or cluster, from its `backup`; the policy adds AWS Backup on top: a vault, a plan whose
 * rule runs on the policy's cron (as AWS writes it, `cron(0 3 ? * * *)`), deletes after
 * `retentionDays` and keeps continuous backups for PITR, and a selection of the db_resource's ARN
 * with a role AWS Backup assumes.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { Cron, nextRun, parseCron } from "../../model/cron";
import { Problems, show } from "../../model/errors";
import { shortHash } from "../../model/ids";
import { BackupPolicySpec } from "../../model/spec";
import { RenderedBackupPolicy, RenderedSource } from "../backend";
import { awsSubject } from "./checks";
import { AwsBackupHandle, awsHandleOf } from "./handle";
import { assumeRolePolicy, managedPolicyArn } from "./monitoring";
import { AWS_CHILD, tagsOf } from "./names";

/** The managed policy AWS Backup takes snapshots with. */
export const BACKUP_SERVICE_POLICY = "policy/service-role/AWSBackupServiceRolePolicyForBackup";

/** Why a 5-field cron cannot be an AWS Backup schedule, or undefined when it can. */
export function awsCronProblem(cron: Cron): string | undefined {
  if (cron.minute.length > 1) return "AWS Backup runs at most once an hour (give one minute)";
  const dayRestricted = cron.day.length < 31;
  const weekdayRestricted = !(cron.weekday.includes(0) || cron.weekday.includes(7)) || [1, 2, 3, 4, 5, 6].some((d) => !cron.weekday.includes(d));
  if (dayRestricted && weekdayRestricted) return "AWS cron cannot restrict both the day of the month and the weekday (give `*` in one of them)";
  return undefined;
}

/** The AWS cron of a valid 5-field cron: `0 3 * * *` gives `cron(0 3 * * ? *)`; weekdays become AWS's 1-7 (Sunday 1). */
export function awsCronOf(text: string): string {
  const parsed = parseCron(text);
  if (!parsed.ok) throw new Error(`not a cron: ${text}`);
  const [minute, hour, day, month] = text.trim().split(/\s+/);
  const step = (f: string) => f.replace(/^\*\//, "0/");
  const weekdayRestricted = awsWeekdays(parsed.cron.weekday).length < 7;
  const dom = weekdayRestricted ? "?" : step(day);
  const dow = weekdayRestricted ? awsWeekdays(parsed.cron.weekday).join(",") : "?";
  return `cron(${step(minute)} ${step(hour)} ${dom} ${step(month)} ${dow} *)`;
}

/** Standard weekdays (0 and 7 Sunday) as AWS numbers them (1 Sunday .. 7 Saturday), sorted, distinct. */
function awsWeekdays(days: number[]): number[] {
  return [...new Set(days.map((d) => (d % 7) + 1))].sort((a, b) => a - b);
}

/** Checks a BackupPolicy against its target on AWS; throws one ValidationError listing every problem. */
export function checkBackupAws(spec: BackupPolicySpec, target: RenderedSource): void {
  const p = new Problems();
  const h = awsHandleOf(target.rendered.handle, `the target of BackupPolicy ${JSON.stringify(spec.name)}`);
  if (h.shardGroup) {
    p.add(
      "target",
      `\`target\` \`${target.spec.resourceId}\` is a sharded PgCluster (Aurora Limitless Database), which AWS Backup does not cover: its backups are the cluster's automated backups (\`backup.retentionDays\`, in its backup window) and cluster snapshots`,
    );
    p.throwIfAny(awsSubject("BackupPolicy", spec.name));
  }
  const parsed = parseCron(spec.cron);
  const problem = parsed.ok ? awsCronProblem(parsed.cron) : undefined;
  if (problem) p.add("schedule", `\`schedule\` cannot be an AWS Backup schedule: ${problem}; got ${show(spec.schedule)}`);
  for (const key of ["bucket", "prefix"] as const) {
    if (spec.location[key] !== undefined) {
      p.add(`location.${key}`, `\`location.${key}\` does not apply on the \`aws\` back end (AWS Backup keeps recovery points in a backup vault that pgplatform makes for the policy); got ${show(spec.location[key])}`);
    }
  }
  p.throwIfAny(awsSubject("BackupPolicy", spec.name));
}

/** A vault name (2-50 characters) for the policy: the target's identifier, cut, and a hash of the policy. */
export function vaultNameOf(baseIdentifier: string, policyName: string): string {
  return `${baseIdentifier.slice(0, 41).replace(/-+$/, "")}-${shortHash(baseIdentifier, policyName)}`;
}

/** Renders a BackupPolicy on AWS. */
export function renderBackupAws(scope: pulumi.ComponentResource, spec: BackupPolicySpec, target: RenderedSource): RenderedBackupPolicy {
  const h = awsHandleOf(target.rendered.handle, `the target of BackupPolicy ${JSON.stringify(spec.name)}`);
  const name = spec.name;
  const tags = tagsOf(target.spec);
  const vaultName = vaultNameOf(h.baseIdentifier, name);
  // AWS Backup keeps continuous backups of RDS instances and Aurora; a Multi-AZ DB cluster's PITR is its automated backups.
  const continuous = spec.pitr && h.topology !== "multi_az_cluster";
  const vault = new aws.backup.Vault(`${name}-${AWS_CHILD.vault}`, { name: vaultName, ...(h.settings.kmsKeyId ? { kmsKeyArn: h.settings.kmsKeyId } : {}), tags }, { parent: scope });
  const plan = new aws.backup.Plan(
    `${name}-${AWS_CHILD.backupPlan}`,
    {
      name: vaultName,
      rules: [
        {
          ruleName: "pgplatform",
          targetVaultName: vault.name,
          schedule: awsCronOf(spec.cron),
          scheduleExpressionTimezone: "Etc/UTC",
          startWindow: 60,
          completionWindow: 360,
          lifecycle: { deleteAfter: spec.retentionDays },
          enableContinuousBackup: continuous,
          recoveryPointTags: tags,
        },
      ],
      tags,
    },
    { parent: scope },
  );
  const role = new aws.iam.Role(`${name}-${AWS_CHILD.backupRole}`, { assumeRolePolicy: assumeRolePolicy("backup.amazonaws.com"), description: `AWS Backup of ${target.spec.resourceId}`, tags }, { parent: scope });
  const attachment = new aws.iam.RolePolicyAttachment(`${name}-${AWS_CHILD.backupPolicy}`, { role: role.name, policyArn: managedPolicyArn(scope, BACKUP_SERVICE_POLICY) }, { parent: scope });
  const selection = new aws.backup.Selection(
    `${name}-${AWS_CHILD.backupSelection}`,
    { name: vaultName, planId: plan.id, iamRoleArn: role.arn, resources: [h.arn] },
    { parent: scope, dependsOn: [attachment] },
  );
  const parsed = parseCron(spec.cron);
  const next = parsed.ok ? nextRun(parsed.cron, new Date()) : undefined;
  const handle: AwsBackupHandle = { type: "aws-backup", vault, plan, target: h, continuous };
  return {
    nextSchedule: pulumi.output(next ? next.toISOString() : ""),
    // AWS Backup's job history is not readable through @pulumi/aws: unknown rather than guessed.
    lastSuccessful: pulumi.output<string | undefined>(undefined),
    backups: pulumi.output([]),
    status: plan.id.apply(() => "RUNNING" as const),
    handle,
    resources: [vault, plan, role, attachment, selection],
  };
}
