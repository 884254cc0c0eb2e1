// @vitest-environment happy-dom
import { act, createElement } from "react";
import { createRoot } from "react-dom/client";
import { describe, expect, it } from "vitest";
import { useAttemptError } from "./useAttemptError";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe("useAttemptError", () => {
  it("hides a server error once the fields are edited, and shows the next attempt's", () => {
    let shown: unknown;
    let edited = () => {};
    function Dialog({ error }: { error: unknown }) {
      [shown, edited] = useAttemptError(error);
      return null;
    }
    const root = createRoot(document.createElement("div"));
    const taken = new Error("customer code 'acme-retail' is taken");
    act(() => root.render(createElement(Dialog, { error: null })));
    expect(shown).toBeNull();
    act(() => root.render(createElement(Dialog, { error: taken })));
    expect(shown).toBe(taken);
    act(() => edited());
    expect(shown).toBeNull();
    const again = new Error("customer code 'acme-retail' is taken");
    act(() => root.render(createElement(Dialog, { error: again })));
    expect(shown).toBe(again);
    act(() => root.unmount());
  });
});
