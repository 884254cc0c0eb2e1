import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import Container from "@cloudscape-design/components/container";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import { useMemo, useState } from "react";
import { useBillingOverview, type CustomerCosts, type MonthToDate } from "../../api/billing";
import { useMe } from "../../api/hub";
import CustomerStatusIndicator from "../../components/CustomerStatusIndicator";
import NoValue from "../../components/NoValue";
import RefreshButton from "../../components/RefreshButton";
import RouterLink from "../../components/RouterLink";
import TableEmpty from "../../components/TableEmpty";
import { isAdmin } from "../../components/RequireAdmin";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import { formatChange, formatMoney, isMoneyKey, overviewCurrencies, sortOverview, type OverviewSortKey } from "../../lib/billing";
import { count } from "../../lib/plural";

/**
 * One line per currency (most customers have one), the currency money columns sort in first, so
 * the line a customer is sorted by is the one on top.
 */
function PerCurrency({
  items,
  first,
  what,
  show,
}: {
  items: MonthToDate[];
  first: string | undefined;
  what: string;
  show: (m: MonthToDate) => React.ReactNode;
}) {
  if (!items.length) return <NoValue label={`No ${what}`} />;
  const ordered = [...items.filter((m) => m.currency === first), ...items.filter((m) => m.currency !== first)];
  return (
    <SpaceBetween size="xxxs">
      {ordered.map((m) => (
        <span key={m.currency}>{show(m)}</span>
      ))}
    </SpaceBetween>
  );
}

const columns = (first: string | undefined): (TableProps.ColumnDefinition<CustomerCosts> & { id: OverviewSortKey })[] => [
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
        <PerCurrency
          items={c.month_to_date}
          first={first}
          what="month to date"
          show={(m) => <Box variant="strong">{formatMoney(m.month_to_date, m.currency)}</Box>}
        />
      ) : (
        <Box color="text-body-secondary">No cost data yet</Box>
      ),
    minWidth: 150,
  },
  {
    id: "last",
    header: "Same days last month",
    sortingField: "last",
    cell: (c) => (
      <PerCurrency items={c.month_to_date} first={first} what="cost last month" show={(m) => formatMoney(m.last_month_same_days, m.currency)} />
    ),
  },
  {
    id: "change",
    header: "Change",
    sortingField: "change",
    cell: (c) => (
      <PerCurrency items={c.month_to_date} first={first} what="change" show={(m) => formatChange(m.change, m.change_ratio, m.currency)} />
    ),
    minWidth: 190,
  },
  {
    id: "forecast",
    header: "Forecast to month end",
    sortingField: "forecast",
    cell: (c) => (
      <PerCurrency
        items={c.month_to_date}
        first={first}
        what="forecast"
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
  // Money columns sort within one currency: the one chosen, else the one most customers have.
  const currencies = useMemo(() => overviewCurrencies(overview.data?.customers ?? []), [overview.data]);
  const [chosenCurrency, setChosenCurrency] = useState<string>();
  const sortCurrency = chosenCurrency && currencies.includes(chosenCurrency) ? chosenCurrency : currencies[0];
  const customers = useMemo(
    () => sortOverview(overview.data?.customers ?? [], sorting.key, sorting.descending, sortCurrency),
    [overview.data, sorting, sortCurrency],
  );
  const several = currencies.length > 1;
  const tableColumns = useMemo(() => columns(sortCurrency), [sortCurrency]);
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
          columnDefinitions={tableColumns}
          sortingColumn={{ sortingField: sorting.key }}
          sortingDescending={sorting.descending}
          onSortingChange={({ detail }) =>
            setSorting({ key: detail.sortingColumn.sortingField as OverviewSortKey, descending: detail.isDescending ?? false })
          }
          ariaLabels={{
            tableLabel: "Customers' month-to-date costs",
          }}
          header={
            <Header
              variant="h2"
              counter={overview.isSuccess ? `(${customers.length})` : undefined}
              description={
                several && sortCurrency && isMoneyKey(sorting.key)
                  ? `Sorted by the amount in ${sortCurrency}; customers without ${sortCurrency} costs after them, by currency. Amounts are never compared across currencies.`
                  : undefined
              }
              actions={
                several && sortCurrency ? (
                  <div style={{ width: 230 }}>
                    <Select
                      inlineLabelText="Sort amounts in"
                      selectedOption={{ value: sortCurrency, label: sortCurrency }}
                      options={currencies.map((c) => ({ value: c, label: c }))}
                      onChange={({ detail }) => setChosenCurrency(detail.selectedOption.value)}
                    />
                  </div>
                ) : undefined
              }
            >
              Customers
            </Header>
          }
          empty={<TableEmpty query={overview}>No customers yet.</TableEmpty>}
        />
      </SpaceBetween>
    </ContentLayout>
  );
}
