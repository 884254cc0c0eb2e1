// @vitest-environment happy-dom
// useEditing rendered with React: closed, adding, editing the current copy of an item, and gone.
import { act, createElement } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useEditing } from "./useEditing";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

type Item = { id: string; name: string; version?: number | null };

describe("useEditing", () => {
  let root: Root;
  let state: ReturnType<typeof useEditing<Item>>;
  function Probe({ items }: { items: Item[] | undefined }) {
    state = useEditing(items);
    return null;
  }
  const render = (items: Item[] | undefined) => act(() => root.render(createElement(Probe, { items })));

  beforeEach(() => {
    root = createRoot(document.createElement("div"));
  });
  afterEach(() => act(() => root.unmount()));

  it("is closed at first, and opens for a new item", () => {
    render([{ id: "a", name: "A", version: 1 }]);
    expect(state.open).toBe(false);
    act(() => state.create());
    expect(state).toMatchObject({ open: true, current: undefined, key: "new" });
    act(() => state.close());
    expect(state.open).toBe(false);
  });

  it("edits the latest copy of an item, keyed by its version, and closes when it has gone", () => {
    render([{ id: "a", name: "A", version: 1 }]);
    act(() => state.edit("a"));
    expect(state).toMatchObject({ open: true, current: { name: "A" }, key: "a@1" });
    render([{ id: "a", name: "A2", version: 2 }]);
    expect(state).toMatchObject({ open: true, current: { name: "A2" }, key: "a@2" });
    render([{ id: "a", name: "A3" }]);
    expect(state.key).toBe("a@0");
    render([]);
    expect(state).toMatchObject({ open: false, current: undefined, key: "new" });
    render(undefined);
    expect(state.open).toBe(false);
  });
});
