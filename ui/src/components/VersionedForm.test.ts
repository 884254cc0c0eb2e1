// @vitest-environment happy-dom
// VersionedForm rendered with React: loading, error, and a form remounted (its own state reset) when
// the version changes, while the saved flag above it survives.
import type { UseQueryResult } from "@tanstack/react-query";
import { act, createElement, useState } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import VersionedForm, { type SavedFlag } from "./VersionedForm";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

type Item = { name: string; version?: number | null };
const query = (q: Partial<UseQueryResult<Item>>) =>
  ({ isPending: false, isError: false, refetch: async () => ({}), ...q }) as UseQueryResult<Item>;

let flag: SavedFlag;
let setDraft: (v: string) => void;
function Form({ data, saved, setSaved }: { data: Item } & SavedFlag) {
  const [draft, set] = useState(data.name);
  flag = { saved, setSaved };
  setDraft = set;
  return createElement("p", null, `${draft}${saved ? " (saved)" : ""}`);
}

describe("VersionedForm", () => {
  let container: HTMLDivElement;
  let root: Root;
  const render = (q: UseQueryResult<Item>) =>
    act(() => root.render(createElement(VersionedForm<Item>, { query: q, loading: "Loading the item", form: (p) => createElement(Form, p) })));

  beforeEach(() => {
    container = document.createElement("div");
    root = createRoot(container);
  });
  afterEach(() => act(() => root.unmount()));

  it("shows the loading text, then the error", () => {
    render(query({ isPending: true }));
    expect(container.textContent).toContain("Loading the item");
    render(query({ isError: true, error: new Error("boom") }));
    expect(container.textContent).toContain("boom");
  });

  it("keeps the form's edits for the same version and starts again from a new version, saved flag kept", () => {
    render(query({ data: { name: "one", version: 1 } }));
    act(() => setDraft("edited"));
    render(query({ data: { name: "one", version: 1 } }));
    expect(container.textContent).toBe("edited");
    act(() => flag.setSaved(true));
    render(query({ data: { name: "two", version: 2 } }));
    expect(container.textContent).toBe("two (saved)");
    expect(flag.saved).toBe(true);
  });
});
