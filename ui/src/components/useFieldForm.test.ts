// @vitest-environment happy-dom
// useFieldForm rendered with React: a value changes, only its own error goes, onEdit runs each time.
import { act, createElement } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useFieldForm } from "./useFieldForm";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

type Form = ReturnType<typeof useFieldForm<{ name: string; order: string; on: boolean }>>;

describe("useFieldForm", () => {
  let container: HTMLDivElement;
  let root: Root;
  let form: Form;
  const onEdit = vi.fn();

  function Probe() {
    form = useFieldForm({ name: "", order: "1", on: false }, onEdit);
    return null;
  }

  beforeEach(() => {
    onEdit.mockReset();
    container = document.createElement("div");
    root = createRoot(container);
    act(() => root.render(createElement(Probe)));
  });
  afterEach(() => act(() => root.unmount()));

  it("starts with the initial values and no errors", () => {
    expect(form.values).toEqual({ name: "", order: "1", on: false });
    expect(form.errors).toEqual({});
    expect(onEdit).not.toHaveBeenCalled();
  });

  it("sets one value, clears only that field's error and calls onEdit", () => {
    act(() => form.setErrors({ name: "Name must be 1-120 characters.", order: "Too big." }));
    act(() => form.set("name", "Dana"));
    expect(form.values).toEqual({ name: "Dana", order: "1", on: false });
    expect(form.errors).toEqual({ order: "Too big." });
    expect(onEdit).toHaveBeenCalledTimes(1);
    act(() => form.set("on", true));
    expect(form.values.on).toBe(true);
    expect(form.errors).toEqual({ order: "Too big." });
    expect(onEdit).toHaveBeenCalledTimes(2);
  });

  it("takes a function for the initial values, and works without onEdit", () => {
    let lazy: ReturnType<typeof useFieldForm<{ a: string }>> | undefined;
    function Lazy() {
      lazy = useFieldForm(() => ({ a: "x" }));
      return null;
    }
    act(() => root.render(createElement(Lazy)));
    expect(lazy!.values).toEqual({ a: "x" });
    act(() => lazy!.set("a", "y"));
    expect(lazy!.values).toEqual({ a: "y" });
  });
});
