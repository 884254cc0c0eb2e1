// @vitest-environment happy-dom
// A version conflict's Reload refetches; it never submits the form the alert sits in (which would
// send the stale save again and get a second 409).
import { act, createElement } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import SaveError from "./SaveError";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe("SaveError", () => {
  let container: HTMLDivElement;
  let root: Root;
  beforeEach(() => {
    container = document.createElement("div");
    document.body.appendChild(container);
    root = createRoot(container);
  });
  afterEach(() => {
    act(() => root.unmount());
    container.remove();
  });

  it("reloads on Reload without submitting the surrounding form", async () => {
    let submitted = 0;
    let reloaded = 0;
    const conflict = new ApiError(409, "version_conflict", "changed since read");
    await act(async () =>
      root.render(
        createElement(
          "form",
          { onSubmit: (e: Event) => { e.preventDefault(); submitted += 1; } },
          createElement(SaveError, { error: conflict, onReload: async () => { reloaded += 1; } }),
        ),
      ),
    );
    const button = [...container.querySelectorAll("button")].find((b) => b.textContent?.includes("Reload"));
    expect(button).toBeDefined();
    await act(async () => button!.click());
    expect(reloaded).toBe(1);
    expect(submitted).toBe(0);
  });
});
