/**
 * Backup and maintenance windows as RDS reads them: the daily backup window `hh:mm-hh:mm` and the
 * weekly maintenance window `ddd:hh:mm-ddd:hh:mm` (UTC), each at least 30 minutes, never overlapping.
 */
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const WEEK = 7 * 1440;

/** Minute-of-week intervals `[start, end)`, split where they wrap past the end of the week. */
type Span = [number, number];

function spans(start: number, length: number, period: number): Span[] {
  const s = ((start % period) + period) % period;
  return s + length <= period ? [[s, s + length]] : [[s, period], [0, s + length - period]];
}

/** The weekly maintenance window as spans, and its length in minutes. */
export function maintenanceSpans(window: string): { spans: Span[]; minutes: number } | undefined {
  const m = /^(\w{3}):(\d\d):(\d\d)-(\w{3}):(\d\d):(\d\d)$/.exec(window);
  if (!m) return undefined;
  const at = (d: string, h: string, mi: string) => DAYS.indexOf(d) * 1440 + Number(h) * 60 + Number(mi);
  const from = at(m[1], m[2], m[3]);
  const minutes = (at(m[4], m[5], m[6]) - from + WEEK) % WEEK;
  return { spans: spans(from, minutes, WEEK), minutes };
}

/** The daily backup window, repeated on each day of the week, as spans. */
export function backupSpans(window: string): Span[] {
  const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(window);
  if (!m) return [];
  const from = Number(m[1]) * 60 + Number(m[2]);
  const minutes = (Number(m[3]) * 60 + Number(m[4]) - from + 1440) % 1440;
  const out: Span[] = [];
  for (let d = 0; d < 7; d++) out.push(...spans(d * 1440 + from, minutes, WEEK));
  return out;
}

/** True when the daily backup window and the weekly maintenance window share a minute. */
export function windowsOverlap(backupWindow: string, maintenanceWindow: string): boolean {
  const m = maintenanceSpans(maintenanceWindow);
  if (!m) return false;
  return backupSpans(backupWindow).some(([a, b]) => m.spans.some(([c, d]) => a < d && c < b));
}
