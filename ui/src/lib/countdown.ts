// Countdowns to a grant's `ends_at`: pure formatting, and a small clock that ticks once a second
// and says when it reached zero (the `useCountdown` hook subscribes to it).

/** Whole seconds from `nowMs` until `endsAt` (never negative); 0 for a missing or unreadable time. */
export function secondsUntil(endsAt: string | null | undefined, nowMs: number): number {
  if (!endsAt) return 0;
  const end = Date.parse(endsAt);
  if (Number.isNaN(end)) return 0;
  return Math.max(0, Math.ceil((end - nowMs) / 1000));
}

/** `hh:mm:ss` (hours grow past 99 if they must), or `ended` at zero. */
export function formatCountdown(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return "ended";
  const s = Math.floor(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(hh)}:${two(mm)}:${two(ss)}`;
}

/** Words for screen readers and tooltips: `1 hour 5 minutes left`, `40 seconds left`, `ended`. */
export function describeCountdown(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return "ended";
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts: string[] = [];
  if (h) parts.push(`${h} ${h === 1 ? "hour" : "hours"}`);
  if (m) parts.push(`${m} ${m === 1 ? "minute" : "minutes"}`);
  if (!h && !m) parts.push(`${s} ${s === 1 ? "second" : "seconds"}`);
  return `${parts.join(" ")} left`;
}

export interface CountdownClock {
  /** Seconds left now (what a snapshot shows). */
  get(): number;
  /** Calls `listener` on every tick; returns the unsubscribe. The clock runs while someone listens. */
  subscribe(listener: () => void): () => void;
}

/**
 * A clock for one end time. It ticks every second while subscribed, stops at zero and then calls
 * `onEnd` exactly once (the page refetches there). `now` is injectable for tests.
 */
export function createCountdownClock(
  endsAt: string | null | undefined,
  onEnd?: () => void,
  now: () => number = Date.now,
): CountdownClock {
  const listeners = new Set<() => void>();
  let left = secondsUntil(endsAt, now());
  let timer: ReturnType<typeof setInterval> | undefined;
  let ended = false;

  const finish = () => {
    if (ended) return;
    ended = true;
    onEnd?.();
  };
  const stop = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  const tick = () => {
    const next = secondsUntil(endsAt, now());
    if (next !== left) {
      left = next;
      listeners.forEach((l) => l());
    }
    if (left <= 0) {
      stop();
      finish();
    }
  };

  return {
    get: () => left,
    subscribe(listener) {
      listeners.add(listener);
      if (timer === undefined && !ended) {
        tick();
        if (!ended) timer = setInterval(tick, 1000);
      }
      return () => {
        listeners.delete(listener);
        if (!listeners.size) stop();
      };
    },
  };
}
