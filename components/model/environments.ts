/**
 * Environment tiers. Plans and rules speak of dev, staging and production; an `environmentId`
 * is free-form, so its tier is derived from its name unless `environmentTier` says otherwise.
 */

export const ENVIRONMENT_TIERS = ["dev", "staging", "production"] as const;
/** One of {@link ENVIRONMENT_TIERS}. */
export type EnvironmentTier = (typeof ENVIRONMENT_TIERS)[number];

const DEV_NAMES = ["dev", "development", "test", "testing", "sandbox", "local", "ci", "preview"];
const STAGING_NAMES = ["staging", "stage", "stg", "qa", "uat", "preprod", "pre-prod"];

/**
 * The tier of an environment id: `dev`, `dev-eu`, `sandbox-42` are dev; `staging`, `qa`, `uat-2`
 * are staging; anything else (`prod`, `production`, `live`, `eu-1`) is production, the strictest.
 */
export function tierOf(environmentId: string): EnvironmentTier {
  const head = environmentId.toLowerCase();
  const starts = (names: string[]) => names.some((n) => head === n || head.startsWith(`${n}-`));
  if (starts(DEV_NAMES)) return "dev";
  if (starts(STAGING_NAMES)) return "staging";
  return "production";
}
