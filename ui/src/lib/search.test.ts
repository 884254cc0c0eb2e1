import { describe, expect, it } from "vitest";
import { freshOptions, searchKey } from "./search";

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
