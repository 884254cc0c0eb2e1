// Monthly reports as the UI shows them: who built a version, its sections, its outputs, which months
// may be built, the build form's checks (the API's own limits, so a person learns before sending),
// and a diff's changes as text. Plain functions, tested without a browser.
import type { Schemas } from "../api/client";

export type ReportVersion = Schemas["ReportVersion"];
export type ReportTrigger = ReportVersion["trigger"];
export type SectionState = Schemas["SectionState"];
export type ReportChange = Schemas["Change"];

/** The API's limit on a summary (`BuildRequest.summary`): 20,000 characters. */
export const SUMMARY_MAX = 20_000;
/** The API's limit on a reason (`BuildRequest.reason`): one line of at most 200 characters. */
export const REASON_MAX = 200;

/** A report month: `YYYY-MM` from 2000-01 to 2099-12 (the API's `ReportMonth`). */
export function isMonth(s: string): boolean {
  return /^20\d{2}-(0[1-9]|1[0-2])$/.test(s);
}

/** The month `n` months after `month` (`n` may be negative). */
export function addMonths(month: string, n: number): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** The month just closed on `today` (`YYYY-MM-DD`, UTC): the newest month a report may be built for. */
export function lastClosedMonth(today: string): string {
  return addMonths(today.slice(0, 7), -1);
}

/** `2026-03` as "March 2026". */
export function monthName(month: string): string {
  if (!isMonth(month)) return month;
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
}

/** The closed months to offer in the build form, newest first: `count` months back from the last closed one. */
export function closedMonths(today: string, count = 24): string[] {
  const last = lastClosedMonth(today);
  return Array.from({ length: count }, (_, i) => addMonths(last, -i)).filter(isMonth);
}

/**
 * Why `month` cannot be built on `today` (UTC), or undefined: the API refuses a month that has not
 * ended (400), and we say so before asking.
 */
export function checkBuildMonth(month: string, today: string): string | undefined {
  if (!isMonth(month)) return "Choose a month (YYYY-MM).";
  const last = lastClosedMonth(today);
  if (month > today.slice(0, 7)) return `${monthName(month)} is in the future: reports are built for months that have ended.`;
  if (month > last) return `${monthName(month)} has not ended yet: the newest month with a report is ${monthName(last)}.`;
  return undefined;
}

/** Why the summary would be refused (over 20,000 characters, counted as the API counts: by character). */
export function checkSummary(summary: string): string | undefined {
  const n = [...summary].length;
  if (n > SUMMARY_MAX) return `The summary is ${n.toLocaleString("en-GB")} characters; at most ${SUMMARY_MAX.toLocaleString("en-GB")}.`;
  return undefined;
}

/** Why the reason would be refused: more than one line, or over 200 characters. */
export function checkReason(reason: string): string | undefined {
  if (/[\r\n]/.test(reason)) return "Write the reason on one line.";
  if ([...reason.trim()].length > REASON_MAX) return `At most ${REASON_MAX} characters.`;
  return undefined;
}

/** Who built a version: "the monthly schedule" or the person's e-mail. */
export function builtBy(trigger: ReportTrigger): string {
  return trigger.kind === "person" ? trigger.email : "the monthly schedule";
}

const SECTION_LABELS: Record<string, string> = {
  summary: "Summary",
  billing: "Billing",
  compliance: "Compliance",
  renewals: "Upcoming renewals",
  optimisation: "Cost optimisation",
  utilisation: "Utilisation",
  breakglass: "Breakglass activity",
};

/** A section's name as the report titles it ("renewals" → "Upcoming renewals"); unknown names as sent. */
export function sectionLabel(section: string): string {
  return SECTION_LABELS[section] ?? section;
}

const MISSING_TEXT: Record<string, string> = {
  no_data: "no data",
  not_configured: "not set up",
  unavailable: "unavailable",
};

/** "Billing: no data" for a section without data; the label alone for one with. */
export function sectionText(s: SectionState): string {
  if (s.ready) return sectionLabel(s.section);
  return `${sectionLabel(s.section)}: ${s.missing ? MISSING_TEXT[s.missing] ?? s.missing : "no data"}`;
}

/** "5 of 7 sections with data". */
export function sectionsCount(sections: readonly SectionState[]): string {
  const ready = sections.filter((s) => s.ready).length;
  return `${ready} of ${sections.length} sections with data`;
}

/** Download formats a person is offered, in this order, for whichever outputs a version lists. */
const DOWNLOAD_ORDER = ["pdf", "html", "json"];

export type ReportFormat = "html" | "json" | "pdf";

/** The version's downloadable formats (PDF first when it has one), as the API lists them; unknown ones dropped. */
export function downloadFormats(version: Pick<ReportVersion, "outputs">): ReportFormat[] {
  const listed = new Set(version.outputs.map((o) => o.format));
  return DOWNLOAD_ORDER.filter((f) => listed.has(f)) as ReportFormat[];
}

/** How long after its build a version's pending output is still expected: the stream's records live
 * an hour (`MaximumRecordAgeInSeconds` in the stacks) but a render takes seconds, so after 15
 * minutes something went wrong and a rebuild is the way on. */
export const RENDER_EXPECTED_MS = 15 * 60 * 1000;

type Pending = Pick<ReportVersion, "pending" | "built_at">;

/** The formats a version still waits for (rendered after the build: the PDF in AWS), while they are
 * expected (`now` in ms). */
export function renderingFormats(version: Pending, now = Date.now()): string[] {
  if (now - Date.parse(version.built_at) > RENDER_EXPECTED_MS) return [];
  return (version.pending ?? []).filter((p) => !p.error).map((p) => p.format);
}

/** The formats whose rendering failed (with why) or did not come in time. */
export function failedFormats(version: Pending, now = Date.now()): { format: string; error: string }[] {
  const late = now - Date.parse(version.built_at) > RENDER_EXPECTED_MS;
  return (version.pending ?? []).flatMap((p) =>
    p.error ? [{ format: p.format, error: p.error }] : late ? [{ format: p.format, error: "not rendered in time" }] : [],
  );
}

/** "PDF (84 kB)". */
export function formatLabel(format: string, size?: number): string {
  const name = format.toUpperCase();
  return size === undefined ? name : `${name} (${bytes(size)})`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A diff value as one line of text: strings as written (quoted only when empty), numbers and
 * booleans as JSON, objects and lists as compact JSON cut at `max` characters; absent is undefined.
 */
export function diffValue(value: unknown, max = 160): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return "null";
  if (typeof value === "string") return value === "" ? '""' : clip(value, max);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return clip(JSON.stringify(value), max);
}

function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : s;
}

/** A change's path split into its section (the first part, labelled) and the rest: `billing.data.x` → Billing, `data.x`. */
export function changePlace(path: string): { section: string; rest: string } {
  const dot = path.search(/[.[]/);
  const head = dot < 0 ? path : path.slice(0, dot);
  const rest = dot < 0 ? "" : path.slice(path[dot] === "." ? dot + 1 : dot);
  return { section: sectionLabel(head), rest };
}

/**
 * Changes as rows a person reads: an object added or removed whole (a section that now has data)
 * becomes one row per field inside it (`data.markdown` added, not `data` = `{"markdown": ...}`),
 * up to `limit` rows per change; lists and plain values stay one row. Order is kept.
 */
export function readableChanges(changes: readonly ReportChange[], limit = 50): ReportChange[] {
  const rows: ReportChange[] = [];
  for (const c of changes) {
    const whole = c.kind === "added" ? c.to : c.kind === "removed" ? c.from : undefined;
    if (!isPlainObject(whole)) {
      rows.push(c);
      continue;
    }
    const leaves: ReportChange[] = [];
    const walk = (value: unknown, path: string) => {
      if (leaves.length >= limit) return;
      if (isPlainObject(value) && Object.keys(value).length) {
        for (const k of Object.keys(value).sort()) walk(value[k], `${path}.${k}`);
      } else {
        leaves.push(c.kind === "added" ? { path, kind: "added", to: value as ReportChange["to"] } : { path, kind: "removed", from: value as ReportChange["from"] });
      }
    };
    walk(whole, c.path);
    rows.push(...leaves);
  }
  return rows;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The pair to compare by default: the newest version against the one before it; `undefined` when
 * the month has only one. Versions come newest first.
 */
export function defaultPair(versions: readonly { version: number }[]): { from: number; to: number } | undefined {
  if (versions.length < 2) return undefined;
  return { from: versions[1]!.version, to: versions[0]!.version };
}

/** Whether a person with these roles and teams may build `customer`'s reports (its team, a lead or an admin). */
export function mayBuild(me: { roles?: readonly string[]; customers?: readonly string[] } | undefined, customer: string): boolean {
  if (!me) return false;
  const roles = me.roles ?? [];
  return roles.includes("lead") || roles.includes("admin") || (me.customers ?? []).includes(customer);
}
