import { describe, expect, it } from "vitest";
import { addDays, checkOptionalRange, isDay } from "./days";

describe("days", () => {
  it("knows real calendar days", () => {
    expect(isDay("2028-02-29")).toBe(true);
    expect(isDay("2026-02-29")).toBe(false);
    expect(isDay("2026-2-1")).toBe(false);
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
  });
  it("a range whose ends may be empty: each given day real, the end not before the start", () => {
    expect(checkOptionalRange("", "")).toBeUndefined();
    expect(checkOptionalRange("2026-11-01", "")).toBeUndefined();
    expect(checkOptionalRange("", "2026-11-01")).toBeUndefined();
    expect(checkOptionalRange("2026-11-01", "2026-11-30")).toBeUndefined();
    expect(checkOptionalRange("2026-02-30", "")).toMatch(/YYYY-MM-DD/);
    expect(checkOptionalRange("2026-11", "")).toMatch(/YYYY-MM-DD/);
    expect(checkOptionalRange("2026-11-30", "2026-11-01")).toMatch(/before the start/);
  });
});
