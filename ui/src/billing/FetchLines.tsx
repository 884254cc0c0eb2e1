import Box from "@cloudscape-design/components/box";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import type { CustomerFetch } from "../api/billing";
import RouterLink from "../components/RouterLink";
import { count } from "../lib/plural";

// What a fetch run did per customer and payer: on the runs page, and a customer's last fetch on
// its billing page (why it has no data: skipped, with the reason; stale data: failed).

const FETCH_STATUS = {
  ok: { type: "success", label: "Fetched" },
  skipped: { type: "stopped", label: "Skipped" },
  failed: { type: "error", label: "Failed" },
} as const;

export default function FetchLines({ fetches }: { fetches: CustomerFetch[] }) {
  if (!fetches.length) return <Box color="text-body-secondary">No customer</Box>;
  return (
    <SpaceBetween size="xxs">
      {fetches.map((f) => {
        const s = FETCH_STATUS[f.status];
        return (
          <div key={`${f.customer}/${f.payer ?? ""}`}>
            <StatusIndicator type={s.type}>
              {s.label}:{" "}
            </StatusIndicator>{" "}
            <RouterLink href={`/customers/${encodeURIComponent(f.customer)}/billing`}>{f.customer}</RouterLink>
            {f.payer ? <Box variant="span" color="text-body-secondary">{` · payer ${f.payer}`}</Box> : null}
            {f.status === "ok" ? (
              <Box variant="small" display="block">
                {f.period_start && f.period_end ? `${f.period_start} – ${f.period_end} (end exclusive)` : null}
                {` · ${count(f.days_fetched, "day")}, ${count(f.cells_written, "cell")}, ${count(f.requests, "request")}`}
                {f.backfill ? " · backfill" : ""}
                {f.estimated_days ? ` · ${count(f.estimated_days, "estimated day")}` : ""}
                {f.anomalies_raised ? ` · ${count(f.anomalies_raised, "anomaly", "anomalies")} raised` : ""}
              </Box>
            ) : null}
            {f.reason ? (
              <Box variant="small" display="block" color="text-body-secondary">
                <span style={{ overflowWrap: "anywhere" }}>{f.reason}</span>
              </Box>
            ) : null}
            {f.organization && f.organization.status !== "ok" && f.organization.reason ? (
              <Box variant="small" display="block" color="text-body-secondary">
                Organisation: {f.organization.reason}
              </Box>
            ) : null}
          </div>
        );
      })}
    </SpaceBetween>
  );
}
