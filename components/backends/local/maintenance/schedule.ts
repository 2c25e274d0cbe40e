/**
 * Maintenance windows as cron schedules, and what a local server needs for pg_cron. Pure.
 */
import * as fs from "fs";

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** The 5-field cron (UTC) that fires at the start of a window `ddd:hh:mm-ddd:hh:mm`: `sun:04:00-sun:05:00` → `0 4 * * 0`. */
export function windowStartCron(window: string): string {
  const m = /^(mon|tue|wed|thu|fri|sat|sun):(\d{2}):(\d{2})-/.exec(window);
  if (!m) throw new Error(`\`lifecycle.maintenanceWindow\` must look like \`sun:04:00-sun:05:00\`; got ${JSON.stringify(window)}`);
  return `${Number(m[3])} ${Number(m[2])} * * ${DAYS.indexOf(m[1])}`;
}

/** Where Debian's pg_cron for a major lives. */
export function pgCronLibrary(major: string): string {
  return `/usr/lib/postgresql/${major}/lib/pg_cron.so`;
}

/** Why a server of `major` cannot run pg_cron here, or undefined when it can. */
export function pgCronProblem(major: string): string | undefined {
  if (major !== "15") {
    return `\`maintenance.vacuumAnalyze\` needs pg_cron, which on this machine only Debian's PostgreSQL 15 has (package postgresql-15-cron; the embedded ${major} package has no extensions); use \`version: "15"\` or leave \`maintenance\` out; got \`version\` ${JSON.stringify(major)}`;
  }
  if (!fs.existsSync(pgCronLibrary(major))) {
    return `\`maintenance.vacuumAnalyze\` needs pg_cron, and ${pgCronLibrary(major)} was not found; install it with \`apt-get install postgresql-15-cron\``;
  }
  return undefined;
}

/** The database pg_cron keeps its jobs in (jobs run in the application database). */
export const CRON_DATABASE = "postgres";

/** The server parameters pg_cron needs: preloaded, its database, jobs as background workers (no libpq login, no password file). */
export function pgCronParameters(): Record<string, string> {
  return { shared_preload_libraries: "pg_cron", "cron.database_name": CRON_DATABASE, "cron.use_background_workers": "on", "cron.timezone": "UTC" };
}
