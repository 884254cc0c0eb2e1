// Utilisation pages' pure logic: hours and percentages as people read them, a contract's status
// and its months against the allocation, the chart's series, entitlement changes in words, and the
// task code mappings' rules (the API's: an exact mapping wins, then the longest prefix).
import type { StatusIndicatorProps } from "@cloudscape-design/components/status-indicator";
import { ApiError, type RowProblem } from "../api/errors";

export type UsageStatus = "not_started" | "on_track" | "running_out_early" | "exhausted" | "ended";

export interface MonthLike {
  month: string;
  hours: number;
  allocation?: number | null;
  /** The hours judged against the allocation: those on days that had one (all of `hours` unless it was added or removed in the month). */
  allocated_hours?: number | null;
  /** The allocation in effect changed in the month: `allocation` mixes the old and the new, day by day. */
  allocation_changed?: boolean;
  complete: boolean;
  exceeded: boolean;
}

export interface MappingLike {
  code: string;
  prefix?: boolean;
  customer: string;
  contract?: string | null;
}

const tenths = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const hundredths = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
const scientific = new Intl.NumberFormat(undefined, { notation: "scientific", maximumFractionDigits: 2 });

/** Below this, a difference is floating-point noise: zero. */
const NOISE = 1e-6;
/** From here, hours are shown in compact notation (`1.5M`); from `HUGE` in scientific (`1E300`). */
const LARGE = 1_000_000;
const HUGE = 1e15;

/**
 * Hours as they are shown, as a number: to a tenth (`222.84` → 222.8); a small value that a tenth
 * would make 0 or double (under 0.05) to a hundredth (`0.04`); noise is 0; large values as they are.
 * Sums and differences shown beside each other are made from these, so they add up as read.
 */
export function shownHours(hours: number): number {
  if (!Number.isFinite(hours)) return hours;
  const a = Math.abs(hours);
  if (a < NOISE) return 0;
  if (a >= LARGE) return hours;
  const r = a < 0.05 ? Math.round(hours * 100) / 100 : Math.round(hours * 10) / 10;
  return r === 0 ? 0 : r; // no -0
}

/** `whole − part` as read from their shown values: `240.0 − 222.8` is `17.2` (left), not the API's 17.25 → 17.3. */
export function shownDifference(whole: number, part: number): number {
  if (!Number.isFinite(whole) || !Number.isFinite(part)) return whole - part;
  const d = shownHours(whole) - shownHours(part);
  return Math.abs(d) >= LARGE ? d : Math.round(d * 100) / 100;
}

/**
 * Parts of a whole (a person's hours per customer, a contract's hours per person) rounded to tenths
 * so that they add up to the whole as shown (largest remainder); `total` defaults to their sum. A
 * small part that would round to 0 keeps its own value (shown with two decimals); negative, large or
 * not finite parts are left as they are.
 */
export function apportionHours(parts: readonly number[], total?: number): number[] {
  const whole = total ?? parts.reduce((n, p) => n + p, 0);
  if (!parts.length || parts.some((p) => !Number.isFinite(p) || p < 0 || p >= LARGE) || !Number.isFinite(whole) || whole >= LARGE) {
    return [...parts];
  }
  const tenths = parts.map((p) => Math.round(p * 10));
  let diff = Math.round(whole * 10) - tenths.reduce((n, t) => n + t, 0);
  // Each part moves by at most one tenth, those rounded the most the wrong way first.
  const order = parts
    .map((p, i) => ({ i, err: p * 10 - tenths[i]! }))
    .sort((a, b) => (diff > 0 ? b.err - a.err : a.err - b.err) || a.i - b.i);
  for (const { i } of order) {
    if (diff === 0) break;
    const step = diff > 0 ? 1 : -1;
    if (tenths[i]! + step < 0) continue;
    tenths[i]! += step;
    diff -= step;
  }
  return tenths.map((t, i) => (t === 0 && parts[i]! > NOISE ? shownHours(parts[i]!) : t / 10));
}

/**
 * Hours with one decimal (`141.5 h`, `1,204.0 h`), two when small (`0.04 h`), `< 0.01 h` when
 * tinier, compact when very large (`1.5M h`, `1E300 h`); none is "—". Every hours figure of the
 * utilisation pages goes through this.
 */
export function formatHours(hours: number | null | undefined): string {
  const n = formatHoursNumber(hours);
  return n === "—" ? n : `${n} h`;
}

/** The number of `formatHours` without its unit (`141.5`), for `141.5 of 240.0 h`. */
export function formatHoursNumber(hours: number | null | undefined): string {
  if (hours === null || hours === undefined || !Number.isFinite(hours)) return "—";
  const a = Math.abs(hours);
  if (a < NOISE) return tenths.format(0);
  if (a >= HUGE) return scientific.format(hours);
  if (a >= LARGE) return compact.format(hours);
  if (a < 0.005) return hours > 0 ? `< ${hundredths.format(0.01)}` : `> ${hundredths.format(-0.01)}`;
  const shown = shownHours(hours);
  return a < 0.05 ? hundredths.format(shown) : tenths.format(shown);
}

/** A share as a whole percentage (`59%`, `104%`); without a whole to share (0 entitled) "—". */
export function formatShare(part: number, whole: number): string {
  if (!(whole > 0) || !Number.isFinite(part)) return "—";
  return new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 0 }).format(part / whole);
}

/** What each status is called, how it looks, and what it means. */
export const STATUS: Record<UsageStatus, { label: string; type: StatusIndicatorProps.Type; means: string }> = {
  not_started: { label: "Not started", type: "pending", means: "The period has not begun." },
  on_track: { label: "On track", type: "success", means: "At the burn rate, the hours last to the end of the period." },
  running_out_early: {
    label: "Running out early",
    type: "warning",
    means: "At the burn rate, the hours run out before the end of the period.",
  },
  exhausted: { label: "Hours used up", type: "error", means: "Every entitled hour has been used." },
  ended: { label: "Ended", type: "stopped", means: "The period is over." },
};

export function statusOf(status: string): { label: string; type: StatusIndicatorProps.Type; means: string } {
  return STATUS[status as UsageStatus] ?? { label: status, type: "info", means: "" };
}

/** The label of the "consistently exceeded" flag (3 of the last 4 complete months over the allocation). */
export const EXCEEDED_LABEL = "Allocation consistently exceeded";

/** How the months stand against the monthly allocation: over in all, and over in the last four complete ones. */
export function allocationRecord(months: readonly MonthLike[]): {
  hasAllocation: boolean;
  over: number;
  complete: number;
  recentOver: number;
  recent: number;
} {
  const withAllocation = months.filter((m) => m.allocation !== null && m.allocation !== undefined);
  const complete = withAllocation.filter((m) => m.complete);
  const recent = complete.slice(-4);
  return {
    hasAllocation: withAllocation.length > 0,
    over: complete.filter((m) => m.exceeded).length,
    complete: complete.length,
    recentOver: recent.filter((m) => m.exceeded).length,
    recent: recent.length,
  };
}

/**
 * How the months' allocation is described above the chart: one allocation throughout, or the one in
 * effect on each day when it changed during the period (the months it changed in named).
 */
export function allocationNote(months: readonly MonthLike[], current: number | null | undefined): string {
  const changed = months.filter((m) => m.allocation_changed).map((m) => monthLabel(m.month));
  const hasAllocation = months.some((m) => m.allocation !== null && m.allocation !== undefined);
  if (!changed.length) {
    return current !== null && current !== undefined
      ? `Each month's hours against the allocation of ${formatHours(current)}, prorated for months the period covers only partly.`
      : hasAllocation
        ? "Each month's hours against the allocation it had; the contract has no monthly allocation now."
        : "Each month's hours; the contract has no monthly allocation.";
  }
  return `Each month's hours against the allocation in effect on each of its days (it changed in ${changed.join(", ")}: see the entitlement history), prorated for months the period covers only partly.`;
}

/** `3 of the last 4 complete months` / `1 of 2 complete months` / `No monthly allocation`. */
export function overAllocationText(months: readonly MonthLike[]): string {
  const r = allocationRecord(months);
  if (!r.hasAllocation) return "No monthly allocation";
  if (!r.complete) return "No complete month yet";
  if (r.complete <= 4) return `${r.over} of ${r.complete} complete ${r.complete === 1 ? "month" : "months"}`;
  return `${r.recentOver} of the last 4 complete months (${r.over} of ${r.complete} in all)`;
}

/** For a table cell: `3 of the last 4` (`4 of 6 in all` beside it), or why there is nothing to count. */
export function overAllocationCell(months: readonly MonthLike[]): { main: string; detail?: string } {
  const r = allocationRecord(months);
  if (!r.hasAllocation) return { main: "No monthly allocation" };
  if (!r.complete) return { main: "No complete month yet" };
  if (r.complete <= 4) return { main: `${r.over} of ${r.complete}`, detail: `complete ${r.complete === 1 ? "month" : "months"}` };
  return { main: `${r.recentOver} of the last 4`, detail: `${r.over} of ${r.complete} in all` };
}

/**
 * The portfolio's months over the allocation, briefly: `3 of 6 months over`, `None of 2 months over`,
 * `No complete month yet`; without an allocation nothing (the allocation's line says so).
 */
export function monthsOverText(u: { monthly_allocation?: number | null; months_over_allocation: number; months_complete: number }): string | undefined {
  if (u.monthly_allocation === null || u.monthly_allocation === undefined) return undefined;
  if (!(u.months_complete > 0)) return "No complete month yet";
  const over = u.months_over_allocation > 0 ? u.months_over_allocation.toLocaleString() : "None";
  return `${over} of ${u.months_complete.toLocaleString()} ${u.months_complete === 1 ? "month" : "months"} over`;
}

/** The forecast against the entitlement: `12.5 h over` when it goes past it, else the share it reaches. */
export function forecastNote(forecast: number, entitled: number): { text: string; over: boolean } {
  const over = shownDifference(forecast, entitled);
  return over > 0
    ? { text: `${formatHours(over)} over the entitlement`, over: true }
    : { text: `${formatShare(forecast, entitled)} of the entitlement`, over: false };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `2026-04` as `Apr 2026` (the chart's ticks and the popover). */
export function monthLabel(month: string): string {
  const name = MONTHS[Number(month.slice(5, 7)) - 1];
  return name ? `${name} ${month.slice(0, 4)}` : month;
}

/**
 * The chart's series: each month's hours split at the (prorated) allocation into hours within it and
 * hours over it, stacked, and the allocation itself as a line. Without an allocation every hour is
 * "within" (there is nothing to be over) and there is no line. Hours over are the API's: those on
 * days that had an allocation above it (`allocated_hours`); hours on days without one (before it was
 * added, after it was removed) are never over.
 */
export function monthSeries(months: readonly MonthLike[]): {
  within: { x: string; y: number }[];
  over: { x: string; y: number }[];
  allocation: { x: string; y: number }[];
} {
  const within: { x: string; y: number }[] = [];
  const over: { x: string; y: number }[] = [];
  const allocation: { x: string; y: number }[] = [];
  for (const m of months) {
    const a = m.allocation;
    if (a === null || a === undefined) {
      within.push({ x: m.month, y: m.hours });
      over.push({ x: m.month, y: 0 });
    } else {
      const judged = m.allocated_hours ?? m.hours;
      const above = Math.max(0, judged - a);
      within.push({ x: m.month, y: m.hours - above });
      over.push({ x: m.month, y: above });
      allocation.push({ x: m.month, y: a });
    }
  }
  return { within, over, allocation };
}

const FIELD_LABELS: Record<string, string> = {
  entitled_hours: "Entitled hours",
  monthly_allocation: "Monthly allocation",
  start: "Start",
  end: "End",
  status: "Status",
};

export function fieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? field.replace(/_/g, " ");
}

/** A changed value in words: hours as hours, days and statuses as they are; none is "—". */
export function changeValue(field: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  if (field === "entitled_hours" || field === "monthly_allocation") {
    const n = Number(value);
    return Number.isFinite(n) ? formatHours(n) : value;
  }
  return value;
}

/** Where a change came from: the sources by name, else the admin's e-mail as it is. */
export function changeSource(source: string): string {
  if (source === "salesforce") return "Salesforce";
  if (source === "csv") return "CSV import";
  if (source === "demo") return "Demo data";
  return source;
}

// --- task code mappings ---

const TASK_CODE = /^[A-Za-z0-9._-]{1,64}$/;

/** A task code as the API keeps it (trimmed, upper case). */
export function normaliseCode(code: string): string {
  return code.trim().toUpperCase();
}

/** The API's rule for a task code, checked before sending. */
export function checkCode(code: string): string | undefined {
  const t = code.trim();
  if (!t) return "Enter a task code or a prefix.";
  return TASK_CODE.test(t) ? undefined : "1-64 letters, digits, '.', '_' and '-'.";
}

/** One mapping's identity: a code may be mapped once exactly and once as a prefix. */
export function mappingKey(m: Pick<MappingLike, "code" | "prefix">): string {
  return `${normaliseCode(m.code)}|${m.prefix ? "prefix" : "exact"}`;
}

/** The mapping a task code's hours go to: the exact mapping, else the longest matching prefix. */
export function matchMapping<M extends MappingLike>(mappings: readonly M[], code: string): M | undefined {
  const c = normaliseCode(code);
  const exact = mappings.find((m) => !m.prefix && normaliseCode(m.code) === c);
  if (exact) return exact;
  let best: M | undefined;
  for (const m of mappings) {
    const p = normaliseCode(m.code);
    if (m.prefix && c.startsWith(p) && (!best || p.length > normaliseCode(best.code).length)) best = m;
  }
  return best;
}

/** A prefix to offer for an unmapped code: up to its last separator (`OPS-100` → `OPS-`), else none. */
export function suggestPrefix(code: string): string | undefined {
  const c = normaliseCode(code);
  const cut = Math.max(c.lastIndexOf("-"), c.lastIndexOf("_"), c.lastIndexOf("."));
  return cut > 0 && cut < c.length - 1 ? c.slice(0, cut + 1) : undefined;
}

/**
 * The whole list after one add or edit: `replacing` (the mapping as it was, for an edit) is taken out
 * and `next` put in, in the API's order (by code, exact before prefix). Refuses a second mapping of
 * the same code and kind.
 */
export function withMapping<M extends MappingLike>(
  mappings: readonly M[],
  next: M,
  replacing?: Pick<MappingLike, "code" | "prefix">,
): { mappings: M[]; row: number } | { problem: string } {
  const rest = replacing ? mappings.filter((m) => mappingKey(m) !== mappingKey(replacing)) : [...mappings];
  const clean = { ...next, code: normaliseCode(next.code), prefix: !!next.prefix };
  if (rest.some((m) => mappingKey(m) === mappingKey(clean))) {
    return { problem: `${clean.code} is already mapped ${clean.prefix ? "as a prefix" : "exactly"}: edit that mapping instead.` };
  }
  const list = sortMappings([...rest, clean]);
  return { mappings: list, row: list.indexOf(clean) + 1 };
}

/** The list without one mapping. */
export function withoutMapping<M extends MappingLike>(mappings: readonly M[], gone: Pick<MappingLike, "code" | "prefix">): M[] {
  return mappings.filter((m) => mappingKey(m) !== mappingKey(gone));
}

export function sortMappings<M extends MappingLike>(mappings: readonly M[]): M[] {
  return [...mappings].sort((a, b) => {
    const ca = normaliseCode(a.code);
    const cb = normaliseCode(b.code);
    if (ca !== cb) return ca < cb ? -1 : 1;
    return Number(!!a.prefix) - Number(!!b.prefix);
  });
}

/** `OPS-100` exactly, or `ACME-…` for a prefix. */
export function mappingCode(m: Pick<MappingLike, "code" | "prefix">): string {
  return m.prefix ? `${m.code}…` : m.code;
}

/**
 * A CSV problem's place as the API counts it: row 0 is the header, data rows from 1. No line number:
 * a quoted field spanning lines, or a blank line, puts a row on a line no count of rows can tell.
 */
export function csvPlace(row: number): string {
  return row <= 0 ? "Header" : `Row ${row.toLocaleString()}`;
}

const ATTENTION: Record<string, number> = { exhausted: 0, running_out_early: 1, on_track: 3, not_started: 4, ended: 5 };

/** How urgently a contract wants a look: hours used up, running out early, allocation consistently exceeded, then the rest. */
export function attentionRank(u: { status: string; consistently_exceeded: boolean }): number {
  const rank = ATTENTION[u.status] ?? 3;
  return rank === 3 && u.consistently_exceeded ? 2 : rank;
}

interface Standing {
  status: string;
  consistently_exceeded: boolean;
}

/** One customer of the portfolio, as far as ordering and splitting it needs. */
export interface PortfolioCustomerLike<C extends Standing = Standing> {
  customer: string;
  name: string;
  contracts: readonly C[];
}

/**
 * The portfolio split for the overview: the customers with a current contract, most in need of a
 * look first (by their most urgent contract: hours used up, running out early, allocation
 * consistently exceeded, then the rest; ties keep the API's order, by name), and those without one.
 */
export function splitPortfolio<P extends PortfolioCustomerLike>(
  customers: readonly P[],
): { current: P[]; without: P[] } {
  const current = customers
    .filter((c) => c.contracts.length > 0)
    .map((c, i) => ({ c, i, rank: Math.min(...c.contracts.map(attentionRank)) }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((x) => x.c);
  return { current, without: customers.filter((c) => c.contracts.length === 0) };
}

/** A table row per current contract, its customer's beside it, in the customers' order. */
export function portfolioRows<P extends PortfolioCustomerLike>(
  customers: readonly P[],
): { customer: P; contract: P["contracts"][number] }[] {
  return customers.flatMap((customer) => customer.contracts.map((contract) => ({ customer, contract })));
}

/** `2 running out early · 1 allocation consistently exceeded · 3 on track` (what is there only). */
export function attentionSummary(usages: readonly { status: string; consistently_exceeded: boolean }[]): string {
  const n = (f: (u: { status: string; consistently_exceeded: boolean }) => boolean) => usages.filter(f).length;
  const parts: [number, string][] = [
    [n((u) => u.status === "exhausted"), "with hours used up"],
    [n((u) => u.status === "running_out_early"), "running out early"],
    [n((u) => u.consistently_exceeded), "with the allocation consistently exceeded"],
    [n((u) => u.status === "on_track"), "on track"],
    [n((u) => u.status === "not_started"), "not started"],
    [n((u) => u.status === "ended"), "ended"],
  ];
  return parts
    .filter(([k]) => k > 0)
    .map(([k, what]) => `${k.toLocaleString()} ${what}`)
    .join(" · ");
}

/**
 * A refused save of the mappings, for the dialog that changed the mapping on `row` (1-based in the
 * list sent): its problems by field (`code`, `customer`, `contract`), and the other rows' problems
 * (a list already broken elsewhere) to show apart.
 */
export function mappingProblems(err: unknown, row: number): { fields: Record<string, string>; others: RowProblem[] } {
  const fields: Record<string, string> = {};
  const others: RowProblem[] = [];
  if (!(err instanceof ApiError)) return { fields, others };
  for (const p of err.rows) {
    if (p.row === row && p.field) fields[p.field] ??= p.message;
    else others.push(p);
  }
  // One bad value is answered with `field: mappings[0].code` (0-based) instead of a list.
  const one = err.field?.match(/^mappings\[(\d+)\]\.(\w+)$/);
  if (one) {
    if (Number(one[1]) + 1 === row) fields[one[2]!] ??= err.message;
    else others.push({ row: Number(one[1]) + 1, field: one[2], message: err.message });
  }
  return { fields, others };
}

interface SyncRunLike {
  contracts: { status: string; error?: string | null };
  worklogs: { status: string; error?: string | null };
  contracts_written: { created: number; updated: number; unchanged: number; changes: number };
  worklogs_written: number;
  worklogs_deleted: number;
}

/** What a sync did, in one sentence for the page's status line. */
export function syncSummary(run: SyncRunLike): string {
  const c = run.contracts_written;
  const contracts =
    run.contracts.status === "ok"
      ? `contracts ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`
      : `contracts failed (${run.contracts.error ?? "no reason given"})`;
  const worklogs =
    run.worklogs.status === "ok"
      ? `${run.worklogs_written.toLocaleString()} ${run.worklogs_written === 1 ? "worklog" : "worklogs"} written${
          run.worklogs_deleted ? `, ${run.worklogs_deleted.toLocaleString()} deleted` : ""
        }`
      : `worklogs failed (${run.worklogs.error ?? "no reason given"})`;
  return `Synced: ${contracts}; ${worklogs}.`;
}

// --- months (the team page) ---

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(month: string): boolean {
  return MONTH.test(month);
}

/** This calendar month in UTC (the API's default), `YYYY-MM`. */
export function thisMonth(now: Date = new Date()): string {
  return now.toISOString().slice(0, 7);
}

/** The month `n` months after `month` (before, when negative). */
export function addMonths(month: string, n: number): string {
  const m = MONTH.exec(month);
  if (!m) return month;
  const index = Number(m[1]) * 12 + Number(m[2]) - 1 + n;
  return `${String(Math.floor(index / 12)).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** The first and last day of a month, for a range (`2026-02` → `2026-02-01` to `2026-02-28`). */
export function monthRange(month: string): { from: string; to: string } {
  const m = MONTH.exec(month);
  if (!m) return { from: "", to: "" };
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, "0")}` };
}

const LONG_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** `2026-11` as `November 2026`. */
export function monthTitle(month: string): string {
  const name = LONG_MONTHS[Number(month.slice(5, 7)) - 1];
  return name && isMonth(month) ? `${name} ${month.slice(0, 4)}` : month;
}

/** The Unmapped hours page over a month. */
export function unmappedHref(month: string): string {
  const { from, to } = monthRange(month);
  return from ? `/utilisation/unmapped?from=${from}&to=${to}` : "/utilisation/unmapped";
}
