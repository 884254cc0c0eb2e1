import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import Container from "@cloudscape-design/components/container";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import { useMemo, useState } from "react";
import { useBillingOverview, type CustomerCosts, type MonthToDate } from "../../api/billing";
import { useMe } from "../../api/hub";
import CustomerStatusIndicator from "../../components/CustomerStatusIndicator";
import RefreshButton from "../../components/RefreshButton";
import RouterLink from "../../components/RouterLink";
import TableEmpty from "../../components/TableEmpty";
import { isAdmin } from "../../components/RequireAdmin";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import { formatChange, formatMoney, sortOverview, type OverviewSortKey } from "../../lib/billing";
import { count } from "../../lib/plural";

/** One line per currency (most customers have one). */
function PerCurrency({ items, show }: { items: MonthToDate[]; show: (m: MonthToDate) => React.ReactNode }) {
  if (!items.length) return <Box color="text-body-secondary">—</Box>;
  return (
    <SpaceBetween size="xxxs">
      {items.map((m) => (
        <span key={m.currency}>{show(m)}</span>
      ))}
    </SpaceBetween>
  );
}

const COLUMNS: (TableProps.ColumnDefinition<CustomerCosts> & { id: OverviewSortKey })[] = [
  {
    id: "name",
    header: "Customer",
    isRowHeader: true,
    sortingField: "name",
    cell: (c) => (
      <SpaceBetween size="xxxs">
        <RouterLink href={`/customers/${encodeURIComponent(c.customer)}/billing`} ariaLabel={`${c.name} billing`}>
          {c.name}
        </RouterLink>
        {c.status !== "active" ? <CustomerStatusIndicator status={c.status} /> : null}
      </SpaceBetween>
    ),
    minWidth: 180,
  },
  {
    id: "mtd",
    header: "Month to date",
    sortingField: "mtd",
    cell: (c) =>
      c.month_to_date.length ? (
        <PerCurrency items={c.month_to_date} show={(m) => <Box variant="strong">{formatMoney(m.month_to_date, m.currency)}</Box>} />
      ) : (
        <Box color="text-body-secondary">No cost data yet</Box>
      ),
    minWidth: 150,
  },
  {
    id: "last",
    header: "Same days last month",
    sortingField: "last",
    cell: (c) => <PerCurrency items={c.month_to_date} show={(m) => formatMoney(m.last_month_same_days, m.currency)} />,
  },
  {
    id: "change",
    header: "Change",
    sortingField: "change",
    cell: (c) => <PerCurrency items={c.month_to_date} show={(m) => formatChange(m.change, m.change_ratio, m.currency)} />,
    minWidth: 190,
  },
  {
    id: "forecast",
    header: "Forecast to month end",
    sortingField: "forecast",
    cell: (c) => (
      <PerCurrency
        items={c.month_to_date}
        show={(m) => (
          <span title={`Month to date + ${formatMoney(m.daily_average_7d, m.currency)} a day (7-day average) × the days left`}>
            {formatMoney(m.forecast, m.currency)}
          </span>
        )}
      />
    ),
  },
  {
    id: "open",
    header: "Open anomalies",
    sortingField: "open",
    cell: (c) =>
      c.open_anomalies ? (
        <RouterLink href={`/customers/${encodeURIComponent(c.customer)}/billing#anomalies`} ariaLabel={`${count(c.open_anomalies, "open anomaly", "open anomalies")} at ${c.name}`}>
          {String(c.open_anomalies)}
        </RouterLink>
      ) : (
        "0"
      ),
  },
  {
    id: "acknowledged",
    header: "Acknowledged",
    sortingField: "acknowledged",
    cell: (c) => String(c.acknowledged_anomalies),
  },
];

/** Every customer's month to date against the same days of last month, forecast and anomalies. */
export default function BillingOverview() {
  useDocumentTitle("Billing");
  const overview = useBillingOverview();
  const me = useMe();
  const [sorting, setSorting] = useState<{ key: OverviewSortKey; descending: boolean }>({ key: "mtd", descending: true });
  const customers = useMemo(
    () => sortOverview(overview.data?.customers ?? [], sorting.key, sorting.descending),
    [overview.data, sorting],
  );
  const withData = customers.filter((c) => c.month_to_date.length).length;
  const totals = overview.data?.totals ?? [];

  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description={
            overview.data
              ? `As of ${overview.data.as_of} (the last complete day, UTC). Amounts in each customer's billing currency; never converted.`
              : "Month to date for every customer."
          }
          actions={<RefreshButton query={overview} />}
        >
          Billing
        </Header>
      }
    >
      <SpaceBetween size="l">
        {overview.isSuccess && withData === 0 ? (
          <Alert type="info" header="No cost data yet">
            Costs arrive with the daily fetch from Cost Explorer, a{" "}
            {isAdmin(me.data?.roles) ? <RouterLink href="/billing/runs">Fetch now</RouterLink> : "Fetch now by an admin"}, or an
            imported cost export (on a customer's billing page). Until then there is nothing to compare.
          </Alert>
        ) : null}
        {overview.isSuccess && totals.length ? (
          <Container header={<Header variant="h2">All customers, month to date</Header>}>
            <KeyValuePairs
              columns={4}
              items={[
                ...totals.map((t) => ({ label: `Total (${t.currency})`, value: formatMoney(t.amount, t.currency) })),
                { label: "Customers with cost data", value: `${withData} of ${customers.length}` },
                {
                  label: "Open anomalies",
                  value: <RouterLink href="/billing/anomalies">{String(customers.reduce((n, c) => n + c.open_anomalies, 0))}</RouterLink>,
                },
              ]}
            />
          </Container>
        ) : null}
        <Table<CustomerCosts>
          wrapLines
          variant="container"
          trackBy="customer"
          items={customers}
          loading={overview.isPending}
          loadingText="Loading month-to-date costs"
          columnDefinitions={COLUMNS}
          sortingColumn={{ sortingField: sorting.key }}
          sortingDescending={sorting.descending}
          onSortingChange={({ detail }) =>
            setSorting({ key: detail.sortingColumn.sortingField as OverviewSortKey, descending: detail.isDescending ?? false })
          }
          ariaLabels={{
            tableLabel: "Customers' month-to-date costs",
          }}
          header={
            <Header variant="h2" counter={overview.isSuccess ? `(${customers.length})` : undefined}>
              Customers
            </Header>
          }
          empty={<TableEmpty query={overview}>No customers yet.</TableEmpty>}
        />
      </SpaceBetween>
    </ContentLayout>
  );
}
