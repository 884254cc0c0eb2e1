import { describe, expect, it } from "vitest";
import { localZoneText, when } from "./format";

describe("when", () => {
  it("always shows the time zone", () => {
    expect(when("2026-11-29T22:23:00Z", "UTC")).toMatch(/10:23\s?PM UTC|22:23 UTC/);
    expect(when("2026-07-01T12:00:00Z", "America/New_York")).toMatch(/EDT|GMT-4/);
  });
  it("shows a dash for nothing and the text for nonsense", () => {
    expect(when(null)).toBe("—");
    expect(when("not a date")).toBe("not a date");
  });
});

describe("localZoneText", () => {
  it("names the zone and its offset", () => {
    expect(localZoneText(new Date("2026-01-15T12:00:00Z"), "Europe/Berlin")).toBe("Europe/Berlin (GMT+1)");
    expect(localZoneText(new Date("2026-01-15T12:00:00Z"), "UTC")).toMatch(/^UTC/);
  });
});
