/**
 * Schedules on CloudNativePG: our 5-field cron (minute hour day month weekday, UTC) as the 6-field
 * cron a ScheduledBackup takes (seconds first) and back, and the next time a cron fires. (A 6-field
 * cron given directly is checked by `cnpgCronProblem` in model/schemas/kubernetes.ts.)
 */
import { CRON_FIELDS, parseCron } from "../../model/cron";

/** Our 5-field cron as CNPG's 6 fields: `0` seconds first, weekday 7 written as 0 (robfig/cron knows 0-6). */
export function toCnpgCron(cron5: string): string {
  const parsed = parseCron(cron5);
  if (!parsed.ok) throw new Error(`not a 5-field cron: ${parsed.faults.join("; ")}; got ${JSON.stringify(cron5)}`);
  const fields = cron5.trim().split(/\s+/);
  const weekday = fields[4];
  if (parsed.cron.weekday.includes(7)) {
    const days = [...new Set(parsed.cron.weekday.map((d) => d % 7))].sort((a, b) => a - b);
    fields[4] = days.length === 7 ? "*" : days.join(",");
  } else fields[4] = weekday;
  return `0 ${fields.join(" ")}`;
}

/** A 6-field CNPG cron back to our 5 fields (the seconds dropped), for {@link nextRun}. */
export function fromCnpgCron(cron6: string): string {
  return cron6.trim().split(/\s+/).slice(1).join(" ");
}

/**
 * The first minute after `from` (UTC) at which the 5-field `cron` fires, as ISO 8601. Day and
 * weekday follow cron's rule: when both are restricted, either one matching is enough.
 */
export function nextRun(cron: string, from: Date): string {
  const parsed = parseCron(cron);
  if (!parsed.ok) throw new Error(`not a 5-field cron: ${parsed.faults.join("; ")}; got ${JSON.stringify(cron)}`);
  const c = parsed.cron;
  const [, , dayText, , weekdayText] = cron.trim().split(/\s+/);
  const dayAny = dayText === "*";
  const weekdayAny = weekdayText === "*";
  const weekdays = new Set(c.weekday.map((d) => d % 7));
  const dayMatches = (d: Date): boolean => {
    const byDay = c.day.includes(d.getUTCDate());
    const byWeekday = weekdays.has(d.getUTCDay());
    if (dayAny && weekdayAny) return true;
    if (dayAny) return byWeekday;
    if (weekdayAny) return byDay;
    return byDay || byWeekday;
  };
  const start = new Date(Math.floor(from.getTime() / 60_000) * 60_000 + 60_000);
  // Walk day by day (at most 8 years covers every valid day/month combination), then within the day.
  const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  for (let i = 0; i < 366 * 8; i++, day.setUTCDate(day.getUTCDate() + 1)) {
    if (!c.month.includes(day.getUTCMonth() + 1) || !dayMatches(day)) continue;
    for (const h of c.hour) {
      for (const m of c.minute) {
        const t = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), h, m);
        if (t >= start.getTime()) return new Date(t).toISOString();
      }
    }
  }
  throw new Error(`cron ${JSON.stringify(cron)} never fires (no ${CRON_FIELDS[2].name} of its months exists)`);
}
