/**
 * Normalizers of the AWS primitives (docs: ../shared/reference/aws.md): `rds.Instance`,
 * `rds.Cluster` (Aurora PostgreSQL or an RDS Multi-AZ DB cluster), `rds.ClusterInstance` and the
 * parameter groups. Plan, project and environment come from the `pgplatform.io/*` `tags`; property
 * defaults are the provider's (`backupRetentionPeriod` 0 on an instance, 1 on a cluster, ...).
 */
import { MULTI_AZ_CLUSTER_STANDBYS } from "../../../components/model/schemas/pgCluster";
import { LabelSource, asBool, asMajor, asNumber, asString, fixed, given, labelReaders, withDefault, withLabels } from "./readings";
import { FactReaders, Reading, SubjectBase } from "./types";

/** The AWS types this file reads. */
export const AWS_RDS_TYPES = {
  instance: "aws:rds/instance:Instance",
  cluster: "aws:rds/cluster:Cluster",
  clusterInstance: "aws:rds/clusterInstance:ClusterInstance",
  parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
  clusterParameterGroup: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
} as const;

const POSTGRES_ENGINES = ["postgres", "aurora-postgresql"];
type Parts = { base: SubjectBase; readers: FactReaders } | undefined;

const tagSource = (props: Record<string, any>): LabelSource => ({ read: () => props.tags, field: "tags", word: "tag" });
const tags = (props: Record<string, any>) => labelReaders(tagSource(props));
/** `readers` with the `pgplatform.io/*` tag facts under them. */
const tagged = (props: Record<string, any>, readers: FactReaders) => withLabels(tagSource(props), readers);
const base = (type: string, name: string, short: string, role: SubjectBase["role"]): SubjectBase => ({
  origin: "primitive",
  type,
  name,
  label: `${short} ${JSON.stringify(name)}`,
  role,
});

/** Automated backups (and with them PITR) are on when the retention is at least one day. */
function backupReadings(raw: unknown, fallback: number): { enabled: Reading<boolean>; retention: Reading<number> } {
  const retention = withDefault("backupRetentionPeriod", raw, asNumber, fallback);
  const need = () => "`backupRetentionPeriod` >= 1 (automated backups, which also give PITR)";
  const enabled: Reading<boolean> = {
    value: retention.value === undefined ? undefined : retention.value >= 1,
    field: "backupRetentionPeriod",
    got: retention.got,
    need,
  };
  return { enabled, retention };
}

/** `rds.Instance` with engine `postgres` (or none given, as on a read replica). */
export function rdsInstanceSubject(type: string, name: string, props: Record<string, any>): Parts {
  if (type !== AWS_RDS_TYPES.instance) return undefined;
  if (props.engine !== undefined && props.engine !== "postgres") return undefined;
  // `in` does not read the value, so an identifier unknown at preview still tells a replica apart.
  const replica = "replicateSourceDb" in props;
  const backups = () => backupReadings(props.backupRetentionPeriod, 0);
  const readers = tagged(props, {
    backend: () => fixed("type", "aws", `\`${type}\``),
    version: () => given("engineVersion", props.engineVersion, asMajor),
    instanceClass: () => given("instanceClass", props.instanceClass, asString),
    storageGb: () => given("allocatedStorage", props.allocatedStorage, asNumber),
    autoscaleMaxGb: () => withDefault("maxAllocatedStorage", props.maxAllocatedStorage, asNumber, 0),
    multiAz: () => withDefault("multiAz", props.multiAz, asBool, false),
    standbys: (s) => {
      const multiAz = s.read("multiAz")!;
      const given = props.multiAz !== undefined && props.multiAz !== null;
      return {
        value: multiAz.value === undefined ? undefined : multiAz.value ? 1 : 0,
        field: "multiAz",
        got: given ? `${multiAz.value ? 1 : 0} (\`multiAz\` ${multiAz.got})` : "0 (no `multiAz`)",
        need: (op, want) => `\`standbys\` ${op} ${want}, more than an \`rds.Instance\` can have (\`multiAz\` gives it one; use an \`rds.Cluster\`)`,
      };
    },
    syncStandbys: (s) => {
      const standbys = s.read("standbys")!;
      const need = (op: string, want: unknown) =>
        Number(want) <= 1 ? "`multiAz` true (its one, synchronous, standby)" : `\`syncStandbys\` ${op} ${want}, more than an \`rds.Instance\` can have (use an \`rds.Cluster\`)`;
      return { ...standbys, need };
    },
    backupEnabled: () => backups().enabled,
    pitr: () => backups().enabled,
    retentionDays: () => backups().retention,
    backupSchedule: () => fixed("backupWindow", "daily", "daily automated backups"),
    deletionProtection: () => withDefault("deletionProtection", props.deletionProtection, asBool, false),
    publicAccess: () => withDefault("publiclyAccessible", props.publiclyAccessible, asBool, false),
    kmsKeyId: () => given("kmsKeyId", props.kmsKeyId, asString),
  });
  // A replica's encryption follows its source; the source is judged itself.
  if (!replica) readers.storageEncrypted = () => withDefault("storageEncrypted", props.storageEncrypted, asBool, false);
  return { base: base(type, name, "rds.Instance", replica ? "replica" : "database"), readers };
}

/** `rds.Cluster` with engine `aurora-postgresql`, or `postgres` (an RDS Multi-AZ DB cluster). */
export function rdsClusterSubject(type: string, name: string, props: Record<string, any>): Parts {
  if (type !== AWS_RDS_TYPES.cluster || !POSTGRES_ENGINES.includes(props.engine)) return undefined;
  const multiAzCluster = props.engine === "postgres";
  const backups = () => backupReadings(props.backupRetentionPeriod, 1);
  const readers = tagged(props, {
    kind: (s) => {
      const r = tags(props).kind!(s);
      return r.value === undefined ? fixed("type", "pg_cluster", `\`${type}\``) : r;
    },
    backend: () => fixed("type", "aws", `\`${type}\``),
    version: () => given("engineVersion", props.engineVersion, asMajor),
    backupEnabled: () => backups().enabled,
    pitr: () => backups().enabled,
    retentionDays: () => backups().retention,
    backupSchedule: () => fixed("preferredBackupWindow", "daily", "daily automated backups"),
    deletionProtection: () => withDefault("deletionProtection", props.deletionProtection, asBool, false),
    storageEncrypted: () => withDefault("storageEncrypted", props.storageEncrypted, asBool, false),
    kmsKeyId: () => given("kmsKeyId", props.kmsKeyId, asString),
  });
  if (multiAzCluster) {
    const shape = "`engine` `postgres` (an RDS Multi-AZ DB cluster: 1 writer and 2 readable standbys in 3 zones)";
    readers.standbys = () =>
      fixed("engine", MULTI_AZ_CLUSTER_STANDBYS, shape, (op, want) => `\`standbys\` ${op} ${want}, more than an RDS Multi-AZ DB cluster has (use Aurora, \`engine\` \`aurora-postgresql\`)`);
    readers.multiAz = () => fixed("engine", true, shape);
    // A Multi-AZ DB cluster commits once one of its two readers has the change (semi-synchronous).
    readers.syncStandbys = () => fixed("engine", 1, shape);
    readers.instanceClass = () => given("dbClusterInstanceClass", props.dbClusterInstanceClass, asString);
    readers.storageGb = () => given("allocatedStorage", props.allocatedStorage, asNumber);
    readers.publicAccess = () => withDefault("publiclyAccessible", props.publiclyAccessible, asBool, false);
  } else {
    // Aurora's standbys are ClusterInstances (other resources); the zones it may use are known here, when given.
    readers.multiAz = () => {
      const zones: unknown = props.availabilityZones;
      if (!Array.isArray(zones)) return { value: undefined, field: "availabilityZones", got: "nothing" };
      return { value: zones.length >= 2, field: "availabilityZones", got: JSON.stringify([...zones]), need: () => "`availabilityZones` with 2 or more zones" };
    };
  }
  return { base: base(type, name, "rds.Cluster", "database"), readers };
}

/** `rds.ClusterInstance` of an Aurora PostgreSQL (or Multi-AZ DB) cluster: a member, judged for its class, version and exposure. */
export function rdsClusterInstanceSubject(type: string, name: string, props: Record<string, any>): Parts {
  if (type !== AWS_RDS_TYPES.clusterInstance) return undefined;
  if (props.engine !== undefined && !POSTGRES_ENGINES.includes(props.engine)) return undefined;
  const readers = tagged(props, {
    backend: () => fixed("type", "aws", `\`${type}\``),
    version: () => given("engineVersion", props.engineVersion, asMajor),
    instanceClass: () => given("instanceClass", props.instanceClass, asString),
    publicAccess: () => withDefault("publiclyAccessible", props.publiclyAccessible, asBool, false),
  });
  return { base: base(type, name, "rds.ClusterInstance", "member"), readers };
}

/** `rds.ParameterGroup` / `rds.ClusterParameterGroup` of a PostgreSQL family (`postgres16`, `aurora-postgresql16`). */
export function rdsParameterGroupSubject(type: string, name: string, props: Record<string, any>): Parts {
  const short = type === AWS_RDS_TYPES.parameterGroup ? "rds.ParameterGroup" : type === AWS_RDS_TYPES.clusterParameterGroup ? "rds.ClusterParameterGroup" : undefined;
  if (!short || !/^(postgres|aurora-postgresql)\d+$/.test(String(props.family))) return undefined;
  const parameter = (wanted: string): Reading<string> => {
    const list: unknown = props.parameters;
    const items = Array.isArray(list) ? list : [];
    const i = items.findIndex((p: any) => p && p.name === wanted);
    if (i < 0) return { value: undefined, field: "parameters", got: "nothing" };
    return given(`parameters[${i}].value`, items[i].value, (v) => (v === null || v === undefined ? undefined : String(v)));
  };
  const readers = tagged(props, {
    backend: () => fixed("type", "aws", `\`${type}\``),
    forceSsl: () => {
      const r = parameter("rds.force_ssl");
      return { ...r, value: r.value === undefined ? undefined : r.value.trim() === "1" };
    },
    sslMinProtocolVersion: () => parameter("ssl_min_protocol_version"),
  });
  return { base: base(type, name, short, "parameters"), readers };
}
