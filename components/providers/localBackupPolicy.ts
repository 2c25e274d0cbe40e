/**
 * The dynamic provider of a BackupPolicy on the local back end: pgBackRest configured for the
 * target server (which turns its WAL archive hook on), a stanza, a first full backup, the detached
 * scheduler that runs the cron, on-demand backups (a new `backupNow` token), and the backup list
 * read back on every create, refresh and update into the outputs and the catalogue.
 *
 * Serialized with the program: Node built-ins, pure local modules, `pg` required inside functions.
 */
import * as pulumi from "@pulumi/pulumi";
import { syncBackupRecords } from "../backends/local/backup/catalog";
import { findPgBackRest, readInfo } from "../backends/local/backup/pgbackrest";
import { LocalBackupSpec, LocalBackupState, backupNow, configurePolicy, inspectPolicy, readJobs, startScheduler, unconfigurePolicy } from "../backends/local/backup/policy";
import { backupLayout } from "../backends/local/backup/pgbackrest";
import { serviceUser } from "../backends/local/serviceUser";
import { cancelPurge, keepUntilPurge, purgeExpired } from "../backends/local/softDelete";
import { parseCron } from "../model/cron";
import type { BackupRecord } from "../backends/backend";
import type { CatalogInput } from "./catalogRecord";
import { UNKNOWN, known } from "./values";

/** The `kind` input that tells policies what this dynamic resource is. */
export const LOCAL_BACKUP_POLICY_KIND = "pgplatform:local:backup-policy";

/** Inputs whose change makes a new policy resource (another server or repository). */
export const LOCAL_BACKUP_POLICY_REPLACES = ["resourceId", "dataRoot", "repoPath"] as const;

/** The inputs of a local BackupPolicy, as the provider sees them (plain values). */
export interface LocalBackupPolicyInputs extends LocalBackupSpec {
  kind: string;
  /** `<resourceId>/<policyName>`: the catalogue's `policyId`. */
  policyId: string;
  /** A new value takes a backup now; empty = none asked. */
  backupNow: string;
  /** Days the target's directory is kept after a soft delete (0 = hard delete): the repository is kept at least as long. */
  targetSoftDeleteDays: number;
  /** Where backup records go; absent = no catalogue. */
  catalog?: CatalogInput;
}

type Outputs = LocalBackupPolicyInputs & LocalBackupState & { drift: string[] } & Record<string, any>;

function specOf(p: any): LocalBackupSpec {
  return {
    policyName: p.policyName,
    resourceId: p.resourceId,
    dataRoot: p.dataRoot,
    runAs: p.runAs || undefined,
    repoPath: p.repoPath,
    port: Number(p.port),
    superuser: p.superuser,
    cron: p.cron,
    retentionDays: Number(p.retentionDays),
    pitr: p.pitr === true,
    fullBackupEvery: p.fullBackupEvery,
    incrementalType: p.incrementalType,
    schedulerScript: p.schedulerScript,
    ...(Array.isArray(p.members) && p.members.length > 0 ? { members: p.members.map((m: any) => ({ dataDir: String(m.dataDir), port: Number(m.port) })) } : {}),
  };
}

/** What an update repairs: a scheduler that is not running, a configuration that is gone. */
function driftOf(state: LocalBackupState): string[] {
  return state.problems.filter((p) => /scheduler is not running|is missing/.test(p));
}

/** Reads the policy, records its backups in the catalogue, and returns the outputs. */
async function settle(inputs: LocalBackupPolicyInputs): Promise<Outputs> {
  const spec = specOf(inputs);
  const state = await inspectPolicy(spec);
  if (inputs.catalog) await record(inputs);
  return { ...inputs, ...state, drift: driftOf(state) };
}

/** Writes the catalogue's backup records from the repository and the job log. */
async function record(inputs: LocalBackupPolicyInputs, lifecycle?: { lifecycle: "DELETING"; purgeAfter: string }): Promise<void> {
  const bin = findPgBackRest();
  const layout = backupLayout(inputs.dataRoot, inputs.resourceId);
  const info = bin ? await readInfo(bin, layout.config, inputs.resourceId, serviceUser(inputs.runAs || undefined)).catch(() => undefined) : undefined;
  if (!info || !inputs.catalog) return;
  await syncBackupRecords(inputs.catalog, {
    resourceId: inputs.resourceId,
    policyId: inputs.policyId,
    repoPath: inputs.repoPath,
    info,
    jobs: readJobs(inputs.dataRoot, inputs.resourceId),
    ...(lifecycle ?? {}),
  });
}

/** Takes an on-demand backup; a failure is recorded (job log, catalogue) and then thrown. */
async function onDemand(inputs: LocalBackupPolicyInputs): Promise<void> {
  const job = await backupNow(specOf(inputs), "on-demand");
  if (job.status === "DONE") return;
  if (inputs.catalog) await record(inputs);
  throw new Error(`BackupPolicy ${JSON.stringify(inputs.policyName)}: the on-demand backup (\`backupNow\` ${JSON.stringify(inputs.backupNow)}) of \`${inputs.resourceId}\` failed: ${job.error}`);
}

/** The provider object; one shared instance, so it is serialized once per program. */
export const localBackupPolicyProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: any, news: any) {
    const failures: { property: string; reason: string }[] = [];
    if (news.kind !== LOCAL_BACKUP_POLICY_KIND) failures.push({ property: "kind", reason: `\`kind\` must be \`${LOCAL_BACKUP_POLICY_KIND}\`; got ${JSON.stringify(news.kind)}` });
    if (known(news.cron)) {
      const c = parseCron(String(news.cron));
      if (!c.ok) failures.push({ property: "cron", reason: `\`cron\` is not a valid 5-field cron: ${c.faults.join("; ")}; got ${JSON.stringify(news.cron)}` });
    }
    if (known(news.retentionDays) && !(Number.isInteger(news.retentionDays) && news.retentionDays >= 1)) {
      failures.push({ property: "retentionDays", reason: `\`retentionDays\` must be a whole number of days >= 1; got ${JSON.stringify(news.retentionDays)}` });
    }
    return { inputs: news, failures };
  },

  async diff(id: string, olds: Outputs, news: LocalBackupPolicyInputs) {
    const replaces = LOCAL_BACKUP_POLICY_REPLACES.filter((k) => known(news[k]) && olds[k] !== news[k]);
    const keys = ["cron", "retentionDays", "pitr", "fullBackupEvery", "incrementalType", "port", "superuser", "runAs", "schedulerScript", "backupNow", "policyName", "targetSoftDeleteDays"] as const;
    const changed: string[] = keys.filter((k) => known(news[k]) && (olds[k] ?? "") !== (news[k] ?? ""));
    if (known(news.members) && JSON.stringify(olds.members ?? []) !== JSON.stringify(news.members ?? [])) changed.push("members");
    if (news.catalog === (UNKNOWN as any) || JSON.stringify(olds.catalog ?? null) !== JSON.stringify(news.catalog ?? null)) changed.push("catalog");
    if (Array.isArray(olds.drift) && olds.drift.length > 0) changed.push("drift");
    return { changes: replaces.length > 0 || changed.length > 0, replaces: [...replaces], deleteBeforeReplace: false };
  },

  async create(inputs: LocalBackupPolicyInputs) {
    purgeExpired(inputs.dataRoot);
    const spec = specOf(inputs);
    cancelPurge(inputs.dataRoot, "repository", inputs.resourceId);
    await configurePolicy(spec);
    const first = await backupNow(spec, inputs.backupNow ? "on-demand" : "initial");
    if (first.status !== "DONE") {
      if (inputs.catalog) await record(inputs);
      throw new Error(`BackupPolicy ${JSON.stringify(inputs.policyName)}: the first backup of \`${inputs.resourceId}\` failed: ${first.error}`);
    }
    await startScheduler(spec);
    return { id: inputs.policyId, outs: await settle(inputs) };
  },

  async read(id: string, props: Outputs) {
    purgeExpired(props.dataRoot);
    const layout = backupLayout(props.dataRoot, props.resourceId);
    const fs = require("fs");
    // Deleted (or never configured): neither the configuration nor the schedule is there.
    if (!fs.existsSync(layout.config) && !fs.existsSync(layout.schedule)) return { id: "", props: {} };
    return { id, props: await settle({ ...props }) };
  },

  async update(id: string, olds: Outputs, news: LocalBackupPolicyInputs) {
    const spec = specOf(news);
    await configurePolicy(spec);
    await startScheduler(spec);
    if (news.backupNow && news.backupNow !== olds.backupNow) await onDemand(news);
    return { outs: await settle(news) };
  },

  async delete(id: string, props: Outputs) {
    const keepDays = Math.max(Number(props.retentionDays) || 1, Number(props.targetSoftDeleteDays) || 0);
    const path = require("path");
    const stanzaPaths = [path.join(props.repoPath, "archive", props.resourceId), path.join(props.repoPath, "backup", props.resourceId)];
    const entry = keepUntilPurge(props.dataRoot, "repository", props.resourceId, stanzaPaths, keepDays);
    if (props.catalog) await record(props, { lifecycle: "DELETING", purgeAfter: entry.purgeAfter }).catch(() => undefined);
    await unconfigurePolicy(props.dataRoot, props.resourceId);
  },
};

/** Inputs of a {@link LocalBackupPolicy} resource. */
export interface LocalBackupPolicyArgs {
  /** The BackupPolicy's name, in messages. */
  policyName: pulumi.Input<string>;
  /** `<resourceId>/<policyName>`, the catalogue's `policy_id` and this resource's id. */
  policyId: pulumi.Input<string>;
  /** The target server's resource id, also the pgBackRest stanza; a change replaces the policy. */
  resourceId: pulumi.Input<string>;
  /** The target server's data root; a change replaces the policy. */
  dataRoot: pulumi.Input<string>;
  /**
   * The system user pgBackRest runs as when the program runs as root.
   * @default "postgres"
   */
  runAs?: pulumi.Input<string>;
  /** The repository directory (`repo1-path`); a change replaces the policy. */
  repoPath: pulumi.Input<string>;
  /** The target server's port (0 for a PgCluster: `members` gives the ports). */
  port: pulumi.Input<number>;
  /**
   * A PgCluster target: every member's data directory and port; pgBackRest lists them all
   * (`pg1-path`, `pg2-path`, ...) and backs up whichever is primary. A change (scale) rewrites the configuration.
   * @default - a PgSingle target
   */
  members?: pulumi.Input<pulumi.Input<{ dataDir: string; port: number }>[]>;
  /** The target's superuser, which pgBackRest logs in as over the private socket. */
  superuser: pulumi.Input<string>;
  /** 5-field cron, UTC. */
  cron: pulumi.Input<string>;
  retentionDays: pulumi.Input<number>;
  pitr: pulumi.Input<boolean>;
  fullBackupEvery: pulumi.Input<"day" | "week">;
  incrementalType: pulumi.Input<"incremental" | "differential">;
  /** The scheduler script shipped with the library. */
  schedulerScript: pulumi.Input<string>;
  /** A new non-empty value takes a backup at the next update; `""` = none. */
  backupNow: pulumi.Input<string>;
  /** The target's soft-delete retention in days (0 when it is deleted hard): the repository is kept at least as long. */
  targetSoftDeleteDays: pulumi.Input<number>;
  /**
   * The catalogue backup records go to; made secret (a connection carries a password).
   * @default - no catalogue records
   */
  catalog?: pulumi.Input<CatalogInput>;
}

/** pgBackRest backups of one local server on a cron (type `pulumi-nodejs:dynamic/pgplatform:LocalBackupPolicy`). */
export class LocalBackupPolicy extends pulumi.dynamic.Resource {
  declare readonly stanza: pulumi.Output<string>;
  declare readonly configPath: pulumi.Output<string>;
  declare readonly schedulerPid: pulumi.Output<number>;
  declare readonly schedulerRunning: pulumi.Output<boolean>;
  declare readonly nextSchedule: pulumi.Output<string>;
  /** ISO time the last successful backup stopped; `""` before the first. */
  declare readonly lastSuccessful: pulumi.Output<string>;
  declare readonly backups: pulumi.Output<BackupRecord[]>;
  declare readonly status: pulumi.Output<"RUNNING" | "FAILED">;
  declare readonly problems: pulumi.Output<string[]>;

  constructor(name: string, args: LocalBackupPolicyArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = { stanza: undefined, configPath: undefined, schedulerPid: undefined, schedulerRunning: undefined, nextSchedule: undefined, lastSuccessful: undefined, backups: undefined, status: undefined, problems: undefined, lastJob: undefined, drift: undefined };
    super(
      localBackupPolicyProvider,
      name,
      { kind: LOCAL_BACKUP_POLICY_KIND, ...outputs, ...args, ...(args.catalog ? { catalog: pulumi.secret(args.catalog) } : {}) },
      opts,
      "pgplatform",
      "LocalBackupPolicy",
    );
  }
}
