import Box from "@cloudscape-design/components/box";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import type { ContractStanding, CustomerPortfolio } from "../api/utilisation";
import RouterLink from "../components/RouterLink";
import { Clamp, NoWrap } from "../components/Wrap";
import { formatHours, monthsOverText, portfolioRows } from "../lib/utilisation";
import { contractHref } from "./ContractsTable";
import StatusBadges from "./StatusBadges";
import { BurnRateCell, ForecastCell, HoursUsedCell, RunsOutCell } from "./UsageCells";

type Row = { customer: CustomerPortfolio; contract: ContractStanding };

/**
 * The overview's contracts: a row per current contract under its customer's name, with where it
 * stands: the columns of a customer's contracts, with the monthly allocation and the complete months
 * over it (`3 of 6 months over`) beside the burn rate rather than in a column of their own.
 */
export default function PortfolioTable({
  customers,
  loading,
  header,
  empty,
}: {
  customers: CustomerPortfolio[];
  loading: boolean;
  header: React.ReactNode;
  empty: React.ReactNode;
}) {
  const columns: TableProps.ColumnDefinition<Row>[] = [
    {
      id: "contract",
      header: "Customer and contract",
      isRowHeader: true,
      cell: ({ customer, contract: c }) => (
        <SpaceBetween size="xxxs">
          <Box variant="strong">
            <RouterLink href={`/customers/${encodeURIComponent(customer.customer)}/utilisation`} variant="secondary">
              <Clamp text={customer.name || customer.customer} />
            </RouterLink>
          </Box>
          <RouterLink
            href={contractHref(customer.customer, c.contract)}
            ariaLabel={`${c.name ? `${c.name} (${c.contract})` : `Contract ${c.contract}`} at ${customer.name}`}
          >
            <Clamp text={c.name || `Contract ${c.contract}`} />
          </RouterLink>
          <Box variant="small" color="text-body-secondary">
            {c.contract} · <NoWrap>{c.start}</NoWrap> – <NoWrap>{c.end}</NoWrap>
          </Box>
        </SpaceBetween>
      ),
      // The contract's name on one line at 1440 px with the navigation open.
      width: 260,
    },
    // "Allocation consistently exceeded" on one line.
    { id: "status", header: "Status", cell: ({ contract: c }) => <StatusBadges usage={c} />, width: 225 },
    { id: "hours", header: "Hours used and left", cell: ({ contract: c }) => <HoursUsedCell u={c} />, width: 130 },
    {
      id: "burn",
      header: "Burn rate and allocation",
      cell: ({ contract: c }) => (
        <SpaceBetween size="xxxs">
          <BurnRateCell u={c} />
          <Box variant="small" color="text-body-secondary">
            {c.monthly_allocation === null || c.monthly_allocation === undefined ? (
              "No monthly allocation"
            ) : (
              <NoWrap>{formatHours(c.monthly_allocation)} a month allocated</NoWrap>
            )}
          </Box>
          {monthsOverText(c) ? (
            <Box variant="small" color={c.months_over_allocation > 0 ? "text-status-warning" : "text-body-secondary"}>
              <span title="Complete months of the period whose hours went over the monthly allocation">
                <NoWrap>{monthsOverText(c)}</NoWrap>
              </span>
            </Box>
          ) : null}
        </SpaceBetween>
      ),
      width: 150,
    },
    { id: "forecast", header: "Forecast to the end", cell: ({ contract: c }) => <ForecastCell u={c} />, width: 140 },
    { id: "runs-out", header: "Runs out", cell: ({ contract: c }) => <RunsOutCell u={c} /> },
  ];
  return (
    <Table<Row>
      wrapLines
      variant="container"
      trackBy={(r) => `${r.customer.customer}/${r.contract.contract}`}
      items={portfolioRows(customers)}
      loading={loading}
      loadingText="Loading contracts"
      columnDefinitions={columns}
      header={header}
      empty={empty}
      ariaLabels={{ tableLabel: "Current contracts of every customer" }}
    />
  );
}
