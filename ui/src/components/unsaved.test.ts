// @vitest-environment happy-dom
import { act, createElement } from "react";
import { createRoot } from "react-dom/client";
import { describe, expect, it, vi } from "vitest";
import { anyUnsaved, differs, discardAllUnsaved, leavesUnsaved, onBeforeUnload, useUnsavedChanges } from "./unsaved";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const at = (pathname: string, search = "") => ({ pathname, search });

describe("leaving with unsaved changes", () => {
  it("asks only when a form has changes and the path or query changes", () => {
    expect(leavesUnsaved(at("/admin/customers/acme"), at("/admin/policies"), true)).toBe(true);
    // A tab of the admin customer page is its ?tab=: the form goes away too.
    expect(leavesUnsaved(at("/admin/customers/acme"), at("/admin/customers/acme", "?tab=team"), true)).toBe(true);
    expect(leavesUnsaved(at("/admin/customers/acme"), at("/admin/customers/acme"), true)).toBe(false);
    expect(leavesUnsaved(at("/admin/customers/acme"), at("/admin/policies"), false)).toBe(false);
  });

  it("compares values as data", () => {
    expect(differs({ a: "x", list: ["1"] }, { a: "x", list: ["1"] })).toBe(false);
    expect(differs({ a: "x " }, { a: "x" })).toBe(true);
  });
});

describe("useUnsavedChanges", () => {
  function Form({ dirty, onSaved }: { dirty: boolean; onSaved?: (saved: () => void) => void }) {
    const saved = useUnsavedChanges(dirty);
    onSaved?.(saved);
    return null;
  }

  it("registers a form while it has changes, and forgets it when clean, saved or gone", () => {
    const root = createRoot(document.createElement("div"));
    act(() => root.render(createElement(Form, { dirty: false })));
    expect(anyUnsaved()).toBe(false);
    act(() => root.render(createElement(Form, { dirty: true })));
    expect(anyUnsaved()).toBe(true);
    const event = { preventDefault: vi.fn(), returnValue: undefined as unknown };
    onBeforeUnload(event);
    expect(event.preventDefault).toHaveBeenCalled();
    act(() => root.render(createElement(Form, { dirty: false })));
    expect(anyUnsaved()).toBe(false);
    const quiet = { preventDefault: vi.fn() };
    onBeforeUnload(quiet);
    expect(quiet.preventDefault).not.toHaveBeenCalled();

    let saved = () => {};
    act(() => root.render(createElement(Form, { dirty: true, onSaved: (s) => (saved = s) })));
    expect(anyUnsaved()).toBe(true);
    saved(); // e.g. just before navigating to what the save created
    expect(anyUnsaved()).toBe(false);

    act(() => root.render(createElement(Form, { dirty: true, key: "again" })));
    expect(anyUnsaved()).toBe(true);
    act(() => root.unmount());
    expect(anyUnsaved()).toBe(false);
    discardAllUnsaved();
  });

  it("lets the navigation a save starts through, even with a dialog around the form registered too", async () => {
    // FormModal registers its `dirty` as well as the form inside it (Add customer did both).
    await new Promise((resolve) => setTimeout(resolve, 1)); // past the previous test's saved()
    const root = createRoot(document.createElement("div"));
    let saved = () => {};
    act(() =>
      root.render(
        createElement("div", null, createElement(Form, { dirty: true }), createElement(Form, { dirty: true, onSaved: (s) => (saved = s) })),
      ),
    );
    expect(leavesUnsaved(at("/admin/customers"), at("/admin/customers/new-co"))).toBe(true);
    saved();
    expect(leavesUnsaved(at("/admin/customers"), at("/admin/customers/new-co"))).toBe(false);
    // Only that navigation: later ones ask again while the other form still has changes.
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(leavesUnsaved(at("/admin/customers"), at("/admin/customers/new-co"))).toBe(true);
    act(() => root.unmount());
    discardAllUnsaved();
  });
});
