/**
 * Normalizer of the local back end's server, a dynamic resource told apart by its `kind` input
 * (`pgplatform:local:server`) whatever its type token. Plan, project and environment come from its
 * `labels`; deletion protection is the Pulumi `protect` option, the only one it has.
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
  const labelled = readers.kind!;
  readers.kind = (s) => {
    const r = labelled(s);
    return r.value === undefined ? given("resourceKind", props.resourceKind, (v) => (v === "pg_single" || v === "pg_cluster" ? v : undefined)) : r;
  };
  return { base: { origin: "primitive", type, name, label: `LocalServer ${JSON.stringify(name)}`, role: "database" }, readers };
}
