import BarChart, { type BarChartProps } from "@cloudscape-design/components/bar-chart";
import type { MixedLineBarChartProps } from "@cloudscape-design/components/mixed-line-bar-chart";
import Box from "@cloudscape-design/components/box";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useMemo } from "react";
import type { CostReport } from "../api/billing";
import { CHART_TOP, estimatedPeriods, formatMoney, formatMoneyShort, periodsBetween, stackServices } from "../lib/billing";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Nov 3` for a day, `Nov 2026` for a month (UTC calendar dates, as the API gives them). */
function tick(period: string, monthly: boolean): string {
  const month = MONTHS[Number(period.slice(5, 7)) - 1] ?? period;
  return monthly ? `${month} ${period.slice(0, 4)}` : `${month} ${Number(period.slice(8, 10))}`;
}

/**
 * Daily (or monthly) cost by service, stacked, in one currency: the report's rows as the API grouped
 * them (`group=service&top=8`: the top 8 services and "Other"). Days Cost Explorer still estimates are
 * marked with a dashed line at the first of them, named in the legend, the detail popover and a note.
 */
export default function CostChart({
  report,
  currency,
  loading,
  error,
}: {
  report: CostReport | undefined;
  currency: string | undefined;
  loading: boolean;
  error: boolean;
}) {
  const monthly = report?.granularity === "monthly";
  const periods = useMemo(
    () => (report ? periodsBetween(report.from, report.to, report.granularity) : []),
    [report],
  );
  const estimated = useMemo(() => (report && currency ? estimatedPeriods(report.rows, currency) : []), [report, currency]);
  const series = useMemo<MixedLineBarChartProps.BarDataSeries<string>[]>(
    () =>
      report && currency
        ? stackServices(report.rows, currency, periods).map((s) => ({
            title: s.title,
            type: "bar" as const,
            data: s.data,
            valueFormatter: (y: number) => formatMoney(y, currency),
          }))
        : [],
    [report, currency, periods],
  );
  const estimatedText = estimated.map((p) => tick(p, monthly)).join(", ");
  const marker = estimated[0];
  const allSeries = useMemo<BarChartProps<string>["series"]>(
    () =>
      marker && series.length
        ? [...series, { title: `Estimated from ${tick(marker, monthly)}`, type: "threshold" as const, x: marker }]
        : series,
    [series, marker, monthly],
  );
  // Many bars: label about 15 of them so the ticks do not run into each other.
  const step = Math.max(1, Math.ceil(periods.length / 15));
  const index = useMemo(() => new Map(periods.map((p, i) => [p, i])), [periods]);
  return (
    <SpaceBetween size="xs">
      <BarChart<string>
        series={allSeries}
        stackedBars
        xScaleType="categorical"
        xDomain={periods}
        height={280}
        xTitle={monthly ? "Month" : "Day (UTC)"}
        yTitle={currency ? `Cost (${currency})` : "Cost"}
        hideFilter
        legendTitle="Services"
        ariaLabel={`${monthly ? "Monthly" : "Daily"} cost by service${currency ? ` in ${currency}` : ""}`}
        ariaDescription={`Stacked bars: the ${CHART_TOP} services with the most spend in the range, the rest as Other.${
          estimated.length ? ` Estimated by Cost Explorer (may still be revised): ${estimatedText}.` : ""
        }`}
        xTickFormatter={(x) => ((index.get(x) ?? 0) % step === 0 ? tick(x, monthly) : "")}
        yTickFormatter={(y) => (currency ? formatMoneyShort(y, currency) : String(y))}
        detailPopoverFooter={(x) => {
          const total = series.reduce((n, s) => n + (s.data.find((d) => d.x === x)?.y ?? 0), 0);
          return currency ? (
            <SpaceBetween size="xxxs">
              <Box variant="strong">
                {tick(x, monthly)}: {formatMoney(total, currency)} in all
              </Box>
              {estimated.includes(x) ? (
                <Box variant="small" color="text-status-warning">
                  Estimated: Cost Explorer may still revise {monthly ? "days of this month" : "this day"}.
                </Box>
              ) : null}
            </SpaceBetween>
          ) : null;
        }}
        statusType={loading ? "loading" : error ? "error" : "finished"}
        loadingText="Loading costs"
        errorText="The costs could not be loaded."
        i18nStrings={{
          legendAriaLabel: "Services",
          chartAriaRoleDescription: "stacked bar chart",
          xAxisAriaRoleDescription: "x axis",
          yAxisAriaRoleDescription: "y axis",
          detailPopoverDismissAriaLabel: "Close",
        }}
        empty={
          <Box textAlign="center" color="inherit">
            <b>No costs in this range</b>
            <Box variant="p" color="inherit">
              Costs arrive with the daily fetch, Fetch now, or an imported export.
            </Box>
          </Box>
        }
      />
      {estimated.length && series.length ? (
        <Box variant="small" color="text-body-secondary">
          Estimated ({monthly ? "days of " : ""}
          {estimatedText}, from the dashed line): Cost Explorer may still revise these days.
        </Box>
      ) : null}
    </SpaceBetween>
  );
}
