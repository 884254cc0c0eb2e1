import { useEffect, useMemo, useRef, useSyncExternalStore } from "react";
import { createCountdownClock } from "../lib/countdown";

/** Seconds left until `endsAt`, re-rendering every second; `onEnd` runs once when it reaches zero. */
export function useCountdown(endsAt: string | null | undefined, onEnd?: () => void): number {
  const onEndRef = useRef(onEnd);
  useEffect(() => {
    onEndRef.current = onEnd;
  }, [onEnd]);
  const clock = useMemo(() => createCountdownClock(endsAt, () => onEndRef.current?.()), [endsAt]);
  return useSyncExternalStore(clock.subscribe, clock.get, clock.get);
}
