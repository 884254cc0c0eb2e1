import Box from "@cloudscape-design/components/box";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import { describeCountdown, formatCountdown } from "../lib/countdown";
import { useCountdown } from "./useCountdown";

/** Time left until `endsAt` as hh:mm:ss, ticking every second; "ended" (and `onEnd`) at zero. */
export default function Countdown({ endsAt, onEnd }: { endsAt: string | null | undefined; onEnd?: () => void }) {
  const left = useCountdown(endsAt, onEnd);
  if (left <= 0) return <StatusIndicator type="stopped">ended</StatusIndicator>;
  return (
    <Box variant="span" fontWeight="bold">
      {/* Not a live region: a screen reader would read it every second. The label says it in words. */}
      <time dateTime={endsAt ?? undefined} title={describeCountdown(left)} aria-label={describeCountdown(left)} data-testid="countdown">
        {formatCountdown(left)}
      </time>
    </Box>
  );
}
