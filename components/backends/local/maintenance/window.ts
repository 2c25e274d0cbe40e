/**
 * Whether a moment falls inside a maintenance window `ddd:hh:mm-ddd:hh:mm` (UTC). Pure.
 */

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const WEEK_MINUTES = 7 * 24 * 60;

/** Minutes since Sunday 00:00 UTC of `ddd:hh:mm`. */
function minuteOfWeek(point: string, window: string): number {
  const m = /^(mon|tue|wed|thu|fri|sat|sun):(\d{2}):(\d{2})$/.exec(point);
  if (!m || Number(m[2]) > 23 || Number(m[3]) > 59) {
    throw new Error(`\`lifecycle.maintenanceWindow\` must look like \`sun:04:00-sun:05:00\` (lower-case day, 24-hour UTC time); got ${JSON.stringify(window)}`);
  }
  return DAYS.indexOf(m[1]) * 1440 + Number(m[2]) * 60 + Number(m[3]);
}

/**
 * True when `now` is inside `window`: from its start (included) to its end (excluded), in UTC.
 * A window may cross midnight (`mon:23:00-tue:01:00`) and the end of the week (`sat:23:00-sun:01:00`);
 * a window whose end equals its start is empty.
 */
export function inWindow(window: string, now: Date): boolean {
  const parts = window.split("-");
  if (parts.length !== 2) minuteOfWeek("", window);
  const start = minuteOfWeek(parts[0], window);
  const end = minuteOfWeek(parts[1], window);
  const t = now.getUTCDay() * 1440 + now.getUTCHours() * 60 + now.getUTCMinutes() + now.getUTCSeconds() / 60 + now.getUTCMilliseconds() / 60000;
  const length = (end - start + WEEK_MINUTES) % WEEK_MINUTES;
  return (t - start + WEEK_MINUTES) % WEEK_MINUTES < length;
}

/**
 * The environment variable that replaces the clock for the maintenance window, for tests only
 * (an ISO time such as `2026-11-29T04:30:00Z`). Never set it in a real deployment.
 */
export const TEST_NOW_ENV = "PGPLATFORM_TEST_ONLY_NOW";

/** The time the maintenance window is judged at: the clock, or {@link TEST_NOW_ENV} when a test sets it. */
export function maintenanceNow(): Date {
  const forced = process.env[TEST_NOW_ENV];
  if (!forced) return new Date();
  const d = new Date(forced);
  if (Number.isNaN(d.getTime())) throw new Error(`${TEST_NOW_ENV} must be an ISO time such as 2026-11-29T04:30:00Z; got ${JSON.stringify(forced)}`);
  return d;
}
