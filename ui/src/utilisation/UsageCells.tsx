import Box from "@cloudscape-design/components/box";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { NoWrap } from "../components/Wrap";
import { forecastNote, formatHours, formatHoursNumber, formatShare, shownDifference } from "../lib/utilisation";

// Table cells shared by a customer's contracts and the overview's portfolio: where a contract
// stands, from its hours (a contract's full usage and the portfolio's standing carry the same ones).

interface Hours {
  used_hours: number;
  entitled_hours: number;
  left_hours: number;
}

/** `93% used`, `222.8 of 240.0 h` on one line, `17.2 h left` (the shown figures' difference). */
export function HoursUsedCell({ u }: { u: Pick<Hours, "used_hours" | "entitled_hours"> }) {
  const left = shownDifference(u.entitled_hours, u.used_hours);
  return (
    <SpaceBetween size="xxxs">
      <Box variant="strong">{formatShare(u.used_hours, u.entitled_hours)} used</Box>
      <Box variant="small">
        <NoWrap>
          {formatHoursNumber(u.used_hours)} of {formatHours(u.entitled_hours)}
        </NoWrap>
      </Box>
      <Box variant="small" color={left < 0 ? "text-status-error" : undefined}>
        <NoWrap>{formatHours(left)} left</NoWrap>
      </Box>
    </SpaceBetween>
  );
}

export function BurnRateCell({ u }: { u: { burn_rate_per_week: number } }) {
  return (
    <span title="Hours a week over the last 90 days">
      <NoWrap>{formatHours(u.burn_rate_per_week)} a week</NoWrap>
    </span>
  );
}

export function ForecastCell({ u }: { u: { forecast_hours: number; entitled_hours: number } }) {
  const note = forecastNote(u.forecast_hours, u.entitled_hours);
  return (
    <SpaceBetween size="xxxs">
      <NoWrap>{formatHours(u.forecast_hours)}</NoWrap>
      <Box variant="small" color={note.over ? "text-status-warning" : "text-body-secondary"}>
        {note.text}
      </Box>
    </SpaceBetween>
  );
}

export function RunsOutCell({ u }: { u: { runs_out_on?: string | null; status: string } }) {
  return u.runs_out_on ? (
    <Box color={u.status === "exhausted" ? "text-status-error" : "text-status-warning"}>
      <NoWrap>{u.runs_out_on}</NoWrap>
    </Box>
  ) : (
    <Box color="text-body-secondary">Lasts the period</Box>
  );
}
