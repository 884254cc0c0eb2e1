// The bulk account import as the admin page shows it: what to send the file as, and what the
// hub's answer says (created, skipped, and which skipped rows need a look).
import type { Schemas } from "../api/client";

type BulkOutcome = Schemas["BulkOutcome"];
type SkippedAccount = Schemas["SkippedAccount"];

/** JSON or CSV, by the file's extension, else by its first characters (a JSON body is an object). */
export function importContentType(name: string, head: string): "application/json" | "text/csv" {
  if (/\.json$/i.test(name)) return "application/json";
  if (/\.csv$/i.test(name)) return "text/csv";
  return head.replace(/^\uFEFF/, "").trimStart().startsWith("{") ? "application/json" : "text/csv";
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** One sentence for the result: "2 accounts created, 1 skipped (1 differs from the hub)". */
export function importHeadline(o: BulkOutcome): string {
  const differ = o.skipped.filter((s) => s.matches === false).length;
  const skipped = o.skipped.length ? `, ${o.skipped.length.toLocaleString()} skipped` : "";
  const note = differ ? ` (${plural(differ, "differs", "differ")} from the hub)` : "";
  return `${plural(o.created, "account", "accounts")} created${skipped}${note}`;
}

/** Skipped rows that need a look (differ from the hub, or left out for a concurrent change), by row. */
export function skippedToReview(o: BulkOutcome): SkippedAccount[] {
  return o.skipped.filter((s) => s.matches !== true).sort((a, b) => a.row - b.row);
}

/** How many skipped rows were already in the hub just as in the file. */
export function skippedMatching(o: BulkOutcome): number {
  return o.skipped.filter((s) => s.matches === true).length;
}

/** Why a row was skipped, for its table cell. */
export function skipText(s: SkippedAccount): string {
  if (s.matches === false) {
    const where = s.cause === "added_meanwhile" ? "Added by someone else during the import" : "Already in the hub";
    return `${where}; differs in ${s.differs.join(", ")}`;
  }
  if (s.matches === true) return "Already in the hub, as in the file";
  return s.reason;
}

/** Row 0 is the file as a whole (its header, its size). */
export function rowLabel(row: number): string {
  return row === 0 ? "File" : String(row);
}
