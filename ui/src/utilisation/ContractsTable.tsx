import Box from "@cloudscape-design/components/box";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import type { ContractReport } from "../api/utilisation";
import RouterLink from "../components/RouterLink";
import { Clamp, NoWrap } from "../components/Wrap";
import { overAllocationCell } from "../lib/utilisation";
import StatusBadges from "./StatusBadges";
import { BurnRateCell, ForecastCell, HoursUsedCell, RunsOutCell } from "./UsageCells";

export function contractHref(customer: string, contract: string): string {
  return `/customers/${encodeURIComponent(customer)}/utilisation/${encodeURIComponent(contract)}`;
}

export function contractTitle(c: ContractReport["contract"]): string {
  return c.name ? `${c.name} (${c.id})` : `Contract ${c.id}`;
}

/**
 * Contracts and where each stands: hours used of the entitlement, left, burn rate, forecast, the day
 * the hours run out, months over the allocation and the status badges.
 */
export default function ContractsTable({
  items,
  loading,
  header,
  empty,
  ariaLabel,
}: {
  items: ContractReport[];
  loading: boolean;
  header: React.ReactNode;
  empty: React.ReactNode;
  ariaLabel: string;
}) {
  const columns: TableProps.ColumnDefinition<ContractReport>[] = [
    {
      id: "contract",
      header: "Contract",
      isRowHeader: true,
      cell: ({ contract: c }) => (
        <SpaceBetween size="xxxs">
          <RouterLink href={contractHref(c.customer, c.id)} ariaLabel={contractTitle(c)}>
            <Clamp text={c.name || `Contract ${c.id}`} />
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
    { id: "hours", header: "Hours used and left", cell: ({ usage: u }) => <HoursUsedCell u={u} />, width: 150 },
    { id: "burn", header: "Burn rate", cell: ({ usage: u }) => <BurnRateCell u={u} />, width: 110 },
    { id: "forecast", header: "Forecast to the end", cell: ({ usage: u }) => <ForecastCell u={u} />, width: 150 },
    { id: "runs-out", header: "Runs out", cell: ({ usage: u }) => <RunsOutCell u={u} />, width: 110 },
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
