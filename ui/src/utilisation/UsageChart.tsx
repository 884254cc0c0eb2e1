import Box from "@cloudscape-design/components/box";
import MixedLineBarChart, { type MixedLineBarChartProps } from "@cloudscape-design/components/mixed-line-bar-chart";
import * as tokens from "@cloudscape-design/design-tokens";
import { useMemo } from "react";
import type { ContractUsage } from "../api/utilisation";
import { formatHours, monthLabel, monthSeries } from "../lib/utilisation";

/**
 * A contract's hours month by month against its monthly allocation (the allocation in effect on
 * each day of the month, so prorated for a month the period covers only partly or in which the
 * allocation changed): each month's bar split into hours within the allocation and hours over it,
 * stacked, and the allocation as a line. Cloudscape's chart, as the billing cost chart.
 */
export default function UsageChart({ usage }: { usage: ContractUsage }) {
  const months = usage.months;
  const hasAllocation = months.some((m) => m.allocation !== null && m.allocation !== undefined);
  const series = useMemo<MixedLineBarChartProps<string>["series"]>(() => {
    const s = monthSeries(months);
    const out: MixedLineBarChartProps.ChartSeries<string>[] = [
      {
        title: hasAllocation ? "Hours within the allocation" : "Hours logged",
        type: "bar",
        data: s.within,
        valueFormatter: (y: number) => formatHours(y),
      },
    ];
    if (hasAllocation) {
      out.push({
        title: "Hours over the allocation",
        type: "bar",
        data: s.over,
        color: tokens.colorChartsStatusHigh,
        valueFormatter: (y: number) => formatHours(y),
      });
      out.push({
        title: "Monthly allocation (prorated)",
        type: "line",
        data: s.allocation,
        color: tokens.colorChartsStatusNeutral,
        valueFormatter: (y: number) => formatHours(y),
      });
    }
    return out;
  }, [months, hasAllocation]);
  const xDomain = useMemo(() => months.map((m) => m.month), [months]);
  return (
    <MixedLineBarChart<string>
      series={series}
      stackedBars
      xScaleType="categorical"
      xDomain={xDomain}
      height={260}
      xTitle="Month"
      yTitle="Hours"
      hideFilter
      legendTitle="Hours"
      ariaLabel="Hours by month against the monthly allocation"
      ariaDescription={
        hasAllocation
          ? "Stacked bars: each month's hours within the allocation and over it; the line is the allocation in effect on the month's days, prorated for partly covered months and months in which it changed."
          : "Bars: each month's hours (the contract has no monthly allocation)."
      }
      xTickFormatter={(x) => monthLabel(x)}
      yTickFormatter={(y) => String(y)}
      detailPopoverFooter={(x) => {
        const m = months.find((n) => n.month === x);
        if (!m) return null;
        return (
          <Box variant="small">
            {formatHours(m.hours)} in all{m.allocation !== null && m.allocation !== undefined ? ` of ${formatHours(m.allocation)}` : ""}
            {m.complete ? "" : " (month not over yet)"}
            {m.allocation_changed ? (
              <>
                <br />
                The allocation changed this month: each day counts at the allocation it had
                {m.allocated_hours !== null && m.allocated_hours !== undefined && m.allocated_hours !== m.hours
                  ? ` (${formatHours(m.allocated_hours)} logged on days with an allocation)`
                  : ""}
                .
              </>
            ) : null}
          </Box>
        );
      }}
      i18nStrings={{
        legendAriaLabel: "Legend",
        chartAriaRoleDescription: "bar chart",
        xAxisAriaRoleDescription: "x axis",
        yAxisAriaRoleDescription: "y axis",
        detailPopoverDismissAriaLabel: "Close",
      }}
      empty={
        <Box textAlign="center" color="inherit">
          <b>No months yet</b>
          <Box variant="p" color="inherit">
            The period has not started.
          </Box>
        </Box>
      }
    />
  );
}
