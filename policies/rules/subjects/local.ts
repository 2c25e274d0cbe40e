/**
 * Normalizers of the local back end's db_resources, dynamic resources told apart by their `kind`
 * input whatever their type token: the server of a pg_single (`pgplatform:local:server`) and the
 * Patroni cluster of a pg_cluster (`pgplatform:local:cluster`). Plan, project and environment come
 * from their `labels`; deletion protection is the Pulumi `protect` option, the only one they have.
 * A local cluster runs on one machine: it shows no zones (`multiAz`), so no rule judges them on it.
 */
import { KINDS } from "../../../components/providers/values";
import { allowlist, asMajor, asNumber, cidrEntries, fixed, given, withLabels } from "./readings";
import { FactReaders, SubjectBase } from "./types";

/** Prefix of every dynamic resource's type token (`pulumi-nodejs:dynamic/pgplatform:LocalServer`). */
export const DYNAMIC_TYPE_PREFIX = "pulumi-nodejs:dynamic";

/** Readers of the `protect` resource option as deletion protection. */
export function protectReading(protect: boolean | undefined) {
  return fixed("protect", protect === true, String(protect === true), () => "the `protect` resource option");
}

/** The kind from the `pgplatform.io/kind` label, else from the `resourceKind` input. */
function kindFromLabelOrInput(readers: FactReaders, props: Record<string, any>): void {
  const labelled = readers.kind!;
  readers.kind = (s) => {
    const r = labelled(s);
    return r.value === undefined ? given("resourceKind", props.resourceKind, (v) => (v === "pg_single" || v === "pg_cluster" ? v : undefined)) : r;
  };
}

/** The base and readers of a local server or cluster; undefined for any other dynamic resource. */
export function localSubject(type: string, name: string, props: Record<string, any>, protect: boolean | undefined): { base: SubjectBase; readers: FactReaders } | undefined {
  if (!type.startsWith(DYNAMIC_TYPE_PREFIX)) return undefined;
  if (props.kind === KINDS.localServer) return localServerSubject(type, name, props, protect);
  if (props.kind === KINDS.localCluster) return localClusterSubject(type, name, props, protect);
  return undefined;
}

/** The base and readers of a local Patroni cluster (a pg_cluster); undefined for any other dynamic resource. */
export function localClusterSubject(type: string, name: string, props: Record<string, any>, protect: boolean | undefined): { base: SubjectBase; readers: FactReaders } | undefined {
  if (!type.startsWith(DYNAMIC_TYPE_PREFIX) || props.kind !== KINDS.localCluster) return undefined;
  const readers = withLabels({ read: () => props.labels, field: "labels", word: "label" }, {
    backend: () => fixed("kind", "local", `\`${KINDS.localCluster}\``),
    version: () => given("version", props.version, asMajor),
    storageGb: () => given("storageGb", props.storageGb, asNumber),
    standbys: () => given("standbys", props.standbys, asNumber),
    syncStandbys: () => given("syncStandbys", props.syncStandbys, asNumber),
    allowedCidrs: () => allowlist("allowedCidrs", cidrEntries("allowedCidrs", props.allowedCidrs)),
    deletionProtection: () => protectReading(protect),
  });
  kindFromLabelOrInput(readers, props);
  return { base: { origin: "primitive", type, name, label: `LocalCluster ${JSON.stringify(name)}`, role: "database" }, readers };
}

/** The base and readers of a local server; undefined for any other dynamic resource. */
export function localServerSubject(type: string, name: string, props: Record<string, any>, protect: boolean | undefined): { base: SubjectBase; readers: FactReaders } | undefined {
  if (!type.startsWith(DYNAMIC_TYPE_PREFIX) || props.kind !== KINDS.localServer) return undefined;
  const readers = withLabels({ read: () => props.labels, field: "labels", word: "label" }, {
    backend: () => fixed("kind", "local", `\`${KINDS.localServer}\``),
    version: () => given("version", props.version, asMajor),
    storageGb: () => given("storageGb", props.storageGb, asNumber),
    allowedCidrs: () => allowlist("allowedCidrs", cidrEntries("allowedCidrs", props.allowedCidrs)),
    deletionProtection: () => protectReading(protect),
  });
  kindFromLabelOrInput(readers, props);
  return { base: { origin: "primitive", type, name, label: `LocalServer ${JSON.stringify(name)}`, role: "database" }, readers };
}
