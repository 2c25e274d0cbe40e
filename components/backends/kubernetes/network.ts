/**
 * NetworkPolicies: who may reach a Cluster's pods. PostgreSQL's port admits only the allowlist
 * (namespaces, pod labels, non-loopback CIDRs; the Cluster's own namespace when none is given);
 * the instances reach each other, the operator reaches the status port, Prometheus the metrics port.
 */
import { isLoopback, parseCidr } from "../../model/network";
import { CLUSTER_LABEL, METRICS_PORT, PG_PORT, STATUS_PORT } from "./names";
import { DbSpec, ResolvedK8s } from "./options";

/** A NetworkPolicy spec as built here (plain data, assignable to the provider's input type). */
export interface PolicySpec {
  podSelector: Record<string, any>;
  policyTypes: string[];
  ingress: { from: Record<string, any>[]; ports: { protocol: string; port: number }[] }[];
}

const NAMESPACE_NAME = "kubernetes.io/metadata.name";
const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));
const inNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME]: ns } } });

/** The peers the allowlist admits to PostgreSQL's port. */
export function allowlistPeers(network: DbSpec["network"]): Record<string, any>[] {
  const peers: Record<string, any>[] = [];
  const podLabels = Object.keys(network.allowedPodLabels).length > 0 ? { podSelector: { matchLabels: { ...network.allowedPodLabels } } } : {};
  for (const ns of network.allowedNamespaces) peers.push({ ...inNamespace(ns), ...podLabels });
  if (network.allowedNamespaces.length === 0) peers.push(Object.keys(podLabels).length > 0 ? podLabels : { podSelector: {} });
  for (const text of network.allowedCidrs) {
    const cidr = parseCidr(text);
    if (cidr && !isLoopback(cidr)) peers.push({ ipBlock: { cidr: `${cidr.address}/${cidr.prefix}` } });
  }
  if (network.publicAccess && !peers.some((p) => p.ipBlock?.cidr === "0.0.0.0/0")) peers.push({ ipBlock: { cidr: "0.0.0.0/0" } });
  return peers;
}

/** The NetworkPolicy spec guarding the pods of `cluster`. */
export function accessPolicySpec(spec: DbSpec, o: ResolvedK8s, cluster: string): PolicySpec {
  const own = { podSelector: { matchLabels: { [CLUSTER_LABEL]: cluster } } };
  const ingress: PolicySpec["ingress"] = [
    { from: allowlistPeers(spec.network), ports: tcp(PG_PORT) },
    // Streaming replication, pg_rewind and the instance manager between the Cluster's own pods.
    { from: [own], ports: tcp(PG_PORT, STATUS_PORT) },
    { from: [inNamespace(o.operatorNamespace)], ports: tcp(STATUS_PORT) },
  ];
  if (o.monitoringNamespace) ingress.push({ from: [inNamespace(o.monitoringNamespace)], ports: tcp(METRICS_PORT) });
  return { podSelector: own.podSelector, policyTypes: ["Ingress"], ingress };
}

/** A NetworkPolicy spec letting the pods matching `peers` reach PostgreSQL on the pods of `cluster` (replica clusters, poolers). */
export function peerAccessSpec(cluster: string, peers: Record<string, string>[]): PolicySpec {
  return {
    podSelector: { matchLabels: { [CLUSTER_LABEL]: cluster } },
    policyTypes: ["Ingress"],
    ingress: [{ from: peers.map((matchLabels) => ({ podSelector: { matchLabels } })), ports: tcp(PG_PORT) }],
  };
}
