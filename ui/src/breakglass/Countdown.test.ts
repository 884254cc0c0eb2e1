// @vitest-environment happy-dom
// The Countdown component (and its useCountdown hook) rendered with React, time moved by fake timers.
import { createElement } from "react";
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import Countdown from "./Countdown";

// Tell React this is a test environment so `act` flushes effects and renders synchronously.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe("Countdown", () => {
  let container: HTMLDivElement;
  let root: Root;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-01-01T10:00:00Z"));
    container = document.createElement("div");
    document.body.appendChild(container);
    root = createRoot(container);
  });
  afterEach(() => {
    act(() => root.unmount());
    container.remove();
    vi.useRealTimers();
  });

  const shown = () => container.textContent ?? "";

  it("shows hh:mm:ss, updates every second, says ended at zero and refetches once", () => {
    const onEnd = vi.fn();
    act(() => root.render(createElement(Countdown, { endsAt: "2026-01-01T11:00:02Z", onEnd })));
    expect(shown()).toBe("01:00:02");
    expect(container.querySelector("time")?.getAttribute("aria-label")).toBe("1 hour left");
    act(() => vi.advanceTimersByTime(1000));
    expect(shown()).toBe("01:00:01");
    act(() => vi.advanceTimersByTime(2000));
    expect(shown()).toBe("00:59:59");
    act(() => vi.advanceTimersByTime(3599_000));
    expect(shown()).toBe("ended");
    expect(onEnd).toHaveBeenCalledTimes(1);
    act(() => vi.advanceTimersByTime(10_000));
    expect(onEnd).toHaveBeenCalledTimes(1);
  });

  it("restarts when the end time changes (a refetch brought a new one)", () => {
    act(() => root.render(createElement(Countdown, { endsAt: "2026-01-01T10:00:05Z" })));
    expect(shown()).toBe("00:00:05");
    act(() => root.render(createElement(Countdown, { endsAt: "2026-01-01T10:30:00Z" })));
    expect(shown()).toBe("00:30:00");
    act(() => vi.advanceTimersByTime(1000));
    expect(shown()).toBe("00:29:59");
  });

  it("says ended at once for a past or missing end, and stops its timer on unmount", () => {
    const onEnd = vi.fn();
    act(() => root.render(createElement(Countdown, { endsAt: null, onEnd })));
    expect(shown()).toBe("ended");
    expect(onEnd).toHaveBeenCalledTimes(1);
    act(() => root.render(createElement(Countdown, { endsAt: "2026-01-01T12:00:00Z" })));
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    act(() => root.unmount());
    root = createRoot(container);
    expect(vi.getTimerCount()).toBe(0);
  });
});
