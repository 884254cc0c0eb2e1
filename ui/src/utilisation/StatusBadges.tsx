import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import type { ContractUsage } from "../api/utilisation";
import { EXCEEDED_LABEL, statusOf } from "../lib/utilisation";

/**
 * Where a contract stands, as badges: its status (on track, running out early, hours used up,
 * ended, not started) and, when 3 of the last 4 complete months went over the monthly allocation,
 * the "consistently exceeded" flag. `direction="horizontal"` for a page header.
 */
export default function StatusBadges({
  usage,
  direction = "vertical",
}: {
  usage: Pick<ContractUsage, "status" | "consistently_exceeded">;
  direction?: "vertical" | "horizontal";
}) {
  const s = statusOf(usage.status);
  return (
    <SpaceBetween size={direction === "horizontal" ? "m" : "xxxs"} direction={direction}>
      <span title={s.means}>
        <StatusIndicator type={s.type} wrapText={false}>{s.label}</StatusIndicator>
      </span>
      {usage.consistently_exceeded ? (
        <span title="Hours went over the monthly allocation in 3 of the last 4 complete months.">
          <StatusIndicator type="error" wrapText={false}>{EXCEEDED_LABEL}</StatusIndicator>
        </span>
      ) : null}
    </SpaceBetween>
  );
}
