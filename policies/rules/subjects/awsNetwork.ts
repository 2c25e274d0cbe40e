/**
 * Normalizers of AWS network allowlists: `ec2.SecurityGroup` inline `ingress`,
 * `vpc.SecurityGroupIngressRule` and `ec2.SecurityGroupRule` (type `ingress`). Each CIDR becomes an
 * allowlist entry with the ports it opens, so a rule can tell a range opened on the database port
 * from one opened elsewhere.
 */
import { parseCidr } from "../../../components/model/network";
import { allowlist, asNumber, cidrEntries, fixed, withLabels } from "./readings";
import { AllowlistEntry, FactReaders, SubjectBase } from "./types";

/** The AWS network types this file reads. */
export const AWS_NETWORK_TYPES = {
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
} as const;

type Parts = { base: SubjectBase; readers: FactReaders } | undefined;

/** Ports a rule opens: every port for protocol `-1`/`all`, its range for TCP, none for other protocols. */
export function portsOf(protocol: unknown, from: unknown, to: unknown): AllowlistEntry["ports"] | null {
  const p = String(protocol).toLowerCase();
  if (p === "-1" || p === "all") return { from: 0, to: 65535 };
  if (p !== "tcp" && p !== "6") return null;
  const lo = asNumber(from);
  const hi = asNumber(to);
  return { from: lo ?? 0, to: hi ?? lo ?? 65535 };
}

function entriesOf(prefix: string, rule: Record<string, any>, protocol: unknown, v4: string, v6: string): AllowlistEntry[] {
  const ports = portsOf(protocol, rule.fromPort, rule.toPort);
  if (ports === null) return [];
  return [...cidrEntries(`${prefix}${v4}`, rule[v4], ports), ...cidrEntries(`${prefix}${v6}`, rule[v6], ports)];
}

function single(field: string, text: unknown, ports: AllowlistEntry["ports"]): AllowlistEntry[] {
  if (typeof text !== "string") return [];
  const c = parseCidr(text);
  return [{ field, text, cidr: c ? `${c.address}/${c.prefix}` : undefined, ports }];
}

function parts(type: string, name: string, short: string, props: Record<string, any>, entries: () => AllowlistEntry[]): Parts {
  const readers = withLabels({ read: () => props.tags, field: "tags", word: "tag" }, {
    backend: () => fixed("type", "aws", `\`${type}\``),
    allowedCidrs: () => allowlist("ingress", entries()),
  });
  return { base: { origin: "primitive", type, name, label: `${short} ${JSON.stringify(name)}`, role: "network" }, readers };
}

/** A security group, its inline `ingress` rules, or one ingress rule of it. */
export function awsNetworkSubject(type: string, name: string, props: Record<string, any>): Parts {
  if (type === AWS_NETWORK_TYPES.securityGroup) {
    return parts(type, name, "ec2.SecurityGroup", props, () => {
      const ingress: unknown = props.ingress;
      if (!Array.isArray(ingress)) return [];
      return ingress.flatMap((rule: any, i: number) => (rule ? entriesOf(`ingress[${i}].`, rule, rule.protocol, "cidrBlocks", "ipv6CidrBlocks") : []));
    });
  }
  if (type === AWS_NETWORK_TYPES.ingressRule) {
    return parts(type, name, "vpc.SecurityGroupIngressRule", props, () => {
      const ports = portsOf(props.ipProtocol, props.fromPort, props.toPort);
      if (ports === null) return [];
      return [...single("cidrIpv4", props.cidrIpv4, ports), ...single("cidrIpv6", props.cidrIpv6, ports)];
    });
  }
  if (type === AWS_NETWORK_TYPES.securityGroupRule && props.type === "ingress") {
    return parts(type, name, "ec2.SecurityGroupRule", props, () => entriesOf("", props, props.protocol, "cidrBlocks", "ipv6CidrBlocks"));
  }
  return undefined;
}
