/**
 * CIDR parsing for network allowlists: pure functions, IPv4 and IPv6.
 */
import { isIP } from "net";

/** A parsed CIDR: its address as written, prefix length and IP family. */
export interface Cidr {
  address: string;
  prefix: number;
  family: 4 | 6;
}

/** Parses `a.b.c.d/n` or `x::y/n`; a bare address gets a full-length prefix. Undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText, ...rest] = text.trim().split("/");
  if (rest.length > 0 || !address) return undefined;
  const family = isIP(address);
  if (family !== 4 && family !== 6) return undefined;
  const max = family === 4 ? 32 : 128;
  if (prefixText === undefined) return { address, prefix: max, family };
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > max) return undefined;
  return { address, prefix, family };
}

/** True for a CIDR that admits every address of its family (`0.0.0.0/0`, `::/0`). */
export function isWholeInternet(c: Cidr): boolean {
  return c.prefix === 0;
}

/** True when every address of the CIDR is a loopback address (127.0.0.0/8, ::1). */
export function isLoopback(c: Cidr): boolean {
  if (c.family === 4) return c.address.startsWith("127.") && c.prefix >= 8;
  return (c.address === "::1" || c.address === "0:0:0:0:0:0:0:1") && c.prefix === 128;
}

/** Canonical text of a CIDR, with its prefix. */
export function cidrText(c: Cidr): string {
  return `${c.address}/${c.prefix}`;
}
