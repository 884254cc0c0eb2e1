import Box from "@cloudscape-design/components/box";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import type { ContractReport } from "../api/utilisation";
import RouterLink from "../components/RouterLink";
import { NoWrap } from "../components/Wrap";
import { forecastNote, formatHours, formatHoursNumber, formatShare, overAllocationCell } from "../lib/utilisation";
import StatusBadges from "./StatusBadges";

export function contractHref(customer: string, contract: string): string {
  return `/customers/${encodeURIComponent(customer)}/utilisation/${encodeURIComponent(contract)}`;
}

export function contractTitle(c: ContractReport["contract"]): string {
  return c.name ? `${c.name} (${c.id})` : `Contract ${c.id}`;
}

/**
 * Contracts and where each stands: hours used of the entitlement, left, burn rate, forecast, the day
 * the hours run out, months over the allocation and the status badges. With `customerNames`, a
 * customer line under each contract (the overview lists several customers' contracts).
 */
export default function ContractsTable({
  items,
  loading,
  header,
  empty,
  customerNames,
  ariaLabel,
}: {
  items: ContractReport[];
  loading: boolean;
  header: React.ReactNode;
  empty: React.ReactNode;
  customerNames?: Map<string, string>;
  ariaLabel: string;
}) {
  const columns: TableProps.ColumnDefinition<ContractReport>[] = [
    {
      id: "contract",
      header: customerNames ? "Customer and contract" : "Contract",
      isRowHeader: true,
      cell: ({ contract: c }) => (
        <SpaceBetween size="xxxs">
          {customerNames ? (
            <Box variant="strong">
              <RouterLink href={`/customers/${encodeURIComponent(c.customer)}/utilisation`} variant="secondary">
                {customerNames.get(c.customer) ?? c.customer}
              </RouterLink>
            </Box>
          ) : null}
          <RouterLink href={contractHref(c.customer, c.id)} ariaLabel={`${contractTitle(c)} at ${customerNames?.get(c.customer) ?? c.customer}`}>
            {c.name || `Contract ${c.id}`}
          </RouterLink>
          <Box variant="small" color="text-body-secondary">
            {c.id} · <NoWrap>{c.start}</NoWrap> – <NoWrap>{c.end}</NoWrap>
          </Box>
        </SpaceBetween>
      ),
      width: 200,
    },
    {
      id: "status",
      header: "Status",
      cell: (r) => <StatusBadges usage={r.usage} />,
      // "Allocation consistently exceeded" on one line.
      width: 225,
    },
    {
      id: "hours",
      header: "Hours used and left",
      cell: ({ usage: u }) => (
        <SpaceBetween size="xxxs">
          <Box variant="strong">{formatShare(u.used_hours, u.entitled_hours)} used</Box>
          <Box variant="small">
            <NoWrap>
              {formatHoursNumber(u.used_hours)} of {formatHours(u.entitled_hours)}
            </NoWrap>
          </Box>
          <Box variant="small" color={u.left_hours < 0 ? "text-status-error" : undefined}>
            <NoWrap>{formatHours(u.left_hours)} left</NoWrap>
          </Box>
        </SpaceBetween>
      ),
      width: 150,
    },
    {
      id: "burn",
      header: "Burn rate",
      cell: ({ usage: u }) => (
        <span title="Hours a week over the last 90 days">
          <NoWrap>{formatHours(u.burn_rate_per_week)} a week</NoWrap>
        </span>
      ),
      width: 110,
    },
    {
      id: "forecast",
      header: "Forecast to the end",
      cell: ({ usage: u }) => {
        const note = forecastNote(u.forecast_hours, u.entitled_hours);
        return (
          <SpaceBetween size="xxxs">
            <NoWrap>{formatHours(u.forecast_hours)}</NoWrap>
            <Box variant="small" color={note.over ? "text-status-warning" : "text-body-secondary"}>
              {note.text}
            </Box>
          </SpaceBetween>
        );
      },
      width: 150,
    },
    {
      id: "runs-out",
      header: "Runs out",
      cell: ({ usage: u }) =>
        u.runs_out_on ? (
          <Box color={u.status === "exhausted" ? "text-status-error" : "text-status-warning"}>
            <NoWrap>{u.runs_out_on}</NoWrap>
          </Box>
        ) : (
          <Box color="text-body-secondary">Lasts the period</Box>
        ),
      width: 110,
    },
    {
      id: "over",
      header: "Months over the allocation",
      cell: ({ usage: u }) => {
        const over = overAllocationCell(u.months);
        return (
          <SpaceBetween size="xxxs">
            <span>{over.main}</span>
            {over.detail ? (
              <Box variant="small" color="text-body-secondary">
                {over.detail}
              </Box>
            ) : null}
          </SpaceBetween>
        );
      },
    },
  ];
  return (
    <Table<ContractReport>
      wrapLines
      variant="container"
      trackBy={(r) => `${r.contract.customer}/${r.contract.id}`}
      items={items}
      loading={loading}
      loadingText="Loading contracts"
      columnDefinitions={columns}
      header={header}
      empty={empty}
      ariaLabels={{ tableLabel: ariaLabel }}
    />
  );
}
