import { describe, expect, it } from "vitest";
import {
  addMonths,
  builtBy,
  changePlace,
  readableChanges,
  checkBuildMonth,
  checkReason,
  checkSummary,
  closedMonths,
  defaultPair,
  diffValue,
  downloadFormats,
  failedFormats,
  isMonth,
  lastClosedMonth,
  mayBuild,
  monthName,
  renderingFormats,
  sectionsCount,
  sectionText,
  SUMMARY_MAX,
  type ReportChange,
} from "./reports";

const output = (format: string) => ({ format, content_type: "x", key: "k", size: 1, version_id: "v" });

describe("months", () => {
  it("steps across years both ways", () => {
    expect(addMonths("2026-01", -1)).toBe("2025-12");
    expect(addMonths("2025-12", 1)).toBe("2026-01");
    expect(addMonths("2026-03", -15)).toBe("2024-12");
  });
  it("the month just closed is last month, also on the 1st and in January", () => {
    expect(lastClosedMonth("2026-11-30")).toBe("2026-10");
    expect(lastClosedMonth("2026-11-01")).toBe("2026-10");
    expect(lastClosedMonth("2027-01-01")).toBe("2026-12");
  });
  it("offers closed months newest first", () => {
    expect(closedMonths("2026-02-10", 3)).toEqual(["2026-01", "2025-12", "2025-11"]);
  });
  it("accepts only real YYYY-MM months in the API's range", () => {
    expect(isMonth("2026-03")).toBe(true);
    for (const bad of ["2026-13", "2026-00", "26-03", "2026-3", "1999-12", ""]) expect(isMonth(bad)).toBe(false);
  });
  it("names months in words", () => {
    expect(monthName("2026-03")).toBe("March 2026");
  });
  it("refuses the open month and the future with a sentence, accepts a closed one", () => {
    expect(checkBuildMonth("2026-10", "2026-11-30")).toBeUndefined();
    expect(checkBuildMonth("2026-11", "2026-11-30")).toMatch(/November 2026 has not ended yet/);
    expect(checkBuildMonth("2027-01", "2026-11-30")).toMatch(/in the future/);
    expect(checkBuildMonth("", "2026-11-30")).toMatch(/Choose a month/);
  });
});

describe("the build form's checks", () => {
  it("counts the summary in characters, not UTF-16 units, up to the API's 20,000", () => {
    expect(checkSummary("a".repeat(SUMMARY_MAX))).toBeUndefined();
    expect(checkSummary("😀".repeat(SUMMARY_MAX))).toBeUndefined();
    expect(checkSummary("a".repeat(SUMMARY_MAX + 1))).toMatch(/20,001 characters; at most 20,000/);
  });
  it("wants a reason on one line of at most 200 characters", () => {
    expect(checkReason("added the summary")).toBeUndefined();
    expect(checkReason("two\nlines")).toMatch(/one line/);
    expect(checkReason("x".repeat(201))).toMatch(/200/);
    expect(checkReason("")).toBeUndefined();
  });
});

describe("versions", () => {
  it("says who built a version", () => {
    expect(builtBy({ kind: "schedule" })).toBe("the monthly schedule");
    expect(builtBy({ kind: "person", email: "lee@x.dev" })).toBe("lee@x.dev");
  });
  it("describes sections with and without data", () => {
    expect(sectionText({ section: "renewals", ready: true })).toBe("Upcoming renewals");
    expect(sectionText({ section: "compliance", ready: false, missing: "not_configured" })).toBe("Compliance: not set up");
    expect(sectionText({ section: "new_thing", ready: false })).toBe("new_thing: no data");
    expect(sectionsCount([{ section: "a", ready: true }, { section: "b", ready: false }])).toBe("1 of 2 sections with data");
  });
  it("offers a download for each output listed, PDF first, and only those", () => {
    expect(downloadFormats({ outputs: [output("json"), output("html")] })).toEqual(["html", "json"]);
    expect(downloadFormats({ outputs: [output("json"), output("html"), output("pdf")] })).toEqual(["pdf", "html", "json"]);
    expect(downloadFormats({ outputs: [output("docx")] })).toEqual([]);
  });
  it("tells outputs on their way from outputs that failed to render or did not come in time", () => {
    const built_at = "2026-11-30T10:00:00Z";
    const now = Date.parse(built_at) + 60_000;
    const late = Date.parse(built_at) + 16 * 60_000;
    expect(renderingFormats({ built_at }, now)).toEqual([]);
    expect(renderingFormats({ built_at, pending: [{ format: "pdf" }] }, now)).toEqual(["pdf"]);
    expect(renderingFormats({ built_at, pending: [{ format: "pdf", error: "broke" }] }, now)).toEqual([]);
    expect(failedFormats({ built_at, pending: [{ format: "pdf", error: null }] }, now)).toEqual([]);
    expect(failedFormats({ built_at, pending: [{ format: "pdf", error: "broke" }] }, now)).toEqual([
      { format: "pdf", error: "broke" },
    ]);
    expect(renderingFormats({ built_at, pending: [{ format: "pdf" }] }, late)).toEqual([]);
    expect(failedFormats({ built_at, pending: [{ format: "pdf" }] }, late)).toEqual([
      { format: "pdf", error: "not rendered in time" },
    ]);
  });
  it("compares the newest version with the one before by default", () => {
    expect(defaultPair([{ version: 3 }, { version: 2 }, { version: 1 }])).toEqual({ from: 2, to: 3 });
    expect(defaultPair([{ version: 1 }])).toBeUndefined();
  });
  it("lets the team, leads and admins build", () => {
    expect(mayBuild({ roles: ["engineer"], customers: ["acme"] }, "acme")).toBe(true);
    expect(mayBuild({ roles: ["engineer"], customers: ["other"] }, "acme")).toBe(false);
    expect(mayBuild({ roles: ["lead"], customers: [] }, "acme")).toBe(true);
    expect(mayBuild({ roles: ["admin"] }, "acme")).toBe(true);
    expect(mayBuild(undefined, "acme")).toBe(false);
  });
});

describe("diffs", () => {
  it("writes values as one line", () => {
    expect(diffValue(undefined)).toBeUndefined();
    expect(diffValue(null)).toBe("null");
    expect(diffValue("")).toBe('""');
    expect(diffValue("text")).toBe("text");
    expect(diffValue(12.5)).toBe("12.5");
    expect(diffValue(false)).toBe("false");
    expect(diffValue({ a: 1 })).toBe('{"a":1}');
    expect(diffValue("x".repeat(300), 10)).toBe(`${"x".repeat(9)}…`);
  });
  it("splits a path into its section and the rest", () => {
    expect(changePlace("billing.data.currencies[USD].total")).toEqual({ section: "Billing", rest: "data.currencies[USD].total" });
    expect(changePlace("summary")).toEqual({ section: "Summary", rest: "" });
    expect(changePlace("renewals[0]")).toEqual({ section: "Upcoming renewals", rest: "[0]" });
  });
  it("opens an object added or removed whole into one row per field, in name order", () => {
    const rows = readableChanges(([
      { path: "summary.status", kind: "changed", from: "missing", to: "ready" },
      { path: "summary.data", kind: "added", to: { markdown: "## Hi", extra: { n: 1 } } },
      { path: "summary.message", kind: "removed", from: "none written" },
      { path: "billing.data.old", kind: "removed", from: { a: [1, 2] } },
      { path: "billing.data.list", kind: "added", to: [1, 2] },
    ] as unknown) as ReportChange[]);
    expect(rows).toEqual([
      { path: "summary.status", kind: "changed", from: "missing", to: "ready" },
      { path: "summary.data.extra.n", kind: "added", to: 1 },
      { path: "summary.data.markdown", kind: "added", to: "## Hi" },
      { path: "summary.message", kind: "removed", from: "none written" },
      { path: "billing.data.old.a", kind: "removed", from: [1, 2] },
      { path: "billing.data.list", kind: "added", to: [1, 2] },
    ]);
  });
});
