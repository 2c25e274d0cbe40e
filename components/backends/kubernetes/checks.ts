/**
 * What the kubernetes back end refuses before anything is registered: each check lists every
 * problem, naming the field, the value received and how to fix it, in one ValidationError.
 */
import { ValidationError, Problem, show } from "../../model/errors";
import { clusterNameProblem, K8S_DEFAULTS } from "../../model/schemas/kubernetes";
import { BackupPolicySpec, BlueGreenUpgradeSpec, ReadReplicaSetSpec } from "../../model/spec";
import { PLANS } from "../../model/plans";
import { KubernetesHandle } from "./handle";
import { CNPG_FIXED_PARAMETERS, DbSpec, imageMajor } from "./options";

/** The subject line of the back end's errors: `Invalid args for PgSingle "orders" on the kubernetes back end`. */
export function subjectOnK8s(component: string, name: string): string {
  return `Invalid args for ${component} ${JSON.stringify(name)} on the kubernetes back end`;
}

/** Throws one ValidationError when `problems` is not empty. */
export function throwIfAny(component: string, name: string, problems: Problem[]): void {
  if (problems.length > 0) throw new ValidationError(subjectOnK8s(component, name), problems);
}

/** The problem when a name that becomes a Cluster name is not one (the field names how to override it). */
export function derivedNameProblem(what: string, value: string, fix: string): Problem | undefined {
  if (!clusterNameProblem("x", value)) return undefined;
  return {
    path: fix,
    message: `\`${fix}\` is needed: ${what} ${show(value)} is not a DNS-1035 label of at most ${K8S_DEFAULTS.maxClusterNameLength} characters (lower-case letters, digits and \`-\`, starting with a letter), and the CNPG Cluster and its Services are named after it`,
  };
}

/** Problems of a PgSingle or PgCluster spec on this back end. */
export function dbProblems(spec: DbSpec): Problem[] {
  const out: Problem[] = [];
  const k = spec.kubernetes;
  const add = (path: string, message: string) => out.push({ path, message });
  if (spec.quotas) {
    add("quotas", "`quotas` on a db_resource are measured and enforced by the `local` back end only; on `kubernetes` the PrometheusRule alerts near the storage and connection limits (`kubernetes.alerts`), and tenants take `TenantDatabase.quotas`");
  }
  if (spec.maintenance && spec.maintenance.vacuumAnalyze !== (k.scheduledVacuum ?? true)) {
    add(
      "maintenance.vacuumAnalyze",
      `\`maintenance.vacuumAnalyze\` is the vacuum CronJob on \`kubernetes\`, which \`kubernetes.scheduledVacuum\` turns on and off (default true): set both alike; got ${spec.maintenance.vacuumAnalyze} with \`kubernetes.scheduledVacuum\` ${k.scheduledVacuum ?? true}`,
    );
  }
  if (!k.clusterName) {
    const p = derivedNameProblem("the component's name", spec.name, "kubernetes.clusterName");
    if (p) out.push(p);
  }
  if (spec.backup.enabled && !k.backupStore) {
    add(
      "kubernetes.backupStore",
      `\`kubernetes.backupStore\` is required when backups are on (\`backup.enabled\` is true, plan \`${spec.plan}\`'s default unless set): the Barman Cloud plugin archives WAL and base backups to an S3 bucket; give \`{ bucket, credentials: { secretName } }\` (or \`inheritFromIAMRole: true\`), or set \`backup.enabled: false\`; got nothing`,
    );
  }
  if (!spec.backup.enabled && k.backupSchedule !== undefined) {
    add("kubernetes.backupSchedule", `\`kubernetes.backupSchedule\` needs backups on (\`backup.enabled\` is false); got ${show(k.backupSchedule)}`);
  }
  if (spec.environmentTier === "production" && !k.storageClass) {
    add(
      "kubernetes.storageClass",
      `\`kubernetes.storageClass\` is required in production (\`environmentId\` ${show(spec.environmentId)} is ${spec.environmentTier}): the cluster's default StorageClass is a guess; name one with \`allowVolumeExpansion: true\` (storage only grows), \`volumeBindingMode: WaitForFirstConsumer\` and the plan's IOPS (${spec.storage.iops}); got nothing`,
    );
  }
  if (k.imageName) {
    const major = imageMajor(k.imageName);
    if (major !== spec.version) {
      add(
        "kubernetes.imageName",
        `\`kubernetes.imageName\` must carry the db_resource's major (\`version\` ${spec.version}) at the start of its tag, such as \`ghcr.io/cloudnative-pg/postgresql:${spec.version}-standard-trixie\` (CNPG reads the major from it); got ${show(k.imageName)}`,
      );
    }
  }
  for (const name of Object.keys(spec.parameters)) {
    if ((CNPG_FIXED_PARAMETERS as readonly string[]).includes(name)) {
      add(`parameters.${name}`, `\`parameters.${name}\` is set by CloudNativePG itself and refused in \`postgresql.parameters\`; remove it; got ${show(spec.parameters[name])}`);
    }
  }
  for (const [key, value] of Object.entries(spec.labels)) {
    if (value.length > 63) {
      add("projectId", `\`projectId\` and \`environmentId\` make the label \`${key}\` ${value.length} characters long (${show(value)}), and Kubernetes label values hold at most 63; shorten them`);
    }
  }
  return out;
}

/** Problems of a ReadReplicaSet on this back end. */
export function replicaProblems(spec: ReadReplicaSetSpec, source: KubernetesHandle): Problem[] {
  const out: Problem[] = [];
  if (clusterNameProblem("name", spec.name)) {
    out.push({
      path: "name",
      message: `the ReadReplicaSet's name ${show(spec.name)} must be a DNS-1035 label of at most ${K8S_DEFAULTS.maxClusterNameLength} characters (lower-case letters, digits and \`-\`, starting with a letter), since its replica Cluster and Services are named after it; rename it`,
    });
  }
  if (source.spec.lifecycle.state === "paused") {
    out.push({ path: "source", message: `\`source\` is paused (\`lifecycle.state\` \`paused\` hibernates its Cluster ${show(source.clusterName)}), and a replica cluster streams from a running primary; resume it first` });
  }
  return out;
}

/** Problems of a BackupPolicy on this back end. */
export function backupProblems(spec: BackupPolicySpec, target: KubernetesHandle): Problem[] {
  const out: Problem[] = [];
  const t = target.spec;
  if (!t.backup.enabled || !target.archive) {
    out.push({
      path: "target",
      message: `\`target\` must have backups on (its \`backup.enabled\` and \`kubernetes.backupStore\`): on kubernetes the WAL archiver lives in the Cluster spec, so the db_resource renders it; got \`backup.enabled\` ${t.backup.enabled}`,
    });
    return out;
  }
  if (spec.retentionDays !== t.backup.retentionDays) {
    out.push({
      path: "retentionDays",
      message: `\`retentionDays\` must equal the target's \`backup.retentionDays\` (${t.backup.retentionDays}): the ObjectStore keeps one retention policy for the whole archive; set it on the target or leave \`retentionDays\` out; got ${spec.retentionDays}`,
    });
  }
  const store = target.options.backupStore!;
  if (spec.location.bucket !== undefined && spec.location.bucket !== store.bucket) {
    out.push({ path: "location.bucket", message: `\`location.bucket\` must be the target's \`kubernetes.backupStore.bucket\` (${show(store.bucket)}), where its WAL archiver writes; got ${show(spec.location.bucket)}` });
  }
  if (spec.location.prefix !== undefined && spec.location.prefix !== store.prefix) {
    out.push({ path: "location.prefix", message: `\`location.prefix\` must be the target's backup store prefix (${show(store.prefix)}), where its WAL archiver writes; got ${show(spec.location.prefix)}` });
  }
  return out;
}

/** Problems of a BlueGreenUpgrade on this back end. */
export function upgradeProblems(spec: BlueGreenUpgradeSpec, source: KubernetesHandle): Problem[] {
  const out: Problem[] = [];
  if (spec.strategy === "in_place") {
    out.push({
      path: "strategy",
      message: `\`strategy\` \`in_place\` is done on kubernetes by setting \`version: "${spec.targetVersion}"\` on the db_resource itself (CNPG >= 1.26 runs pg_upgrade when the image's major changes); remove the BlueGreenUpgrade or use \`blue_green\`; got "in_place"`,
    });
  }
  if (spec.tablesWithoutPrimaryKey === "replica_identity_full") {
    out.push({
      path: "tablesWithoutPrimaryKey",
      message: '`tablesWithoutPrimaryKey` `replica_identity_full` needs SQL on the source, which the kubernetes back end does not run (CNPG has no CRD for it); run `ALTER TABLE ... REPLICA IDENTITY FULL` yourself and use `refuse`; got "replica_identity_full"',
    });
  }
  if (source.spec.lifecycle.state === "paused") {
    out.push({ path: "source", message: `\`source\` is paused (its Cluster ${show(source.clusterName)} is hibernated), and the green side copies from a running primary; resume it first` });
  }
  const green = PLANS[spec.targetPlan];
  if (green.backup.enabled && !source.options.backupStore) {
    out.push({
      path: "targetPlan",
      message: `\`targetPlan\` \`${spec.targetPlan}\` takes backups, and the source has no \`kubernetes.backupStore\` for the green side to archive to; give the source one; got nothing`,
    });
  }
  return out;
}
