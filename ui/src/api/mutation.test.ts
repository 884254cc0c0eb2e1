// @vitest-environment happy-dom
// A double click calls mutate twice before React renders `loading`: only one request may go out.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, createElement } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DOUBLE_CLICK_MS, useSingleMutation } from "./mutation";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe("useSingleMutation", () => {
  let root: Root;
  let calls: number;
  let release: () => void;
  let mutation: ReturnType<typeof useSingleMutation<string, Error, string>>;
  function Probe() {
    mutation = useSingleMutation<string, Error, string>({
      mutationFn: (v) => {
        calls += 1;
        return new Promise<string>((done) => (release = () => done(v)));
      },
    });
    return null;
  }

  let now: number;
  beforeEach(() => {
    now = 1_000_000;
    vi.spyOn(Date, "now").mockImplementation(() => now);
    calls = 0;
    root = createRoot(document.createElement("div"));
    const client = new QueryClient();
    act(() => root.render(createElement(QueryClientProvider, { client }, createElement(Probe))));
  });
  afterEach(() => {
    act(() => root.unmount());
    vi.restoreAllMocks();
  });
  // A few macrotasks: the mutation function starts, TanStack notifies, React renders.
  const tick = () =>
    act(async () => {
      for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    });

  it("sends one request for a double click, and the next click once it has settled", async () => {
    const { mutate } = mutation;
    mutate("a");
    mutate("a"); // the second click of a double click: same render, isPending still false
    await tick();
    expect(calls).toBe(1);
    expect(mutation.isPending).toBe(true);
    act(() => release());
    await tick();
    expect(mutation.isSuccess).toBe(true);
    now += DOUBLE_CLICK_MS;
    mutation.mutate("b");
    await tick();
    expect(calls).toBe(2);
  });

  it("drops the second click of a double click even when the first request has already been answered", async () => {
    mutation.mutate("a");
    await tick();
    act(() => release());
    await tick();
    expect(mutation.isSuccess).toBe(true);
    now += 120; // the second click, 120 ms on: the dialog is still open, its button enabled
    mutation.mutate("a");
    await tick();
    expect(calls).toBe(1);
    // Something else (another file chosen) right away is a new request.
    mutation.mutate("c");
    await tick();
    expect(calls).toBe(2);
  });

  it("tells two files apart (they have no own keys)", async () => {
    const file = (name: string) => new File(["x"], name) as unknown as string;
    mutation.mutate(file("bad.csv"));
    await tick();
    act(() => release());
    await tick();
    now += 120;
    mutation.mutate(file("good.csv"));
    await tick();
    expect(calls).toBe(2);
  });
});
