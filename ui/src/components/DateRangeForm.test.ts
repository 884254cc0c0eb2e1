// @vitest-environment happy-dom
// The one From/To form of the billing chart's custom range and the unmapped hours: a bad range
// from the address is flagged at once, Show sends only a draft that passes the page's rule, and a
// new range from the address replaces the draft.
import { act, createElement } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkRange } from "../lib/billing";
import { checkOptionalRange } from "../lib/days";
import DateRangeForm from "./DateRangeForm";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe("DateRangeForm", () => {
  let container: HTMLDivElement;
  let root: Root;
  let sent: [string, string][];
  const render = (from: string, to: string, check: (f: string, t: string) => string | undefined) =>
    act(() => root.render(createElement(DateRangeForm, { from, to, check, onSubmit: (f: string, t: string) => void sent.push([f, t]) })));
  const alert = () => container.querySelector('[role="alert"]')!.textContent;
  const inputs = () => [...container.querySelectorAll("input")].map((i) => i.value);
  const show = () =>
    act(() => {
      container.querySelector("form")!.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
    });

  beforeEach(() => {
    sent = [];
    container = document.createElement("div");
    document.body.appendChild(container);
    root = createRoot(container);
  });
  afterEach(() => {
    act(() => root.unmount());
    container.remove();
  });

  it("flags a bad range from the address at once, and Show sends nothing", async () => {
    await render("2026-11-20", "2026-11-10", checkRange);
    expect(alert()).toBe("The end is before the start.");
    await show();
    expect(sent).toEqual([]);
  });

  it("applies the page's own rule: both days (billing) or either empty (unmapped hours)", async () => {
    await render("", "", checkOptionalRange);
    expect(alert()).toBe("");
    await show();
    expect(sent).toEqual([["", ""]]);
    await render("2026-02-30", "", checkOptionalRange);
    expect(alert()).toMatch(/YYYY-MM-DD/);
  });

  it("Show sends a good draft; a new range from the address replaces the draft", async () => {
    await render("2026-11-01", "2026-11-10", checkRange);
    expect(inputs()).toEqual(["2026-11-01", "2026-11-10"]);
    await show();
    expect(sent).toEqual([["2026-11-01", "2026-11-10"]]);
    await render("2026-10-01", "2026-10-31", checkRange);
    expect(inputs()).toEqual(["2026-10-01", "2026-10-31"]);
    expect(alert()).toBe("");
  });
});
