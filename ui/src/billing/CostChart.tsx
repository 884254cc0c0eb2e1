import BarChart from "@cloudscape-design/components/bar-chart";
import Box from "@cloudscape-design/components/box";
import { useMemo } from "react";
import type { CostReport } from "../api/billing";
import { formatMoney, formatMoneyShort, periodsBetween, stackByService } from "../lib/billing";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Nov 3` for a day, `Nov 2026` for a month (UTC calendar dates, as the API gives them). */
function tick(period: string, monthly: boolean): string {
  const month = MONTHS[Number(period.slice(5, 7)) - 1] ?? period;
  return monthly ? `${month} ${period.slice(0, 4)}` : `${month} ${Number(period.slice(8, 10))}`;
}

/** Daily (or monthly) cost by service, stacked: the top 8 services and "Other", in one currency. */
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
  const series = useMemo(
    () =>
      report && currency
        ? stackByService(report.rows, currency, periods, 8).map((s) => ({
            title: s.title,
            type: "bar" as const,
            data: s.data,
            valueFormatter: (y: number) => formatMoney(y, currency),
          }))
        : [],
    [report, currency, periods],
  );
  // Many bars: label about 15 of them so the ticks do not run into each other.
  const step = Math.max(1, Math.ceil(periods.length / 15));
  const index = useMemo(() => new Map(periods.map((p, i) => [p, i])), [periods]);
  return (
    <BarChart<string>
      series={series}
      stackedBars
      xScaleType="categorical"
      xDomain={periods}
      height={280}
      xTitle={monthly ? "Month" : "Day (UTC)"}
      yTitle={currency ? `Cost (${currency})` : "Cost"}
      hideFilter
      legendTitle="Services"
      ariaLabel={`${monthly ? "Monthly" : "Daily"} cost by service${currency ? ` in ${currency}` : ""}`}
      ariaDescription="Stacked bars: the eight services with the most spend in the range, the rest as Other."
      xTickFormatter={(x) => ((index.get(x) ?? 0) % step === 0 ? tick(x, monthly) : "")}
      yTickFormatter={(y) => (currency ? formatMoneyShort(y, currency) : String(y))}
      detailPopoverFooter={(x) => {
        const total = series.reduce((n, s) => n + (s.data.find((d) => d.x === x)?.y ?? 0), 0);
        return currency ? (
          <Box variant="strong">
            {tick(x, monthly)}: {formatMoney(total, currency)} in all
          </Box>
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
  );
}
