// @vitest-environment happy-dom
// An absent value: a dash that screen readers do not read, and the words they read instead.
import { act, createElement } from "react";
import { createRoot } from "react-dom/client";
import { describe, expect, it } from "vitest";
import NoValue from "./NoValue";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe("NoValue", () => {
  it("shows a dash, says what is absent, and never the word None", () => {
    const container = document.createElement("div");
    const root = createRoot(container);
    act(() => root.render(createElement(NoValue, { label: "No management account" })));
    const hidden = container.querySelector('[aria-hidden="true"]');
    expect(hidden?.textContent).toBe("—");
    expect(container.textContent).toBe("—No management account");
    expect(container.textContent).not.toMatch(/\bNone\b|null|undefined/);
    act(() => root.unmount());
  });
});
