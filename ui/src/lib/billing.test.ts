import { describe, expect, it } from "vitest";
import {
  addedText,
  chartCurrency,
  checkExportFiles,
  checkNote,
  currenciesBySize,
  impactLabel,
  impactText,
  MAX_IMPORT_BYTES,
  orgStatusText,
  overviewCurrencies,
  checkRange,
  checkThresholds,
  direction,
  estimatedPeriods,
  formatChange,
  formatMoney,
  formatMoneyShort,
  pageOf,
  rangeFromAddress,
  moversWindows,
  NO_MOVERS,
  granularityFor,
  mainCurrency,
  OTHER,
  periodsBetween,
  presetRange,
  ratioToPercentText,
  sortOverview,
  stackServices,
  yesterday,
  type OverviewRowLike,
} from "./billing";

// The test runner's locale may differ: compare against Intl's own output for the same options.
const usd = (n: number) =>
  new Intl.NumberFormat(undefined, { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);

describe("formatMoney", () => {
  it("formats in the row's currency", () => {
    expect(formatMoney(1234.5, "USD")).toBe(usd(1234.5));
    expect(formatMoney(3, "EUR")).toContain("3");
    expect(formatMoney(3, "EUR")).not.toBe(formatMoney(3, "USD"));
  });
  it("signs changes and never shows minus zero", () => {
    expect(formatMoney(12, "USD", true).startsWith("+")).toBe(true);
    expect(formatMoney(-12, "USD", true)).toMatch(/^[-−]/);
    expect(formatMoney(-0.001, "USD", true)).toBe(formatMoney(0, "USD", true));
    expect(formatMoney(-0.001, "USD")).toBe(usd(0));
  });
  it("uses each currency's own minor unit", () => {
    const jpy = formatMoney(290_000, "JPY");
    expect(jpy).toBe(new Intl.NumberFormat(undefined, { style: "currency", currency: "JPY" }).format(290_000));
    expect(jpy).not.toMatch(/[.,]00$/);
    expect(formatMoney(35.8, "BHD")).toMatch(/35[.,]800/);
    expect(formatMoney(0.4, "JPY", true)).toBe(formatMoney(0, "JPY", true));
  });
  it("shows no amount as a dash, not a zero", () => {
    expect(formatMoney(null, "USD")).toBe("—");
    expect(formatMoney(undefined, "USD")).toBe("—");
    expect(formatMoney(Number.NaN, "USD")).toBe("—");
    expect(formatMoney(Number.POSITIVE_INFINITY, "USD", true)).toBe("—");
  });
  it("writes an unknown currency code after the number", () => {
    expect(formatMoney(5, "XYZ1")).toMatch(/5.00 XYZ1$/);
  });
});

describe("formatMoneyShort (chart ticks)", () => {
  it("keeps small neighbouring ticks distinct", () => {
    const ticks = [4, 3.5, 3, 2.5, 2, 1.5, 1, 0.5, 0].map((y) => formatMoneyShort(y, "USD"));
    expect(new Set(ticks).size).toBe(ticks.length);
    const tiny = [0.25, 0.2, 0.15, 0.1, 0.05].map((y) => formatMoneyShort(y, "USD"));
    expect(new Set(tiny).size).toBe(tiny.length);
  });
  it("uses one compact style across the range", () => {
    const compact = (n: number) =>
      new Intl.NumberFormat(undefined, { style: "currency", currency: "USD", notation: "compact", maximumSignificantDigits: 3 }).format(n);
    expect(formatMoneyShort(5000, "USD")).toBe(compact(5000));
    expect(formatMoneyShort(10_000, "USD")).toBe(compact(10_000));
    expect(formatMoneyShort(12_500, "USD")).toBe(compact(12_500));
    // Same suffix for 5,000 and 10,000 (no "$5,000" next to "$10K").
    expect(formatMoneyShort(5000, "USD").replace(/[\d.,\s]/g, "")).toBe(formatMoneyShort(10_000, "USD").replace(/[\d.,\s]/g, ""));
  });
});

describe("formatChange", () => {
  it("gives money and percent", () => {
    const text = formatChange(1133.48, 0.05207, "USD");
    expect(text.startsWith("+")).toBe(true);
    expect(text).toMatch(/\(\+5\.2\s?%\)$/);
  });
  it("says when there was nothing before", () => {
    expect(formatChange(38.57, null, "USD")).toMatch(/\(nothing before\)$/);
  });
  it("a zero change without a ratio is just zero", () => {
    expect(formatChange(0, null, "USD")).toBe(formatMoney(0, "USD", true));
  });
  it("falls below zero with a minus", () => {
    expect(formatChange(-10, -0.1, "USD")).toMatch(/\([-−]10\.0\s?%\)$/);
  });
  it("direction ignores less than a cent", () => {
    expect(direction(0.004)).toBe("flat");
    expect(direction(0.01)).toBe("up");
    expect(direction(-3)).toBe("down");
  });
});

describe("stackServices", () => {
  const days = ["2026-11-01", "2026-11-02"];
  const row = (period: string, service: string | null, amount: number, currency = "USD", estimated = false) => ({
    period,
    service,
    other: service === null,
    amount,
    currency,
    estimated,
  });

  it("draws the API's services largest total first and its Other rows last", () => {
    // As the API answers group=service&top=2: the two largest and one other row a day.
    const rows = [
      row("2026-11-01", "B", 30),
      row("2026-11-01", "A", 10),
      row("2026-11-01", null, 1),
      row("2026-11-02", "A", 10),
      row("2026-11-02", null, 2.5),
    ];
    const series = stackServices(rows, "USD", days);
    expect(series.map((s) => s.title)).toEqual(["B", "A", OTHER]);
    expect(series[2]!.data).toEqual([
      { x: "2026-11-01", y: 1 },
      { x: "2026-11-02", y: 2.5 },
    ]);
    expect(series[2]!.total).toBeCloseTo(3.5);
  });

  it("fills every period with 0 so the stacks line up", () => {
    const series = stackServices([row("2026-11-02", "A", 4)], "USD", days);
    expect(series).toEqual([{ title: "A", total: 4, data: [{ x: "2026-11-01", y: 0 }, { x: "2026-11-02", y: 4 }] }]);
  });

  it("ranks equal totals by name and never confuses a service called Other with the rest", () => {
    const rows = [row("2026-11-01", "Other", 5), row("2026-11-01", "Beta", 5), row("2026-11-01", null, 1)];
    expect(stackServices(rows, "USD", days).map((s) => s.title)).toEqual(["Beta", "Other", "Other services"]);
  });

  it("leaves out other currencies", () => {
    const rows = [row("2026-11-01", "A", 3), row("2026-11-01", "A", 100, "EUR"), row("2026-11-01", null, 7, "EUR")];
    const series = stackServices(rows, "USD", days);
    expect(series).toHaveLength(1);
    expect(series[0]!.data[0]).toEqual({ x: "2026-11-01", y: 3 });
  });

  it("lists the estimated periods of the currency, in order", () => {
    const rows = [
      row("2026-11-02", "A", 1, "USD", true),
      row("2026-11-02", null, 1, "USD", true),
      row("2026-11-01", "B", 1, "USD", true),
      row("2026-11-01", "A", 1, "EUR", true),
      row("2026-10-31", "A", 1),
    ];
    expect(estimatedPeriods(rows, "USD")).toEqual(["2026-11-01", "2026-11-02"]);
    expect(estimatedPeriods(rows.slice(4), "USD")).toEqual([]);
  });

  it("picks the main currency by the largest total", () => {
    expect(mainCurrency([{ amount: 3, currency: "EUR" }, { amount: 10, currency: "USD" }])).toBe("USD");
    expect(mainCurrency([])).toBeUndefined();
  });
});

describe("ranges", () => {
  it("yesterday is the UTC day before", () => {
    expect(yesterday(new Date("2026-12-01T00:30:00Z"))).toBe("2026-11-30");
  });
  it("presets end at the as-of day", () => {
    expect(presetRange("30d", "2026-11-29")).toEqual({ from: "2026-10-31", to: "2026-11-29" });
    expect(presetRange("90d", "2026-11-29")).toEqual({ from: "2026-09-01", to: "2026-11-29" });
    expect(presetRange("this-month", "2026-11-29")).toEqual({ from: "2026-11-01", to: "2026-11-29" });
    expect(presetRange("last-month", "2026-03-15")).toEqual({ from: "2026-02-01", to: "2026-02-28" });
    expect(presetRange("last-month", "2026-01-01")).toEqual({ from: "2025-12-01", to: "2025-12-31" });
  });
  it("checks custom ranges as the API does", () => {
    expect(checkRange("2026-11-01", "2026-11-29")).toBeUndefined();
    expect(checkRange("2026-11-30", "2026-11-29")).toMatch(/before the start/);
    expect(checkRange("2025-01-01", "2026-11-29")).toMatch(/14 months/);
    expect(checkRange("2026-02-30", "2026-03-01")).toMatch(/YYYY-MM-DD/);
  });
  it("lists days, or months for long ranges", () => {
    expect(periodsBetween("2026-02-27", "2026-03-01", "daily")).toEqual(["2026-02-27", "2026-02-28", "2026-03-01"]);
    expect(periodsBetween("2026-01-15", "2026-03-01", "monthly")).toEqual(["2026-01-01", "2026-02-01", "2026-03-01"]);
    expect(granularityFor("2026-09-01", "2026-11-29")).toBe("daily");
    expect(granularityFor("2026-01-01", "2026-11-29")).toBe("monthly");
  });
});

describe("sortOverview", () => {
  const c = (name: string, mtd?: number, open = 0, currency = "USD"): OverviewRowLike => ({
    name,
    month_to_date:
      mtd === undefined ? [] : [{ currency, month_to_date: mtd, last_month_same_days: 0, change: mtd, change_ratio: null, forecast: mtd }],
    open_anomalies: open,
    acknowledged_anomalies: 0,
  });
  const rows = [c("Cobalt"), c("Acme", 10, 1), c("Borealis", 30), c("Delta", 10)];
  it("sorts by money either way, customers with no data last", () => {
    expect(sortOverview(rows, "mtd", true).map((r) => r.name)).toEqual(["Borealis", "Acme", "Delta", "Cobalt"]);
    expect(sortOverview(rows, "mtd", false).map((r) => r.name)).toEqual(["Acme", "Delta", "Borealis", "Cobalt"]);
  });
  it("never compares amounts across currencies: by currency code, then amount", () => {
    const mixed = [c("Yen Co", 290_000, 0, "JPY"), c("Big", 35_000), c("Small", 20), c("Euro", 5, 0, "EUR")];
    expect(sortOverview(mixed, "mtd", true).map((r) => r.name)).toEqual(["Euro", "Yen Co", "Big", "Small"]);
    expect(sortOverview(mixed, "mtd", false).map((r) => r.name)).toEqual(["Euro", "Yen Co", "Small", "Big"]);
  });
  it("sorts money within the chosen currency: a customer billed in several by its amount in that one", () => {
    const both: OverviewRowLike = {
      name: "Both",
      month_to_date: [
        { currency: "USD", month_to_date: 50_000, last_month_same_days: 0, change: 0, change_ratio: null, forecast: 0 },
        { currency: "EUR", month_to_date: 10, last_month_same_days: 0, change: 0, change_ratio: null, forecast: 0 },
      ],
      open_anomalies: 0,
      acknowledged_anomalies: 0,
    };
    const mixed = [c("Yen Co", 290_000, 0, "JPY"), c("Big", 35_000), both, c("Euro", 5, 0, "EUR"), c("Euro Big", 900, 0, "EUR"), c("None")];
    // In EUR: Both counts with its €10, not its $50,000; then the others by currency, then no data.
    expect(sortOverview(mixed, "mtd", true, "EUR").map((r) => r.name)).toEqual(["Euro Big", "Both", "Euro", "Yen Co", "Big", "None"]);
    expect(sortOverview(mixed, "mtd", false, "EUR").map((r) => r.name)).toEqual(["Euro", "Both", "Euro Big", "Yen Co", "Big", "None"]);
    // In USD: the USD customers first, whatever the yen amount says.
    expect(sortOverview(mixed, "mtd", true, "USD").map((r) => r.name)).toEqual(["Both", "Big", "Euro Big", "Euro", "Yen Co", "None"]);
  });
  it("offers the currencies most customers are billed in first", () => {
    expect(overviewCurrencies([c("A", 1, 0, "EUR"), c("B", 1), c("C", 1), c("D")])).toEqual(["USD", "EUR"]);
    expect(overviewCurrencies([c("A", 1, 0, "JPY"), c("B", 1, 0, "EUR")])).toEqual(["EUR", "JPY"]);
    expect(overviewCurrencies([c("D")])).toEqual([]);
  });
  it("sorts by name and by counts", () => {
    expect(sortOverview(rows, "name", false).map((r) => r.name)).toEqual(["Acme", "Borealis", "Cobalt", "Delta"]);
    expect(sortOverview(rows, "open", true)[0]!.name).toBe("Acme");
  });
  it("a missing ratio sorts last", () => {
    expect(sortOverview(rows, "ratio", true).map((r) => r.name)).toEqual(["Acme", "Borealis", "Cobalt", "Delta"]);
  });
});

describe("form checks", () => {
  it("a resolve note is required; an acknowledge note is not; both are at most 2000 characters", () => {
    expect(checkNote("  ", true)).toMatch(/Say what was done/);
    expect(checkNote("", false)).toBeUndefined();
    expect(checkNote("x".repeat(2001), false)).toMatch(/2000/);
  });
  it("thresholds", () => {
    expect(checkThresholds("50", "20")).toEqual({});
    expect(checkThresholds("-1", "")).toEqual({ min_impact: "An amount of 0 or more.", min_relative: "A percentage from 0 to 1000." });
    expect(ratioToPercentText(0.2)).toBe("20");
    expect(ratioToPercentText(0.125)).toBe("12.5");
  });
});

describe("top movers' wording", () => {
  it("names both windows in full", () => {
    expect(moversWindows({ from: "2026-11-23", to: "2026-11-29", compared_from: "2026-11-16" })).toBe(
      "2026-11-23 – 2026-11-29 against 2026-11-16 – 2026-11-22",
    );
    expect(moversWindows({ from: "2026-03-01", to: "2026-03-07", compared_from: "2026-02-22" })).toMatch(/– 2026-02-28$/);
  });
  it("says no change, not no spend, when nothing moved", () => {
    expect(NO_MOVERS).toMatch(/no change in spend/i);
  });
});

describe("rangeFromAddress", () => {
  const asOf = "2026-11-29";
  it("shows a bad custom range's problem, never another range in its place", () => {
    expect(rangeFromAddress("custom", "2026-11-20", "2026-11-10", asOf)).toEqual({
      preset: "custom",
      from: "2026-11-20",
      to: "2026-11-10",
      problem: "The end is before the start.",
    });
    expect(rangeFromAddress("custom", "2025-01-01", asOf, asOf).problem).toMatch(/14 months/);
    expect(rangeFromAddress("custom", "2026-11-01", "2026-11-10", asOf).range).toEqual({ from: "2026-11-01", to: "2026-11-10" });
    expect(rangeFromAddress("30d", null, null, asOf).range?.to).toBe(asOf);
  });
  it("shows the days of a shared link without range=custom, not the default 30 days", () => {
    expect(rangeFromAddress(null, "2026-10-01", "2026-10-15", asOf)).toEqual({
      preset: "custom",
      from: "2026-10-01",
      to: "2026-10-15",
      range: { from: "2026-10-01", to: "2026-10-15" },
    });
    // Days beat a preset the same address names: they are the explicit range.
    expect(rangeFromAddress("90d", "2026-10-01", "2026-10-15", asOf).range).toEqual({ from: "2026-10-01", to: "2026-10-15" });
  });
  it("says what is wrong with bad days as it does for range=custom, with no data behind them", () => {
    for (const [from, to] of [
      ["2026-10-15", "2026-10-01"],
      ["2026-02-30", "2026-03-01"],
      ["2026-10-01", null],
      [null, "2026-10-01"],
      ["", ""],
    ] as const) {
      const shown = rangeFromAddress(null, from, to, asOf);
      expect(shown.range).toBeUndefined();
      expect(shown.preset).toBe("custom");
      expect(shown.problem).toBe(rangeFromAddress("custom", from ?? "", to ?? "", asOf).problem);
      expect(shown.problem).toBeTruthy();
    }
  });
  it("a range the page does not know is said, not swapped for the default", () => {
    const shown = rangeFromAddress("7d", null, null, asOf);
    expect(shown.range).toBeUndefined();
    expect(shown.preset).toBeUndefined();
    expect(shown.problem).toMatch(/“7d”/);
    expect(rangeFromAddress(null, null, null, asOf)).toMatchObject({ preset: "30d", range: presetRange("30d", asOf) });
  });
});

describe("the chart's currency", () => {
  const totals = [
    { amount: 120, currency: "EUR" },
    { amount: 35_000, currency: "JPY" },
    { amount: 900, currency: "USD" },
  ];
  it("lists the currencies largest total first; the largest is the default", () => {
    expect(currenciesBySize(totals)).toEqual(["JPY", "USD", "EUR"]);
    expect(chartCurrency(totals, null)).toBe("JPY");
    expect(chartCurrency([], null)).toBeUndefined();
  });
  it("keeps the currency asked for when the range has costs in it", () => {
    expect(chartCurrency(totals, "EUR")).toBe("EUR");
    expect(chartCurrency(totals, "GBP")).toBe("JPY");
  });
  it("equal totals by code; a refund-heavy currency by its size", () => {
    expect(currenciesBySize([{ amount: 5, currency: "USD" }, { amount: 5, currency: "EUR" }])).toEqual(["EUR", "USD"]);
    expect(currenciesBySize([{ amount: -50, currency: "USD" }, { amount: 5, currency: "EUR" }])).toEqual(["USD", "EUR"]);
  });
});

describe("the absolute threshold's currency", () => {
  it("names the one currency a customer is billed in", () => {
    expect(impactLabel(["EUR"])).toBe("Smallest impact (EUR)");
    expect(impactText(50, ["EUR"])).toBe(formatMoney(50, "EUR"));
  });
  it("applies in each of several currencies, never converted", () => {
    expect(impactLabel(["USD", "EUR"])).toBe("Smallest impact (in each billing currency: USD, EUR)");
    expect(impactText(50, ["USD", "EUR"])).toBe(`${formatMoney(50, "USD")} or ${formatMoney(50, "EUR")} (each currency's own costs)`);
  });
  it("makes up no currency before any cost", () => {
    expect(impactLabel([])).toBe("Smallest impact (in the billing currency)");
    expect(impactText(50, [])).toBe("50 in the billing currency");
    expect(impactText(50, [])).not.toMatch(/USD|\$/);
  });
});

describe("export files for one import", () => {
  const f = (name: string, size = 100) => ({ name, size });
  it("takes the parts of one export together", () => {
    expect(checkExportFiles([f("export-00001.csv.gz"), f("export-00002.csv.gz")])).toBeUndefined();
  });
  it("asks for a file, refuses one chosen twice or empty", () => {
    expect(checkExportFiles([])).toMatch(/Choose a file/);
    expect(checkExportFiles([f("a.csv"), f("a.csv")])).toMatch(/a\.csv is chosen twice/);
    expect(checkExportFiles([f("a.csv"), f("b.csv", 0)])).toMatch(/b\.csv is empty/);
  });
  it("counts every file and the form against the route's 4 MiB", () => {
    expect(checkExportFiles([f("a.csv", MAX_IMPORT_BYTES / 2), f("b.csv", MAX_IMPORT_BYTES / 2)])).toMatch(/4\.0 MiB in all.*cc billing import/);
    expect(checkExportFiles([f("a.csv", MAX_IMPORT_BYTES / 2 - 1000), f("b.csv", MAX_IMPORT_BYTES / 2 - 1000)])).toBeUndefined();
    expect(checkExportFiles([f("a.csv", MAX_IMPORT_BYTES)])).toMatch(/^The file is/);
  });
});

describe("discovered accounts", () => {
  const accounts = [
    { id: "900000000001", name: "sandbox" },
    { id: "900000000002", name: "legacy" },
  ];
  it("says what was added, by name and id", () => {
    expect(addedText({ created: 2, ids: ["900000000001", "900000000002"], skipped: [] }, accounts, "Acme Retail")).toBe(
      "Added 2 accounts to Acme Retail in the hub: sandbox (900000000001), legacy (900000000002).",
    );
  });
  it("says what was not added and why", () => {
    expect(
      addedText({ created: 0, ids: [], skipped: [{ id: "900000000002", reason: "added by someone else meanwhile" }] }, accounts, "Acme Retail"),
    ).toBe("No account added to Acme Retail. Not added: legacy (900000000002): added by someone else meanwhile.");
  });
  it("names statuses in words", () => {
    expect(orgStatusText("pending_closure")).toBe("closing");
    expect(orgStatusText("suspended")).toBe("suspended");
  });
});

describe("pageOf", () => {
  const rows = Array.from({ length: 66 }, (_, i) => i);
  it("pages 66 accounts by 20: four pages, the last with 6", () => {
    expect(pageOf(rows, 1)).toMatchObject({ page: 1, pages: 4, items: rows.slice(0, 20) });
    expect(pageOf(rows, 4).items).toEqual(rows.slice(60));
    expect(pageOf(rows, 9).page).toBe(4);
    expect(pageOf([], 1)).toEqual({ items: [], page: 1, pages: 1 });
  });
});
