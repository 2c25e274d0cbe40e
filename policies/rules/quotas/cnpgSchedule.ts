/**
 * Whether a CloudNativePG `ScheduledBackup.spec.schedule` fires every day, read as CloudNativePG
 * reads it (robfig/cron, which the CRD links): six fields, seconds first (`0 0 3 * * *`; the
 * Kubernetes back end writes our 5-field crons this way, components/backends/kubernetes/schedule.ts),
 * the weekday may be left out (5 fields), `?` is `*`, month and weekday names (`JAN`, `MON`), and
 * the descriptors `@yearly` `@annually` `@monthly` `@weekly` `@daily` `@midnight` `@hourly` and
 * `@every <duration>`. The five fields after the seconds are parsed by components/model/cron.ts.
 */
import { parseCron } from "../../../components/model/cron";

/** A schedule read: whether it fires at least once every day, or why it is not a cron CloudNativePG reads (a clause: `it has 7 fields, ...`). */
export type ScheduleReading = { ok: true; daily: boolean } | { ok: false; why: string };

const DESCRIPTORS: Readonly<Record<string, boolean>> = { "@yearly": false, "@annually": false, "@monthly": false, "@weekly": false, "@daily": true, "@midnight": true, "@hourly": true };
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, "µs": 1e-3, ns: 1e-6 };
const DAY_MS = 86_400_000;

/** Milliseconds of a Go duration (`24h`, `1h30m`, `90m`), or undefined. */
export function goDurationMs(text: string): number | undefined {
  if (!/^((\d+(\.\d*)?|\.\d+)(h|m|s|ms|us|µs|ns))+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, n, , unit] of text.matchAll(/(\d+(\.\d*)?|\.\d+)(ms|us|µs|ns|h|m|s)/g)) ms += Number(n) * UNIT_MS[unit];
  return ms;
}

/** A field with its names (`JAN`, `MON`) as numbers. */
function numbered(field: string, list: readonly string[], base: number): string {
  return field.replace(/[a-z]{3}/gi, (w) => {
    const i = list.indexOf(w.toLowerCase());
    return i < 0 ? w : String(i + base);
  });
}

/** True when a day or weekday field is unrestricted in robfig's sense (a `*` or `?` part without a step above 1). */
const starred = (field: string) => field.split(",").some((p) => /^[*?](\/1)?$/.test(p));

/** Reads a CloudNativePG schedule (see the module comment). */
export function readSchedule(text: string): ScheduleReading {
  const t = text.trim();
  if (t.startsWith("@")) {
    const descriptor = DESCRIPTORS[t.toLowerCase()];
    if (descriptor !== undefined) return { ok: true, daily: descriptor };
    const every = /^@every\s+(\S+)$/i.exec(t);
    const ms = every ? goDurationMs(every[1]) : undefined;
    if (ms === undefined || ms <= 0) return { ok: false, why: "it is not a descriptor robfig/cron knows (`@daily`, `@hourly`, `@every 24h`, ...)" };
    return { ok: true, daily: ms <= DAY_MS };
  }
  const parts = t.split(/\s+/).filter((p) => p !== "");
  if (parts.length === 5) parts.push("*");
  if (parts.length !== 6) return { ok: false, why: `it has ${parts.length} field${parts.length === 1 ? "" : "s"}, not 6 (seconds minute hour day month weekday)` };
  const [seconds, minute, hour, day, month, weekday] = parts.map((p) => p.replace(/\?/g, "*"));
  const secondsParsed = parseCron(`${seconds} * * * *`);
  const faults = secondsParsed.ok ? [] : secondsParsed.faults.map((f) => f.replace("its minute field", "its seconds field").replace("(minute is", "(seconds is"));
  const parsed = parseCron([minute, hour, day, numbered(month, MONTHS, 1), numbered(weekday, WEEKDAYS, 0)].join(" "));
  if (!parsed.ok) faults.push(...parsed.faults);
  if (!parsed.ok || faults.length > 0) return { ok: false, why: faults.join("; ") };
  const c = parsed.cron;
  const covers = (list: number[], lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i).every((v) => list.includes(v));
  const everyDate = covers(c.day, 1, 31);
  const everyWeekday = [0, 1, 2, 3, 4, 5, 6].every((d) => c.weekday.includes(d) || (d === 0 && c.weekday.includes(7)));
  // robfig (as Vixie cron): when day or weekday is unrestricted both must match, else either one.
  const everyDay = starred(day) || starred(weekday) ? everyDate && everyWeekday : everyDate || everyWeekday;
  return { ok: true, daily: covers(c.month, 1, 12) && everyDay };
}
