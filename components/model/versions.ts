/**
 * PostgreSQL major versions pgplatform supports, and the upgrade edges between them.
 * Pure data: the components, the back ends and the policy pack all read it from here.
 */

/** The majors a db_resource may run, oldest first. */
export const SUPPORTED_MAJORS = ["15", "16", "17", "18"] as const;
/** One of {@link SUPPORTED_MAJORS}. */
export type Major = (typeof SUPPORTED_MAJORS)[number];

/** The major a plan gets when `version` is not given. */
export const DEFAULT_MAJOR: Major = "17";

/** Majors that are recognised but no longer offered, with the day they reached end of life. */
export const END_OF_LIFE: Readonly<Record<string, string>> = {
  "11": "2023-11-09",
  "12": "2024-11-21",
  "13": "2025-11-13",
  "14": "2026-11-12",
};

/**
 * Major upgrade edges: `UPGRADE_EDGES[from]` lists the majors `from` may be upgraded to
 * (in place where the back end can, or blue-green). Downgrades are never an edge.
 */
export const UPGRADE_EDGES: Readonly<Record<Major, readonly Major[]>> = {
  "15": ["16", "17", "18"],
  "16": ["17", "18"],
  "17": ["18"],
  "18": [],
};

/** True for a major of {@link SUPPORTED_MAJORS}, written as a string. */
export function isSupportedMajor(v: unknown): v is Major {
  return typeof v === "string" && (SUPPORTED_MAJORS as readonly string[]).includes(v);
}

/** Accepts `16` or `"16"`; returns the major as a string, or undefined when it is not a whole major. */
export function normalizeMajor(v: unknown): string | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return String(v);
  if (typeof v === "string" && /^\d+$/.test(v.trim())) return String(Number(v.trim()));
  return undefined;
}

/** True when {@link UPGRADE_EDGES} has an edge from `from` to `to`. */
export function canUpgrade(from: Major, to: Major): boolean {
  return UPGRADE_EDGES[from].includes(to);
}

/** Compares two majors numerically: negative when a is older than b. */
export function compareMajors(a: string, b: string): number {
  return Number(a) - Number(b);
}
