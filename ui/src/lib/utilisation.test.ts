import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import {
  allocationRecord,
  addMonths,
  attentionSummary,
  changeValue,
  checkCode,
  csvPlace,
  apportionHours,
  formatHours,
  formatHoursNumber,
  monthsOverText,
  shownDifference,
  shownHours,
  formatShare,
  mappingProblems,
  matchMapping,
  forecastNote,
  monthLabel,
  monthRange,
  monthTitle,
  overAllocationCell,
  portfolioRows,
  splitPortfolio,
  thisMonth,
  unmappedHref,
  monthSeries,
  allocationNote,
  overAllocationText,
  statusOf,
  suggestPrefix,
  syncSummary,
  withMapping,
  withoutMapping,
  type MonthLike,
} from "./utilisation";

const month = (m: string, hours: number, allocation: number | null, complete = true): MonthLike => ({
  month: m,
  hours,
  allocation,
  complete,
  exceeded: allocation !== null && hours > allocation,
});

describe("formatHours", () => {
  it("writes hours with one decimal, and none as a dash", () => {
    expect(formatHours(141.5)).toBe(`${(141.5).toLocaleString(undefined, { minimumFractionDigits: 1 })} h`);
    expect(formatHours(20)).toBe(`${(20).toLocaleString(undefined, { minimumFractionDigits: 1 })} h`);
    expect(formatHours(4.627777)).toBe(`${(4.6).toLocaleString(undefined, { minimumFractionDigits: 1 })} h`);
    expect(formatHours(1e-9)).toBe(formatHours(0));
    expect(formatHours(undefined)).toBe("—");
    expect(formatHours(Number.NaN)).toBe("—");
  });
  it("shows a small non-zero value as itself, never as 0.0", () => {
    const two = (n: number) => n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(formatHours(0.04)).toBe(`${two(0.04)} h`);
    expect(formatHours(-0.04)).toBe(`${two(-0.04)} h`);
    expect(formatHours(0.001)).toBe(`< ${two(0.01)} h`);
    expect(formatHours(0.05)).toBe(`${(0.1).toLocaleString(undefined, { minimumFractionDigits: 1 })} h`);
  });
  it("writes very large values compactly, whatever their size", () => {
    expect(formatHoursNumber(1e300).length).toBeLessThan(10);
    expect(formatHoursNumber(-1e300).length).toBeLessThan(10);
    expect(formatHoursNumber(1.5e7).length).toBeLessThan(8);
    expect(formatHoursNumber(123_456_789_012).length).toBeLessThan(8);
    expect(formatHoursNumber(999_999.94).length).toBeLessThan(10);
  });
  it("left is the shown entitlement less the shown hours used", () => {
    // 222.84 + 17.25 read as 222.8 + 17.3 would be 240.1 of 240.0.
    expect(shownHours(222.84)).toBe(222.8);
    expect(shownDifference(240.09, 222.84)).toBe(17.3);
    expect(shownDifference(240, 222.75)).toBe(17.2);
    expect(shownDifference(0.04, 0)).toBe(0.04);
    expect(shownDifference(240, 240.000001)).toBe(0);
    expect(shownHours(-0.00001)).toBe(0);
  });
  it("rounds parts so they add up to their whole as shown", () => {
    const sum = (xs: number[]) => Math.round(xs.reduce((n, x) => n + x, 0) * 10) / 10;
    // 3.35 + 3.35 + 3.3 = 10.0, each rounded: 3.4 + 3.4 + 3.3 = 10.1.
    const parts = apportionHours([3.35, 3.35, 3.3]);
    expect(sum(parts)).toBe(10);
    expect(parts.filter((p) => p === 3.4)).toHaveLength(1);
    expect(sum(apportionHours([0.15, 0.15, 0.15, 0.15], 0.6))).toBe(0.6);
    expect(sum(apportionHours([2.04, 1.04], 3.1))).toBe(3.1);
    // A small part keeps its own value rather than 0.
    expect(apportionHours([10, 0.02], 10.02)).toEqual([10, 0.02]);
    expect(apportionHours([])).toEqual([]);
    expect(apportionHours([1e300, 1])).toEqual([1e300, 1]);
  });
  it("shares are whole percentages; nothing entitled is a dash", () => {
    expect(formatShare(141.5, 240)).toMatch(/^59\s?%$/);
    expect(formatShare(250, 240)).toMatch(/^104\s?%$/);
    expect(formatShare(10, 0)).toBe("—");
  });
});

describe("status", () => {
  it("names each status the API gives, and shows an unknown one as it is", () => {
    expect(statusOf("on_track")).toMatchObject({ label: "On track", type: "success" });
    expect(statusOf("running_out_early")).toMatchObject({ label: "Running out early", type: "warning" });
    expect(statusOf("exhausted").type).toBe("error");
    expect(statusOf("ended")).toMatchObject({ label: "Ended", type: "stopped" });
    expect(statusOf("paused")).toMatchObject({ label: "paused", type: "info" });
  });
});

describe("months against the allocation", () => {
  const months = [
    month("2026-05", 22.5, 20),
    month("2026-06", 14.5, 20),
    month("2026-07", 19.25, 20),
    month("2026-08", 25, 20),
    month("2026-09", 42.75, 20),
    month("2026-10", 53.25, 20),
    month("2026-11", 45.5, 20, false),
  ];
  it("counts complete months over, in all and in the last four", () => {
    expect(allocationRecord(months)).toEqual({ hasAllocation: true, over: 4, complete: 6, recentOver: 3, recent: 4 });
    expect(overAllocationText(months)).toBe("3 of the last 4 complete months (4 of 6 in all)");
  });
  it("says so without an allocation or a complete month", () => {
    expect(overAllocationText([month("2026-07", 14, null)])).toBe("No monthly allocation");
    expect(overAllocationText([month("2026-11", 30, 20, false)])).toBe("No complete month yet");
    expect(overAllocationText([month("2026-10", 30, 20), month("2026-11", 3, 20, false)])).toBe("1 of 1 complete month");
  });
  it("splits each month's hours at the allocation for the chart", () => {
    const s = monthSeries([month("2026-09", 42.75, 20), month("2026-10", 14.5, 20)]);
    expect(s.within).toEqual([{ x: "2026-09", y: 20 }, { x: "2026-10", y: 14.5 }]);
    expect(s.over).toEqual([{ x: "2026-09", y: 22.75 }, { x: "2026-10", y: 0 }]);
    expect(s.allocation).toEqual([{ x: "2026-09", y: 20 }, { x: "2026-10", y: 20 }]);
    const none = monthSeries([month("2026-07", 14.25, null)]);
    expect(none.within).toEqual([{ x: "2026-07", y: 14.25 }]);
    expect(none.allocation).toEqual([]);
  });
  it("judges only the hours on days that had an allocation, and says when it changed", () => {
    // Removed mid-month: 30 h logged, 15 of them on the 15 days with an allocation of 15 h in all.
    const removed = { ...month("2026-04", 30, 15), allocated_hours: 15, allocation_changed: true };
    const s = monthSeries([removed, { ...month("2026-05", 20, 10), allocated_hours: 20 }]);
    expect(s.within).toEqual([{ x: "2026-04", y: 30 }, { x: "2026-05", y: 10 }]);
    expect(s.over).toEqual([{ x: "2026-04", y: 0 }, { x: "2026-05", y: 10 }]);
    expect(allocationNote([removed], null)).toBe(
      "Each month's hours against the allocation in effect on each of its days (it changed in Apr 2026: see the entitlement history), prorated for months the period covers only partly.",
    );
    expect(allocationNote([month("2026-05", 20, 10)], 10)).toBe(
      "Each month's hours against the allocation of 10.0 h, prorated for months the period covers only partly.",
    );
    expect(allocationNote([month("2026-05", 20, null)], null)).toBe("Each month's hours; the contract has no monthly allocation.");
  });
  it("labels months", () => {
    expect(monthLabel("2026-04")).toBe("Apr 2026");
    expect(monthLabel("nonsense")).toBe("nonsense");
  });
});

describe("entitlement changes", () => {
  it("writes hours as hours, other values as they are, none as a dash", () => {
    expect(changeValue("entitled_hours", "200")).toBe(formatHours(200));
    expect(changeValue("monthly_allocation", null)).toBe("—");
    expect(changeValue("end", "2027-05-31")).toBe("2027-05-31");
  });
});

describe("task code mappings", () => {
  const list = [
    { code: "ACME-", prefix: true, customer: "acme-retail", contract: "00000100" },
    { code: "ACME-OPS-", prefix: true, customer: "acme-retail", contract: null },
    { code: "ACME-7", prefix: false, customer: "borealis-energy" },
  ];
  it("matches exactly first, then by the longest prefix, as the API does", () => {
    expect(matchMapping(list, "acme-7")?.customer).toBe("borealis-energy");
    expect(matchMapping(list, "ACME-OPS-3")?.code).toBe("ACME-OPS-");
    expect(matchMapping(list, "ACME-12")?.code).toBe("ACME-");
    expect(matchMapping(list, "OPS-1")).toBeUndefined();
  });
  it("checks codes as the API does", () => {
    expect(checkCode("")).toBeDefined();
    expect(checkCode("OPS-100")).toBeUndefined();
    expect(checkCode("bad code")).toBeDefined();
    expect(checkCode("x".repeat(65))).toBeDefined();
  });
  it("offers a prefix for an unmapped code", () => {
    expect(suggestPrefix("OPS-100")).toBe("OPS-");
    expect(suggestPrefix("ops_2")).toBe("OPS_");
    expect(suggestPrefix("PLAIN")).toBeUndefined();
    expect(suggestPrefix("ENDS-")).toBeUndefined();
  });
  it("adds, edits and removes one mapping in the API's order, refusing a duplicate", () => {
    const added = withMapping(list, { code: "ops-", prefix: true, customer: "evergreen-logistics" });
    if (!("mappings" in added)) throw new Error(added.problem);
    expect(added.mappings.map((m) => m.code)).toEqual(["ACME-", "ACME-7", "ACME-OPS-", "OPS-"]);
    expect(added.row).toBe(4);
    const dup = withMapping(list, { code: "acme-", prefix: true, customer: "x" });
    expect("problem" in dup && dup.problem).toMatch(/already mapped as a prefix/);
    // The same code exactly is another mapping.
    expect("mappings" in withMapping(list, { code: "ACME-", prefix: false, customer: "x" })).toBe(true);
    const edited = withMapping(list, { code: "ACME-", prefix: true, customer: "acme-retail", contract: null }, list[0]);
    if (!("mappings" in edited)) throw new Error(edited.problem);
    expect(edited.mappings).toHaveLength(3);
    expect(edited.mappings[0]?.contract).toBeNull();
    expect(withoutMapping(list, { code: "ACME-7" }).map((m) => m.code)).toEqual(["ACME-", "ACME-OPS-"]);
  });
});

describe("CSV problems", () => {
  it("names the header and the data rows as the API counts them, without guessing a line", () => {
    expect(csvPlace(0)).toBe("Header");
    expect(csvPlace(1)).toBe("Row 1");
    expect(csvPlace(2)).toBe("Row 2");
    expect(csvPlace(12345)).toBe(`Row ${(12345).toLocaleString()}`);
  });
});

describe("attention", () => {
  const r = (status: string, consistently_exceeded = false) => ({ usage: { status, consistently_exceeded } });
  const customer = (name: string, ...contracts: { status: string; consistently_exceeded: boolean }[]) => ({ customer: name, name, contracts });
  it("puts customers with used-up and running-out contracts first, then consistently exceeded ones; those without a contract apart", () => {
    const { current, without } = splitPortfolio([
      customer("acme", r("on_track").usage),
      customer("borealis", r("on_track", true).usage),
      customer("cobalt"),
      customer("driftwood", r("not_started").usage, r("running_out_early").usage),
      customer("evergreen", r("exhausted").usage),
      customer("fjord", r("on_track").usage),
      customer("granite"),
    ]);
    expect(current.map((c) => c.name)).toEqual(["evergreen", "driftwood", "borealis", "acme", "fjord"]);
    expect(without.map((c) => c.name)).toEqual(["cobalt", "granite"]);
  });
  it("lists a row per contract with its customer, in the customers' order", () => {
    const rows = portfolioRows([customer("driftwood", r("not_started").usage, r("running_out_early").usage), customer("acme", r("on_track").usage)]);
    expect(rows.map((x) => `${x.customer.name} ${x.contract.status}`)).toEqual(["driftwood not_started", "driftwood running_out_early", "acme on_track"]);
  });
  it("sums up what is there", () => {
    const usages = [r("on_track"), r("running_out_early", true), r("on_track", true)].map((x) => x.usage);
    expect(attentionSummary(usages)).toBe("1 running out early · 2 with the allocation consistently exceeded · 2 on track");
    expect(attentionSummary([])).toBe("");
  });
});

describe("a refused save of the mappings", () => {
  it("puts the edited row's problems under its fields and keeps the others apart", () => {
    const err = new ApiError(400, "validation_failed", "2 problem(s)", undefined, [
      { row: 2, field: "contract", message: "customer 'acme-retail' has no contract '999'" },
      { row: 4, field: "code", message: "'ACME-' is also mapped on row 3" },
    ]);
    expect(mappingProblems(err, 2)).toEqual({
      fields: { contract: "customer 'acme-retail' has no contract '999'" },
      others: [{ row: 4, field: "code", message: "'ACME-' is also mapped on row 3" }],
    });
  });
  it("reads a single bad value named by its 0-based path", () => {
    const err = new ApiError(400, "invalid_field", "not a valid task code", "mappings[2].code");
    expect(mappingProblems(err, 3).fields).toEqual({ code: "not a valid task code" });
    expect(mappingProblems(err, 1).others).toEqual([{ row: 3, field: "code", message: "not a valid task code" }]);
    expect(mappingProblems(new Error("x"), 1)).toEqual({ fields: {}, others: [] });
  });
});

describe("syncSummary", () => {
  const run = {
    contracts: { status: "ok" },
    worklogs: { status: "ok" },
    contracts_written: { created: 0, updated: 1, unchanged: 4, changes: 2 },
    worklogs_written: 818,
    worklogs_deleted: 0,
  };
  it("says what each source did, or why it failed", () => {
    expect(syncSummary(run)).toBe(`Synced: contracts 0 created, 1 updated, 4 unchanged; ${(818).toLocaleString()} worklogs written.`);
    expect(syncSummary({ ...run, worklogs: { status: "failed", error: "JIRA answered 401" }, worklogs_written: 0 })).toBe(
      "Synced: contracts 0 created, 1 updated, 4 unchanged; worklogs failed (JIRA answered 401).",
    );
  });
});

describe("table cells", () => {
  it("counts months over the allocation briefly", () => {
    const months = [month("2026-07", 30, 20), month("2026-08", 10, 20), month("2026-09", 30, 20), month("2026-10", 30, 20), month("2026-11", 30, 20), month("2026-12", 1, 20, false)];
    expect(overAllocationCell(months)).toEqual({ main: "3 of the last 4", detail: "4 of 5 in all" });
    expect(overAllocationCell(months.slice(0, 2))).toEqual({ main: "1 of 2", detail: "complete months" });
    expect(overAllocationCell([month("2026-07", 30, null)])).toEqual({ main: "No monthly allocation" });
  });
  it("counts the portfolio's months over the allocation briefly", () => {
    expect(monthsOverText({ monthly_allocation: 20, months_over_allocation: 3, months_complete: 6 })).toBe("3 of 6 months over");
    expect(monthsOverText({ monthly_allocation: 20, months_over_allocation: 0, months_complete: 1 })).toBe("None of 1 month over");
    expect(monthsOverText({ monthly_allocation: 20, months_over_allocation: 0, months_complete: 0 })).toBe("No complete month yet");
    expect(monthsOverText({ monthly_allocation: null, months_over_allocation: 0, months_complete: 0 })).toBeUndefined();
  });
  it("says by how much a forecast goes over, else the share it reaches", () => {
    expect(forecastNote(201, 200)).toEqual({ text: `${formatHours(1)} over the entitlement`, over: true });
    expect(forecastNote(200.01, 200).over).toBe(false);
    expect(forecastNote(200.06, 200).over).toBe(true);
    expect(forecastNote(150, 200).text).toMatch(/^75\s?% of the entitlement$/);
  });
});

describe("months", () => {
  it("steps across years", () => {
    expect(addMonths("2026-01", -1)).toBe("2025-12");
    expect(addMonths("2026-12", 1)).toBe("2027-01");
    expect(addMonths("2026-11", 14)).toBe("2028-01");
    expect(addMonths("nonsense", 1)).toBe("nonsense");
  });
  it("knows each month's last day, leap years too", () => {
    expect(monthRange("2026-02")).toEqual({ from: "2026-02-01", to: "2026-02-28" });
    expect(monthRange("2028-02").to).toBe("2028-02-29");
    expect(monthRange("2026-12").to).toBe("2026-12-31");
    expect(monthRange("2026-13")).toEqual({ from: "", to: "" });
  });
  it("names a month, takes this one in UTC, and links its unmapped hours", () => {
    expect(monthTitle("2026-11")).toBe("November 2026");
    expect(monthTitle("2026-13")).toBe("2026-13");
    expect(thisMonth(new Date("2026-11-30T23:30:00Z"))).toBe("2026-11");
    expect(thisMonth(new Date("2026-12-01T00:00:00Z"))).toBe("2026-12");
    expect(unmappedHref("2026-04")).toBe("/utilisation/unmapped?from=2026-04-01&to=2026-04-30");
  });
});
