/**
 * Normalizer of the CloudNativePG `Cluster` custom resource (docs: ../shared/reference/cnpg.md).
 * Labels sit under `metadata.labels`; standbys are `spec.instances` - 1; zones come from
 * `spec.affinity.topologyKey` or `spec.topologySpreadConstraints`; backups and PITR from the WAL
 * archiver in `spec.plugins` (or the deprecated `spec.backup.barmanObjectStore`); deletion
 * protection is the Pulumi `protect` option (CNPG has none of its own).
 */
import { show } from "../../../components/model/errors";
import { parseCidr } from "../../../components/model/network";
import { protectReading } from "./local";
import { allowlist, asMajor, asNumber, asString, fixed, given, withDefault, withLabels } from "./readings";
import { quantityGib } from "./quantity";
import { AllowlistEntry, FactReaders, Reading, SubjectBase } from "./types";

/** The CNPG Cluster's type token as the Kubernetes provider registers it. */
export const CNPG_CLUSTER_TYPE = "kubernetes:postgresql.cnpg.io/v1:Cluster";
/** The topology key that spreads pods over zones. */
export const ZONE_KEY = "topology.kubernetes.io/zone";
/** Service annotations that keep a LoadBalancer off the internet. */
const INTERNAL_LB: Readonly<Record<string, string>> = {
  "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
  "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
  "networking.gke.io/load-balancer-type": "Internal",
  "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
};

/** Address ranges of the `host*` lines of `spec.postgresql.pg_hba` that do not `reject`. */
export function pgHbaEntries(lines: unknown): AllowlistEntry[] {
  if (!Array.isArray(lines)) return [];
  const out: AllowlistEntry[] = [];
  lines.forEach((line, i) => {
    if (typeof line !== "string") return;
    const t = line.trim().split(/\s+/);
    if (!/^host/.test(t[0] ?? "") || t.length < 5) return;
    const [address, maskOrMethod, method] = [t[3], t[4], t[5]];
    if ((/^\d+\.\d+\.\d+\.\d+$/.test(address) ? method : maskOrMethod) === "reject") return;
    let cidr: string | undefined;
    if (address === "all") cidr = "0.0.0.0/0";
    else if (/^\d+\.\d+\.\d+\.\d+$/.test(address) && /^\d+\.\d+\.\d+\.\d+$/.test(maskOrMethod)) {
      const prefix = maskOrMethod.split(".").reduce((n, o) => n + (Number(o) >>> 0).toString(2).replace(/0/g, "").length, 0);
      cidr = `${address}/${prefix}`;
    } else {
      const c = parseCidr(address);
      cidr = c ? `${c.address}/${c.prefix}` : undefined;
    }
    out.push({ field: `spec.postgresql.pg_hba[${i}]`, text: line, cidr });
  });
  return out;
}

/** The base and readers of a CNPG Cluster. */
export function cnpgClusterSubject(type: string, name: string, props: Record<string, any>, protect: boolean | undefined): { base: SubjectBase; readers: FactReaders } | undefined {
  if (type !== CNPG_CLUSTER_TYPE) return undefined;
  const spec = (): Record<string, any> => props.spec ?? {};
  const readers = withLabels({ read: () => props.metadata?.labels, field: "metadata.labels", word: "label" }, {
    backend: () => fixed("type", "kubernetes", `\`${type}\``),
    version: () => {
      const catalogMajor = spec().imageCatalogRef?.major;
      if (catalogMajor !== undefined) return given("spec.imageCatalogRef.major", catalogMajor, asMajor);
      const image = spec().imageName;
      const tag = typeof image === "string" && !image.includes("@") ? /:(\d+)[^/:]*$/.exec(image) : null;
      return { value: tag ? asMajor(tag[1]) : undefined, field: "spec.imageName", got: show(image) };
    },
    storageGb: () => given("spec.storage.size", spec().storage?.size, quantityGib),
    cpu: () => given("spec.resources.requests.cpu", spec().resources?.requests?.cpu, quantityText),
    memory: () => given("spec.resources.requests.memory", spec().resources?.requests?.memory, quantityText),
    cpuLimit: () => given("spec.resources.limits.cpu", spec().resources?.limits?.cpu, quantityText),
    memoryLimit: () => given("spec.resources.limits.memory", spec().resources?.limits?.memory, quantityText),
    standbys: () => {
      const r = withDefault("spec.instances", spec().instances, asNumber, 1);
      return {
        ...r,
        value: r.value === undefined ? undefined : r.value - 1,
        need: (op, want) => `\`spec.instances\` ${op} ${Number(want) + 1} (1 primary + ${want} standbys)`,
      };
    },
    syncStandbys: () => syncReading(spec()),
    multiAz: () => multiAzReading(spec()),
    walArchiver: () => walArchiverReading(spec().plugins),
    backupEnabled: (s) => archiving(s.read("walArchiver")!, spec()),
    pitr: (s) => archiving(s.read("walArchiver")!, spec()),
    legacyBackup: () => {
      const store = spec().backup?.barmanObjectStore;
      return { value: store !== undefined && store !== null, field: "spec.backup.barmanObjectStore", got: show(store ?? undefined) };
    },
    deletionProtection: () => protectReading(protect),
    publicAccess: () => publicReading(spec().managed?.services?.additional),
    allowedCidrs: () => allowlist("spec.postgresql.pg_hba", pgHbaEntries(spec().postgresql?.pg_hba)),
  });
  const role = spec().replica?.enabled === true ? "replica" : "database";
  return { base: { origin: "primitive", type, name, label: `CNPG Cluster ${JSON.stringify(name)}`, role }, readers };
}

const quantityText = (v: unknown): string | undefined => (typeof v === "string" || typeof v === "number" ? String(v) : undefined);

/** Synchronous standbys: `spec.postgresql.synchronous.number`, else the deprecated `spec.minSyncReplicas`, else none. */
function syncReading(spec: Record<string, any>): Reading<number> {
  const need = (op: string, want: unknown) => `\`spec.postgresql.synchronous\` with \`number\` ${op} ${want}`;
  const sync = spec.postgresql?.synchronous;
  if (sync !== undefined && sync !== null) return given("spec.postgresql.synchronous.number", sync.number, asNumber, need);
  const legacy = spec.minSyncReplicas;
  if (legacy !== undefined && legacy !== null) return given("spec.minSyncReplicas", legacy, asNumber, need);
  return { value: 0, field: "spec.postgresql.synchronous", got: "nothing (asynchronous replication)", need };
}

function multiAzReading(spec: Record<string, any>): Reading<boolean> {
  const spread = spec.topologySpreadConstraints;
  const spreadIndex = Array.isArray(spread) ? spread.findIndex((c: any) => c && c.topologyKey === ZONE_KEY) : -1;
  if (spreadIndex >= 0) return fixed(`spec.topologySpreadConstraints[${spreadIndex}].topologyKey`, true, show(ZONE_KEY));
  const affinity = spec.affinity ?? {};
  const key = affinity.topologyKey;
  const on = affinity.enablePodAntiAffinity !== false && key === ZONE_KEY;
  return {
    value: on,
    field: "spec.affinity.topologyKey",
    got: affinity.enablePodAntiAffinity === false ? "`spec.affinity.enablePodAntiAffinity` false" : key === undefined ? 'nothing (the default, "kubernetes.io/hostname")' : show(key),
    need: () => `\`spec.affinity.topologyKey\` \`${ZONE_KEY}\` (or a \`spec.topologySpreadConstraints\` entry on that key)`,
  };
}

function walArchiverReading(plugins: unknown): Reading<string> {
  const list: any[] = Array.isArray(plugins) ? plugins : [];
  const i = list.findIndex((p) => p && p.isWALArchiver === true && p.enabled !== false);
  const summary = list.map((p) => (p ? { name: p.name, ...(p.enabled === false ? { enabled: false } : {}), isWALArchiver: p.isWALArchiver ?? false } : p));
  const field = i >= 0 ? `spec.plugins[${i}]` : "spec.plugins";
  return { value: i >= 0 ? asString(list[i].name) : undefined, field, got: list.length ? show(summary) : "nothing" };
}

function archiving(wal: Reading<string>, spec: Record<string, any>): Reading<boolean> {
  const legacy = spec.backup?.barmanObjectStore;
  return {
    value: wal.value !== undefined || (legacy !== undefined && legacy !== null),
    field: wal.field,
    got: wal.got,
    need: () => "a WAL archiver in `spec.plugins` (`isWALArchiver: true`)",
  };
}

function publicReading(additional: unknown): Reading<boolean> {
  const list: any[] = Array.isArray(additional) ? additional : [];
  for (let i = 0; i < list.length; i++) {
    const template = list[i]?.serviceTemplate ?? {};
    if (template.spec?.type !== "LoadBalancer") continue;
    const annotations = template.metadata?.annotations ?? {};
    if (Object.entries(INTERNAL_LB).some(([k, v]) => annotations[k] === v)) continue;
    return fixed(`spec.managed.services.additional[${i}].serviceTemplate.spec.type`, true, show("LoadBalancer"));
  }
  return fixed("spec.managed.services.additional", false, "nothing");
}
