/**
 * Kubernetes resource quantities (`500m`, `2`, `8Gi`, `1Ti`, `500G`) as numbers, so `2` and
 * `2000m`, or `8Gi` and `8192Mi`, compare equal.
 */

const SUFFIX: Readonly<Record<string, number>> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The quantity in base units (cores, bytes), or undefined when it is not a quantity. */
export function parseQuantity(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v !== "string") return undefined;
  const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?\s*$/.exec(v);
  if (!m) return undefined;
  return Number(m[1]) * SUFFIX[m[2] ?? ""];
}

/** A byte quantity in GiB (`100Gi` = 100, `500G` = 465.66...). */
export function quantityGib(v: unknown): number | undefined {
  const bytes = parseQuantity(v);
  return bytes === undefined ? undefined : bytes / 2 ** 30;
}

/** True when both are quantities of the same amount. */
export function sameQuantity(a: unknown, b: unknown): boolean {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return x !== undefined && y !== undefined && Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y), 1);
}
