/**
 * A small, pure parser for 5-field cron schedules (minute hour day month weekday, UTC), as backup
 * schedules are written. It accepts numbers, `*`, lists (`1,15`), ranges (`1-5`) and steps
 * (`*\/15`, `0-30/10`); names (`MON`, `JAN`) and the non-standard `?`, `L`, `W`, `#` are refused so
 * that every back end reads the same schedule.
 */

/** One field of a cron expression: its name in messages and its bounds. */
export interface CronField {
  name: string;
  min: number;
  max: number;
}

/** The five fields, in order. Weekday 0 and 7 are both Sunday. */
export const CRON_FIELDS: readonly CronField[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "weekday", min: 0, max: 7 },
];

/** A parsed cron: for each field, the sorted values it fires on. */
export interface Cron {
  minute: number[];
  hour: number[];
  day: number[];
  month: number[];
  weekday: number[];
}

/** The result of {@link parseCron}: the parsed cron, or every fault found, each a phrase for a message. */
export type CronResult = { ok: true; cron: Cron } | { ok: false; faults: string[] };

const NUMBER = /^\d+$/;

/** Parses one field; returns its values or a fault phrase. */
function parseField(text: string, f: CronField): number[] | string {
  const bad = (why: string) => `its ${f.name} field ${JSON.stringify(text)} ${why}`;
  const range = `${f.min}-${f.max}`;
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const [base, stepText, ...rest] = part.split("/");
    if (rest.length > 0 || base === "") return bad(`is not a number, \`*\`, a list, a range or a step (such as \`*/15\`)`);
    let step = 1;
    if (stepText !== undefined) {
      if (!NUMBER.test(stepText) || Number(stepText) < 1) return bad("has a step that is not a whole number of at least 1");
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (base === "*") {
      lo = f.min;
      hi = f.max;
    } else {
      const bounds = base.split("-");
      if (bounds.length > 2 || !bounds.every((b) => NUMBER.test(b))) {
        return bad("is not a number, `*`, a list, a range or a step (such as `*/15`)");
      }
      lo = Number(bounds[0]);
      hi = bounds.length === 2 ? Number(bounds[1]) : stepText !== undefined ? f.max : lo;
      if (lo < f.min || lo > f.max || hi < f.min || hi > f.max) return bad(`is out of range (${f.name} is ${range})`);
      if (lo > hi) return bad("has a range that goes backwards");
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

/** Parses a 5-field cron, reporting every field that is wrong. */
export function parseCron(text: string): CronResult {
  const parts = text.trim().split(/\s+/).filter((p) => p !== "");
  if (parts.length !== CRON_FIELDS.length) {
    const hint = parts.length === 6 ? "; leave out the seconds" : "";
    return { ok: false, faults: [`it has ${parts.length} field${parts.length === 1 ? "" : "s"}, not 5 (minute hour day month weekday${hint})`] };
  }
  const faults: string[] = [];
  const fields: number[][] = [];
  parts.forEach((part, i) => {
    const r = parseField(part, CRON_FIELDS[i]);
    if (typeof r === "string") faults.push(r);
    else fields.push(r);
  });
  if (faults.length > 0) return { ok: false, faults };
  const [minute, hour, day, month, weekday] = fields;
  return { ok: true, cron: { minute, hour, day, month, weekday } };
}

/** The normal form of a valid cron: its fields separated by one space. */
export function normalizeCron(text: string): string {
  return text.trim().split(/\s+/).join(" ");
}

/** True when the cron fires more than once on a day it fires at all. */
export function firesMoreThanDaily(cron: Cron): boolean {
  return cron.minute.length * cron.hour.length > 1;
}

/** True when the cron fires at the minute of `d` (UTC). Day and weekday follow Vixie cron: when both are restricted, either matches. */
export function cronFiresAt(cron: Cron, d: Date): boolean {
  const has = (list: number[], v: number) => list.includes(v);
  if (!has(cron.minute, d.getUTCMinutes()) || !has(cron.hour, d.getUTCHours()) || !has(cron.month, d.getUTCMonth() + 1)) return false;
  const wd = d.getUTCDay();
  const dayOk = has(cron.day, d.getUTCDate());
  const weekdayOk = has(cron.weekday, wd) || (wd === 0 && has(cron.weekday, 7));
  const dayRestricted = cron.day.length < 31;
  const weekdayRestricted = !(has(cron.weekday, 0) || has(cron.weekday, 7)) || [1, 2, 3, 4, 5, 6].some((v) => !has(cron.weekday, v));
  return dayRestricted && weekdayRestricted ? dayOk || weekdayOk : dayOk && weekdayOk;
}

/**
 * The first minute strictly after `after` at which the cron fires (UTC), or undefined when it
 * never does within 5 years (`0 0 31 2 *`).
 */
export function nextRun(cron: Cron, after: Date): Date | undefined {
  const t = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  const limit = after.getTime() + 5 * 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!cron.month.includes(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!cronFiresAt({ ...cron, minute: [t.getUTCMinutes()], hour: [t.getUTCHours()] }, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!cron.hour.includes(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!cron.minute.includes(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else {
      return t;
    }
  }
  return undefined;
}
