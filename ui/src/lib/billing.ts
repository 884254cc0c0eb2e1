// Billing pages' pure logic: money and change as people read them, the chart's series (the API's
// top services plus "Other") and its estimated days, the range picker's presets, and the
// overview's sorting. Amounts are in currency units (USD, not cents) and are never converted
// between currencies.

import { addDays, formatDay, isDay, parseDay } from "./days";

const moneyFormats = new Map<string, Intl.NumberFormat>();

/**
 * An amount in its own currency, with that currency's own minor unit (`$1,234.56`, `¥290,000`,
 * `BHD 35.800`: Intl's defaults); an unknown code is written after the number (2 decimals). No
 * amount (`null`, or not finite: a sum the server could not make) is "—", never a made-up zero.
 */
export function formatMoney(amount: number | null | undefined, currency: string, signed = false): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return "—";
  const key = `${currency}|${signed}`;
  let format = moneyFormats.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat(undefined, {
        style: "currency",
        currency,
        signDisplay: signed ? "exceptZero" : "auto",
      });
    } catch {
      // Not an ISO 4217 code: the number with the code after it.
      format = new Intl.NumberFormat(undefined, {
        minimumFractionDigits: 2,
        maximumFractionDigits: 2,
        signDisplay: signed ? "exceptZero" : "auto",
      });
      const plain = format;
      format = { format: (n: number) => `${plain.format(n)} ${currency}`, resolvedOptions: () => plain.resolvedOptions() } as Intl.NumberFormat;
    }
    moneyFormats.set(key, format);
  }
  // Less than half the smallest unit (-0.001 USD rounds to "-$0.00"): call it zero.
  const half = 0.5 * 10 ** -(format.resolvedOptions().maximumFractionDigits ?? 2);
  return format.format(Math.abs(amount) < half ? 0 : amount);
}

/**
 * An amount for chart axes, in one compact style whatever the range (`$5K`, `$10K`, `$12.5K`,
 * `$1.2M`) and with enough decimals that neighbouring ticks differ (`$3.5`, `$3`, `$2.5`, `$0.25`):
 * axis ticks are "nice" multiples of 1, 2, 2.5 or 5, so three significant digits tell them apart.
 */
export function formatMoneyShort(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, {
      style: "currency",
      currency,
      notation: "compact",
      maximumSignificantDigits: 3,
    }).format(amount);
  } catch {
    return `${new Intl.NumberFormat(undefined, { notation: "compact", maximumSignificantDigits: 3 }).format(amount)} ${currency}`;
  }
}

/** A ratio as a signed percentage with one decimal (`+5.2%`, `−12.0%`, `0.0%`). */
export function formatRatio(ratio: number): string {
  return new Intl.NumberFormat(undefined, {
    style: "percent",
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    signDisplay: "exceptZero",
  }).format(Math.abs(ratio) < 0.0005 ? 0 : ratio);
}

export type Direction = "up" | "down" | "flat";

/** Up, down, or flat (less than a cent either way). */
export function direction(change: number): Direction {
  if (change >= 0.005) return "up";
  if (change <= -0.005) return "down";
  return "flat";
}

/**
 * A change in money and percent: `+$1,133.48 (+5.2%)`; without a ratio (nothing spent before),
 * `+$38.57 (nothing before)`.
 */
export function formatChange(change: number, ratio: number | null | undefined, currency: string): string {
  const money = formatMoney(change, currency, true);
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) {
    return direction(change) === "flat" ? money : `${money} (nothing before)`;
  }
  return `${money} (${formatRatio(ratio)})`;
}

// --- the stacked chart: the API's top N services and "Other" ---

export const OTHER = "Other";

/** The chart's top N: the API sums the rest into one `other` row a period (`group=service&top=8`). */
export const CHART_TOP = 8;

/** A row of a report grouped by service (`group=service`): `other` rows stand for the services past the top. */
export interface CostRowLike {
  period: string;
  service?: string | null;
  other: boolean;
  amount: number;
  currency: string;
  estimated: boolean;
}

export interface StackSeries {
  title: string;
  total: number;
  data: { x: string; y: number }[];
}

/**
 * A report's currencies, the largest total first (by absolute amount, in its own currency: the
 * amounts are never compared as money, only to pick a default), equal totals by code. The chart
 * draws one currency at a time; this is the order of its currency switch.
 */
export function currenciesBySize(totals: { amount: number; currency: string }[]): string[] {
  const sums = new Map<string, number>();
  for (const t of totals) sums.set(t.currency, (sums.get(t.currency) ?? 0) + t.amount);
  return [...sums.entries()]
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([currency]) => currency);
}

/** The currency with the largest total (the chart's default; most customers have one). */
export function mainCurrency(totals: { amount: number; currency: string }[]): string | undefined {
  return currenciesBySize(totals)[0];
}

/**
 * The chart's currency: `wanted` (the address's `currency`) when the report has costs in it,
 * else the largest; `undefined` for a report with no costs.
 */
export function chartCurrency(totals: { amount: number; currency: string }[], wanted: string | null | undefined): string | undefined {
  const all = currenciesBySize(totals);
  return wanted && all.includes(wanted) ? wanted : all[0];
}

/**
 * The chart's series from rows the API grouped by service, with its top N and Other: one series per
 * service, largest total first (equal totals by name), then "Other" (the `other` rows) when there is
 * one; each with a value for every period of `periods` (0 where it had none), so the stacks line up.
 * Rows in another currency are left out. Other is titled "Other" unless a real service has that
 * name, then "Other services".
 */
export function stackServices(rows: CostRowLike[], currency: string, periods: string[]): StackSeries[] {
  const byService = new Map<string, Map<string, number>>();
  const totals = new Map<string, number>();
  const other = new Map<string, number>();
  let otherTotal = 0;
  for (const r of rows) {
    if (r.currency !== currency) continue;
    if (r.other || r.service == null) {
      other.set(r.period, (other.get(r.period) ?? 0) + r.amount);
      otherTotal += r.amount;
      continue;
    }
    let cells = byService.get(r.service);
    if (!cells) byService.set(r.service, (cells = new Map()));
    cells.set(r.period, (cells.get(r.period) ?? 0) + r.amount);
    totals.set(r.service, (totals.get(r.service) ?? 0) + r.amount);
  }
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const series: StackSeries[] = ranked.map(([service, total]) => {
    const cells = byService.get(service)!;
    return { title: service, total, data: periods.map((x) => ({ x, y: round2(cells.get(x) ?? 0) })) };
  });
  if (other.size) {
    const title = totals.has(OTHER) ? `${OTHER} services` : OTHER;
    series.push({ title, total: otherTotal, data: periods.map((x) => ({ x, y: round2(other.get(x) ?? 0) })) });
  }
  return series;
}

/** The periods (days or months) in `currency` that Cost Explorer still estimates, in order. */
export function estimatedPeriods(rows: CostRowLike[], currency: string): string[] {
  return [...new Set(rows.filter((r) => r.estimated && r.currency === currency).map((r) => r.period))].sort();
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

// --- days and ranges (UTC calendar days, YYYY-MM-DD) ---

export { addDays, formatDay, isDay, parseDay };

/** Every day from `from` to `to` (inclusive); every month (`YYYY-MM-01`) for a monthly report. */
export function periodsBetween(from: string, to: string, granularity: "daily" | "monthly"): string[] {
  const out: string[] = [];
  if (!isDay(from) || !isDay(to) || from > to) return out;
  if (granularity === "daily") {
    for (let d = from; d <= to && out.length < 500; d = addDays(d, 1)) out.push(d);
    return out;
  }
  const end = parseDay(to);
  const cursor = parseDay(from);
  cursor.setUTCDate(1);
  while (cursor <= end && out.length < 30) {
    out.push(formatDay(cursor));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return out;
}

export type RangePreset = "30d" | "90d" | "this-month" | "last-month" | "custom";

export const RANGE_PRESETS: { id: RangePreset; text: string }[] = [
  { id: "30d", text: "Last 30 days" },
  { id: "90d", text: "Last 90 days" },
  { id: "this-month", text: "This month" },
  { id: "last-month", text: "Last month" },
  { id: "custom", text: "Custom" },
];

/** Yesterday (UTC): the last complete day, the API's own "as of". */
export function yesterday(now: Date = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  d.setUTCDate(d.getUTCDate() - 1);
  return formatDay(d);
}

/**
 * The days a preset covers, ending at `asOf` (the last complete day): the last 30 or 90 days, the
 * month `asOf` is in up to `asOf`, or the whole month before it.
 */
export function presetRange(preset: Exclude<RangePreset, "custom">, asOf: string): { from: string; to: string } {
  switch (preset) {
    case "30d":
      return { from: addDays(asOf, -29), to: asOf };
    case "90d":
      return { from: addDays(asOf, -89), to: asOf };
    case "this-month":
      return { from: `${asOf.slice(0, 7)}-01`, to: asOf };
    case "last-month": {
      const lastDay = addDays(`${asOf.slice(0, 7)}-01`, -1);
      return { from: `${lastDay.slice(0, 7)}-01`, to: lastDay };
    }
  }
}

/** What is wrong with a custom range (the API's rules: `to` not before `from`, at most 14 months back). */
export function checkRange(from: string, to: string): string | undefined {
  if (!isDay(from) || !isDay(to)) return "Give both days as YYYY-MM-DD.";
  if (to < from) return "The end is before the start.";
  const d = parseDay(to);
  d.setUTCMonth(d.getUTCMonth() - 14);
  if (parseDay(from) < d) return "At most 14 months (what Cost Explorer keeps).";
  return undefined;
}

/** What a billing page's address says about its range, and what the page shows for it. */
export interface AddressRange {
  /** The preset to show as chosen (`undefined`: the address names none the page knows). */
  preset: RangePreset | undefined;
  /** The custom range's days as the address gives them (`""` when absent), for the inputs. */
  from: string;
  to: string;
  /** The days shown; absent when the address's range cannot be shown. */
  range?: { from: string; to: string };
  /** Why the address's range cannot be shown. */
  problem?: string;
}

/**
 * The range a billing page shows, from its address (`range`, `from` and `to`, `null` when
 * absent). Days in the address are a custom range whatever `range` says (a shared link with
 * `?from=&to=` shows those days, not the default), so `range` alone picks a preset; neither is
 * the last 30 days. A range the page cannot show (days the API would refuse: inverted, more than
 * 14 months, not a day; a `range` it does not know) is not swapped for another one behind the
 * inputs' back: it comes back as `problem`, with no range, and the page shows the message and no data.
 */
export function rangeFromAddress(range: string | null, from: string | null, to: string | null, asOf: string): AddressRange {
  if (from !== null || to !== null) {
    const days = { from: from ?? "", to: to ?? "" };
    const problem = checkRange(days.from, days.to);
    return problem ? { preset: "custom", ...days, problem } : { preset: "custom", ...days, range: days };
  }
  if (range === null || range === "") return { preset: "30d", from: "", to: "", range: presetRange("30d", asOf) };
  const preset = RANGE_PRESETS.find((p) => p.id === range)?.id;
  if (preset === "custom") return { preset, from: "", to: "", problem: checkRange("", "")! };
  if (!preset) {
    return {
      preset: undefined,
      from: "",
      to: "",
      problem: `The address asks for the range “${range}”, which is not one of ${RANGE_PRESETS.map((p) => p.text).join(", ")}.`,
    };
  }
  return { preset, from: "", to: "", range: presetRange(preset, asOf) };
}

/** Daily bars up to ~3 months; longer ranges are shown by month. */
export function granularityFor(from: string, to: string): "daily" | "monthly" {
  const days = (parseDay(to).getTime() - parseDay(from).getTime()) / 86_400_000 + 1;
  return days > 93 ? "monthly" : "daily";
}

/** The top movers' two windows: `2026-11-23 – 2026-11-29 against 2026-11-16 – 2026-11-22`. */
export function moversWindows(m: { from: string; to: string; compared_from: string }): string {
  return `${m.from} – ${m.to} against ${m.compared_from} – ${addDays(m.from, -1)}`;
}

/** No movers: nothing changed between the two windows (flat spend, or none at all). */
export const NO_MOVERS = "No change in spend between these two weeks.";

/** Rows per page of a billing table kept in the browser (a customer's 66 accounts were 6,500 px). */
export const PAGE_SIZE = 20;

/** One page of `items` (1-based; a page past the end shows the last), and how many pages there are. */
export function pageOf<T>(items: T[], page: number, size = PAGE_SIZE): { items: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const current = Math.min(Math.max(1, page), pages);
  return { items: items.slice((current - 1) * size, current * size), page: current, pages };
}

// --- the overview table's sorting ---

export interface OverviewRowLike {
  name: string;
  month_to_date: {
    currency: string;
    month_to_date: number;
    last_month_same_days: number;
    change: number;
    change_ratio?: number | null;
    forecast: number;
  }[];
  open_anomalies: number;
  acknowledged_anomalies: number;
}

export type OverviewSortKey = "name" | "mtd" | "last" | "change" | "ratio" | "forecast" | "open" | "acknowledged";

const MONEY_KEYS: ReadonlySet<OverviewSortKey> = new Set(["mtd", "last", "change", "forecast"]);

/** Whether a column holds money (sorted within one currency), not a name, ratio or count. */
export function isMoneyKey(key: OverviewSortKey): boolean {
  return MONEY_KEYS.has(key);
}

/**
 * The overview's currencies, the one most customers are billed in first (equal counts by code):
 * what money columns can be sorted in, and the default. Empty when no customer has cost data.
 */
export function overviewCurrencies(rows: OverviewRowLike[]): string[] {
  const customers = new Map<string, number>();
  for (const r of rows) for (const m of new Set(r.month_to_date.map((m) => m.currency))) customers.set(m, (customers.get(m) ?? 0) + 1);
  return [...customers.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([c]) => c);
}

/** A row's month to date in `currency` (given), else its first (largest) one. */
function entryIn(row: OverviewRowLike, currency: string | undefined) {
  return (currency ? row.month_to_date.find((m) => m.currency === currency) : undefined) ?? row.month_to_date[0];
}

function sortValue(row: OverviewRowLike, key: OverviewSortKey, currency: string | undefined): number | string | undefined {
  const m = entryIn(row, currency);
  switch (key) {
    case "name":
      return row.name.toLowerCase();
    case "mtd":
      return m?.month_to_date;
    case "last":
      return m?.last_month_same_days;
    case "change":
      return m?.change;
    case "ratio":
      return m?.change_ratio ?? undefined;
    case "forecast":
      return m?.forecast;
    case "open":
      return row.open_anomalies;
    case "acknowledged":
      return row.acknowledged_anomalies;
  }
}

/**
 * The overview's customers sorted by a column. Amounts are never compared across currencies
 * (¥290,000 is not more than $35,000): a money column sorts within `currency` (the one chosen;
 * default the customer's first), by each customer's amount in it, a customer billed in several
 * by its amount in that one; customers with no cost in it come after, by their first currency's
 * code (A to Z either way: all the EUR customers, then all the JPY ones), then by the amount
 * within it. Customers with no value there (no cost data yet) go last either way; ties keep name
 * order.
 */
export function sortOverview<T extends OverviewRowLike>(rows: T[], key: OverviewSortKey, descending: boolean, currency?: string): T[] {
  return [...rows].sort((a, b) => {
    const va = sortValue(a, key, currency);
    const vb = sortValue(b, key, currency);
    if (va === undefined && vb === undefined) return a.name.localeCompare(b.name);
    if (va === undefined) return 1;
    if (vb === undefined) return -1;
    if (MONEY_KEYS.has(key)) {
      const ca = entryIn(a, currency)!.currency;
      const cb = entryIn(b, currency)!.currency;
      if (ca !== cb) {
        if (ca === currency) return -1;
        if (cb === currency) return 1;
        return ca < cb ? -1 : 1;
      }
    }
    const cmp = typeof va === "string" ? va.localeCompare(vb as string) : va - (vb as number);
    if (cmp !== 0) return descending ? -cmp : cmp;
    return a.name.localeCompare(b.name);
  });
}

// --- imports ---

/** The import route's body limit (`cc_http::MAX_UPLOAD_BYTES`): every file of one import together. */
export const MAX_IMPORT_BYTES = 4 * 1024 * 1024;

/**
 * About what a multipart form adds a file (its boundary and part headers, the name twice at most):
 * the limit is on the request body, not only the files in it.
 */
export function formBytes(files: readonly { name: string; size: number }[]): number {
  return files.reduce((n, f) => n + f.size + 256 + 2 * new TextEncoder().encode(f.name).length, 64);
}

/**
 * What is wrong with the files chosen for one import (the parts of one export, summed by the API):
 * none chosen, one chosen twice (its amounts would count twice), an empty one, or more than the
 * route takes in all (`cc billing import` reads larger exports from disk).
 */
export function checkExportFiles(files: readonly { name: string; size: number }[]): string | undefined {
  if (!files.length) return "Choose a file (or every part of one export).";
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.name)) return `${f.name} is chosen twice: its costs would count twice. Remove one.`;
    seen.add(f.name);
  }
  const empty = files.find((f) => f.size === 0);
  if (empty) return `${empty.name} is empty.`;
  if (formBytes(files) > MAX_IMPORT_BYTES) {
    const mib = (formBytes(files) / (1024 * 1024)).toFixed(1);
    return `${files.length === 1 ? "The file is" : "These files are"} ${mib} MiB in all: one import takes at most 4 MiB. Import larger exports with \`cc billing import\`.`;
  }
  return undefined;
}

// --- the organisation's discovered accounts ---

/** An organisation account's status in words (`pending_closure` → "closing"). */
export function orgStatusText(status: string): string {
  if (status === "pending_closure") return "closing";
  if (status === "pending_activation") return "being activated";
  return status.replace(/_/g, " ");
}

/**
 * What adding discovered accounts did, in one sentence: `Added 2 accounts to Acme Retail's hub:
 * sandbox (900000000001), legacy (900000000002).`, and the ones the hub had meanwhile (skipped).
 */
export function addedText(
  outcome: { created: number; ids: string[]; skipped: { id: string; reason: string }[] },
  accounts: readonly { id: string; name: string }[],
  customer: string,
): string {
  const named = (id: string) => {
    const name = accounts.find((a) => a.id === id)?.name;
    return name ? `${name} (${id})` : id;
  };
  const added = outcome.created
    ? `Added ${outcome.created.toLocaleString()} ${outcome.created === 1 ? "account" : "accounts"} to ${customer} in the hub: ${outcome.ids.map(named).join(", ")}.`
    : `No account added to ${customer}.`;
  const skipped = outcome.skipped.map((s) => `${named(s.id)}: ${s.reason}`).join("; ");
  return skipped ? `${added} Not added: ${skipped}.` : added;
}

// --- anomalies ---

export const KIND_LABEL: Record<"step" | "spike" | "drift" | "new_service", string> = {
  step: "Step up",
  spike: "Spike",
  drift: "Drift",
  new_service: "New service",
};

export const KIND_DESCRIPTION: Record<"step" | "spike" | "drift" | "new_service", string> = {
  step: "Spend rose to a new level and stayed there.",
  spike: "Spend jumped for a few days, then came back.",
  drift: "Spend has been creeping up over weeks.",
  new_service: "A service that had no spend before.",
};

/** The largest possible note (the API's limit). */
export const NOTE_MAX = 2000;

export function checkNote(note: string, required: boolean): string | undefined {
  const t = note.trim();
  if (required && !t) return "Say what was done about it: the monthly report shows this note.";
  if (t.length > NOTE_MAX) return `At most ${NOTE_MAX} characters (now ${t.length}).`;
  return undefined;
}

// --- settings ---

/** The settings form's checks: impact is money ≥ 0, relative a percentage 0-1000. */
export function checkThresholds(minImpact: string, minRelativePercent: string): Record<string, string> {
  const out: Record<string, string> = {};
  const impact = Number(minImpact);
  if (minImpact.trim() === "" || !Number.isFinite(impact) || impact < 0) out.min_impact = "An amount of 0 or more.";
  const rel = Number(minRelativePercent);
  if (minRelativePercent.trim() === "" || !Number.isFinite(rel) || rel < 0 || rel > 1000)
    out.min_relative = "A percentage from 0 to 1000.";
  return out;
}

/**
 * The absolute threshold's field label. It is money in the billing currency of each (account,
 * service) series (`Thresholds::min_impact`, shared/src/billing/anomaly.rs): the same number
 * applies in every currency a customer is billed in, never converted.
 */
export function impactLabel(currencies: string[]): string {
  if (!currencies.length) return "Smallest impact (in the billing currency)";
  if (currencies.length === 1) return `Smallest impact (${currencies[0]})`;
  return `Smallest impact (in each billing currency: ${currencies.join(", ")})`;
}

/**
 * The absolute threshold as it applies: `$50.00`; `$50.00 or €50.00 (each currency's own costs)`
 * for a customer billed in several; the number and "in the billing currency" before any cost
 * says which (no currency made up).
 */
export function impactText(amount: number, currencies: string[]): string {
  if (!currencies.length) return `${amount.toLocaleString()} in the billing currency`;
  const each = currencies.map((c) => formatMoney(amount, c));
  return currencies.length === 1 ? each[0]! : `${each.join(" or ")} (each currency's own costs)`;
}

/** 0.2 → "20"; 0.125 → "12.5" (no float noise). */
export function ratioToPercentText(ratio: number): string {
  return String(Math.round(ratio * 100 * 1000) / 1000);
}
