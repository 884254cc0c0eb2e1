// @vitest-environment happy-dom
// A double click calls mutate twice before React renders `loading`: only one request may go out.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, createElement } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useSingleMutation } from "./mutation";

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

  beforeEach(() => {
    calls = 0;
    root = createRoot(document.createElement("div"));
    const client = new QueryClient();
    act(() => root.render(createElement(QueryClientProvider, { client }, createElement(Probe))));
  });
  afterEach(() => act(() => root.unmount()));

  it("sends one request for a double click, and the next click once it has settled", async () => {
    const { mutate } = mutation;
    mutate("a");
    mutate("a"); // the second click of a double click: same render, isPending still false
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(calls).toBe(1);
    expect(mutation.isPending).toBe(true);
    await act(async () => {
      release();
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(mutation.isSuccess).toBe(true);
    mutation.mutate("b");
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(calls).toBe(2);
  });
});
