import { describe, expect, it } from "vitest";
import { freshOptions, freshResult, searchable, searchKey } from "./search";

const old = ["acme-retail management", "borealis identity prod"];

describe("freshOptions", () => {
  it("withholds the previous results while the debounce has not caught up with the text", () => {
    expect(freshOptions("100000013943", "", { data: old, isPlaceholderData: false, isError: false })).toEqual({
      items: [],
      status: "loading",
    });
  });

  it("withholds placeholder (previous query's) data while the current text's query runs", () => {
    expect(
      freshOptions("borealis identity prod", "borealis identity prod", { data: old, isPlaceholderData: true, isError: false }),
    ).toEqual({ items: [], status: "loading" });
  });

  it("offers the results of the current text once they are in", () => {
    const now = ["borealis identity prod"];
    expect(freshOptions("borealis identity prod ", "borealis identity prod", { data: now, isPlaceholderData: false, isError: false })).toEqual({
      items: now,
      status: "finished",
    });
  });

  it("reports an error with no options", () => {
    expect(freshOptions("x", "x", { data: undefined, isPlaceholderData: false, isError: true })).toEqual({ items: [], status: "error" });
  });

  it("compares texts as the query key does (trimmed, 200 characters)", () => {
    expect(searchKey("  a  ")).toBe("a");
    expect(searchKey("x".repeat(300))).toHaveLength(200);
  });
});

describe("freshResult (the quick switcher's answer: any data, not only a list)", () => {
  const answer = { customers: [], accounts: ["payments prod"] };
  it("lists results only for exactly what is typed, never the previous query's", () => {
    const ok = { data: answer, isPlaceholderData: false, isError: false };
    expect(freshResult("payments prod", "payments prod", ok)).toEqual({ data: answer, status: "finished" });
    expect(freshResult(" payments prod ", "payments prod", ok).data).toBe(answer);
    expect(freshResult("payments prod", "payments", ok)).toEqual({ status: "loading" });
    expect(freshResult("payments prod", "payments prod", { ...ok, isPlaceholderData: true })).toEqual({ status: "loading" });
    expect(freshResult("payments prod", "payments prod", { ...ok, data: undefined })).toEqual({ status: "loading" });
  });

  it("keeps a long text's answer: the query is its first 200 characters, as the API reads it", () => {
    const long = "x".repeat(200);
    const ok = { data: answer, isPlaceholderData: false, isError: false };
    // Typing past 200 characters asks nothing new, so the answer on hand is still the right one.
    expect(freshResult(`${long}yz`, `${long}y`, ok).data).toBe(answer);
    expect(freshResult(`${long.slice(1)}y`, long, ok)).toEqual({ status: "loading" });
  });
});

describe("searchable (as the API splits queries into words of letters and digits)", () => {
  it("needs a letter or digit", () => {
    for (const t of ["%", "-", " ", "%%_*", ""]) expect(searchable(t)).toBe(false);
    for (const t of ["a", "7", "%a", "é", "acme-retail"]) expect(searchable(t)).toBe(true);
  });
});
