// Calendar days as the API writes them (UTC, `YYYY-MM-DD`), and the checks every range form makes
// before it asks the API: the billing chart's custom range and the unmapped hours' range share them.

export function parseDay(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

export function formatDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  const d = parseDay(day);
  d.setUTCDate(d.getUTCDate() + n);
  return formatDay(d);
}

/** A real calendar day written `YYYY-MM-DD` (`2026-02-30` is not one). */
export function isDay(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(parseDay(s).getTime()) && formatDay(parseDay(s)) === s;
}

/**
 * What is wrong with a range whose ends may each be left empty (the API then picks that end):
 * a day that is not a real `YYYY-MM-DD` day, or an end before the start.
 */
export function checkOptionalRange(from: string, to: string): string | undefined {
  if ((from && !isDay(from)) || (to && !isDay(to))) return "Write days as YYYY-MM-DD (a real calendar day).";
  if (from && to && to < from) return "The end is before the start.";
  return undefined;
}
