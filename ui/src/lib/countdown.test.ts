import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createCountdownClock, describeCountdown, formatCountdown, secondsUntil } from "./countdown";

describe("formatCountdown", () => {
  it.each([
    [3661, "01:01:01"],
    [59, "00:00:59"],
    [60, "00:01:00"],
    [4 * 3600, "04:00:00"],
    [12 * 3600 - 1, "11:59:59"],
    [100 * 3600 + 5, "100:00:05"],
    [1.9, "00:00:01"],
  ])("%s seconds is %s", (seconds, text) => {
    expect(formatCountdown(seconds)).toBe(text);
  });

  it.each([0, -5, Number.NaN])("says ended at %s", (seconds) => {
    expect(formatCountdown(seconds)).toBe("ended");
  });
});

describe("describeCountdown", () => {
  it("says it in words", () => {
    expect(describeCountdown(3660)).toBe("1 hour 1 minute left");
    expect(describeCountdown(7200)).toBe("2 hours left");
    expect(describeCountdown(42)).toBe("42 seconds left");
    expect(describeCountdown(0)).toBe("ended");
  });
});

describe("secondsUntil", () => {
  const now = Date.parse("2026-01-01T10:00:00Z");
  it("rounds a part second up, so 00:00:00 is never shown before the end", () => {
    expect(secondsUntil("2026-01-01T10:00:00.200Z", now)).toBe(1);
    expect(secondsUntil("2026-01-01T11:00:00Z", now)).toBe(3600);
  });
  it("is zero after the end, without an end, or for a bad date", () => {
    expect(secondsUntil("2026-01-01T09:59:00Z", now)).toBe(0);
    expect(secondsUntil(null, now)).toBe(0);
    expect(secondsUntil("soon", now)).toBe(0);
  });
});

describe("createCountdownClock (the useCountdown hook's store) with fake timers", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-01-01T10:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  it("ticks every second while subscribed, says ended at zero and calls onEnd once", () => {
    const onEnd = vi.fn();
    const clock = createCountdownClock("2026-01-01T10:00:03Z", onEnd);
    const seen: string[] = [];
    const unsubscribe = clock.subscribe(() => seen.push(formatCountdown(clock.get())));
    expect(formatCountdown(clock.get())).toBe("00:00:03");
    vi.advanceTimersByTime(1000);
    expect(formatCountdown(clock.get())).toBe("00:00:02");
    vi.advanceTimersByTime(2000);
    expect(seen).toEqual(["00:00:02", "00:00:01", "ended"]);
    expect(onEnd).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5000);
    expect(onEnd).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
    unsubscribe();
  });

  it("stops ticking when the last listener leaves and resumes on the right second", () => {
    const clock = createCountdownClock("2026-01-01T11:00:00Z");
    const unsubscribe = clock.subscribe(() => {});
    expect(vi.getTimerCount()).toBe(1);
    unsubscribe();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10 * 60_000);
    clock.subscribe(() => {});
    expect(formatCountdown(clock.get())).toBe("00:50:00");
  });

  it("ends at once when the end already passed", () => {
    const onEnd = vi.fn();
    const clock = createCountdownClock("2026-01-01T09:00:00Z", onEnd);
    clock.subscribe(() => {});
    expect(clock.get()).toBe(0);
    expect(onEnd).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
