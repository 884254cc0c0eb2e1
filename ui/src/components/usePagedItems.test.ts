// @vitest-environment happy-dom
// usePagedItems rendered with React: every loaded page's items in order, the same array until the data changes.
import { act, createElement } from "react";
import { createRoot } from "react-dom/client";
import { describe, expect, it } from "vitest";
import { usePagedItems } from "./usePagedItems";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

type Data = { pages: { items: string[] }[]; pageParams: unknown[] } | undefined;

describe("usePagedItems", () => {
  it("joins the pages in order, keeps the array for the same data, and is empty before any page", () => {
    const seen: string[][] = [];
    function Probe({ data }: { data: Data }) {
      seen.push(usePagedItems(data));
      return null;
    }
    const root = createRoot(document.createElement("div"));
    const one: Data = { pages: [{ items: ["a", "b"] }], pageParams: [undefined] };
    const two: Data = { pages: [...one.pages, { items: ["c"] }], pageParams: [undefined, "x"] };
    act(() => root.render(createElement(Probe, { data: undefined })));
    act(() => root.render(createElement(Probe, { data: one })));
    act(() => root.render(createElement(Probe, { data: one })));
    act(() => root.render(createElement(Probe, { data: two })));
    act(() => root.unmount());
    expect(seen.map((s) => s.join(""))).toEqual(["", "ab", "ab", "abc"]);
    expect(seen[2]).toBe(seen[1]);
  });
});
