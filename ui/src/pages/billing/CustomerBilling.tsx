import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import Pagination from "@cloudscape-design/components/pagination";
import SegmentedControl from "@cloudscape-design/components/segmented-control";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useEffect, useMemo, useState } from "react";
import { useLocation, useSearchParams } from "react-router-dom";
import {
  useBillingOverview,
  useCosts,
  useCustomerAnomalies,
  useMovers,
  type CostReport,
  type Movers,
} from "../../api/billing";
import { useCustomerAccounts, useMe } from "../../api/hub";
import AnomaliesTable from "../../billing/AnomaliesTable";
import CostChart from "../../billing/CostChart";
import FetchLines from "../../billing/FetchLines";
import ImportSection from "../../billing/ImportSection";
import OrganizationSection from "../../billing/OrganizationSection";
import SettingsSection from "../../billing/SettingsSection";
import { when } from "../../breakglass/format";
import CustomerSection from "../../components/CustomerSection";
import DateRangeForm from "../../components/DateRangeForm";
import ErrorAlert from "../../components/ErrorAlert";
import NoValue from "../../components/NoValue";
import { isAdmin } from "../../components/RequireAdmin";
import RouterLink from "../../components/RouterLink";
import TableEmpty from "../../components/TableEmpty";
import {
  chartCurrency,
  checkRange,
  currenciesBySize,
  formatChange,
  formatMoney,
  granularityFor,
  moversWindows,
  NO_MOVERS,
  pageOf,
  presetRange,
  rangeFromAddress,
  RANGE_PRESETS,
  yesterday,
  type AddressRange,
  type RangePreset,
} from "../../lib/billing";

type CostTotal = CostReport["by_account"][number];
type Mover = Movers["items"][number];

/** A customer's costs: month to date, daily cost by service, accounts, movers, anomalies, settings, organisation, import. */
export default function CustomerBilling() {
  return (
    <CustomerSection label="Billing" segment="billing" back={{ text: "Back to billing", href: "/billing" }}>
      {(code, name, breadcrumbs) => <Billing code={code} name={name} breadcrumbs={breadcrumbs} />}
    </CustomerSection>
  );
}

function Billing({ code, name, breadcrumbs }: { code: string; name: string; breadcrumbs: React.ReactNode }) {
  const me = useMe();
  const admin = isAdmin(me.data?.roles);
  const overview = useBillingOverview(code);
  const mtd = overview.data?.customers[0]?.month_to_date ?? [];
  const lastFetch = overview.data?.customers[0]?.last_fetch;
  const asOf = overview.data?.as_of ?? yesterday();
  const accounts = useCustomerAccounts(code);
  const accountNames = useMemo(() => new Map((accounts.data ?? []).map((a) => [a.id, a.name])), [accounts.data]);
  const anomalies = useCustomerAnomalies(code);
  const location = useLocation();

  // The range lives in the address: ?range=90d, or ?from=...&to=... (with range=custom or without:
  // days in a shared link are always the range shown), and the chart's currency as ?currency=EUR.
  const [params, setParams] = useSearchParams();
  // A bad range in the address (inverted, too long, unknown) shows its message and no data, never
  // another range's data under inputs that say otherwise.
  const address = rangeFromAddress(params.get("range"), params.get("from"), params.get("to"), asOf);
  const rangeProblem = address.problem;
  const range = address.range ?? presetRange("30d", asOf); // for the hooks only: nothing is fetched
  const granularity = granularityFor(range.from, range.to);
  const costsQuery = useCosts(code, range.from, range.to, granularity, !!overview.data && !rangeProblem);
  const costs = rangeProblem ? { ...costsQuery, data: undefined, isPending: false } : costsQuery;
  const rangeText = rangeProblem ? "No range shown" : `${range.from} – ${range.to}`;
  // The accounts table is paged in the browser (the API sends them all); a new range starts at page 1.
  const [accountsPage, setAccountsPage] = useState(1);
  useEffect(() => setAccountsPage(1), [range.from, range.to]);
  const accountRows = pageOf(costs.data?.by_account ?? [], accountsPage);
  const movers = useMovers(code);
  // The chart draws one currency: the one asked for when the range has costs in it, else the largest.
  const chartCurrencies = currenciesBySize(costs.data?.total ?? []);
  const currency = chartCurrency(costs.data?.total ?? [], params.get("currency"));
  const otherCurrencies = chartCurrencies.filter((c) => c !== currency);
  // Every currency the customer is billed in (this month's and the range's), for the thresholds.
  const billedIn = [...new Set([...mtd.map((m) => m.currency), ...chartCurrencies])];

  // #anomalies (from the overview's count): bring that section into view once it is there.
  useEffect(() => {
    if (location.hash !== "#anomalies" || !anomalies.isSuccess) return;
    document.getElementById("anomalies")?.scrollIntoView({ block: "start" });
  }, [location.hash, anomalies.isSuccess]);

  // One parameter changed, the others kept (the range keeps the currency, the currency the range).
  const setAddress = (changes: Record<string, string | undefined>) =>
    setParams(
      (now) => {
        const next = new URLSearchParams(now);
        for (const [k, v] of Object.entries(changes)) {
          if (v === undefined) next.delete(k);
          else next.set(k, v);
        }
        return next;
      },
      { replace: true },
    );
  const setRange = (next: RangePreset, from?: string, to?: string) => {
    if (next !== "custom") {
      setAddress({ range: next === "30d" ? undefined : next, from: undefined, to: undefined });
      return;
    }
    // Custom from a preset starts at the days shown; from a bad range, at its days to correct.
    const start = address.range ?? (address.from || address.to ? address : presetRange("30d", asOf));
    setAddress({ range: "custom", from: from ?? start.from, to: to ?? start.to });
  };

  return (
    <ContentLayout
      breadcrumbs={breadcrumbs}
      header={
        <Header
          variant="h1"
          description={`Costs as of ${asOf} (the last complete day, UTC), in the billing currency.`}
          actions={
            <SpaceBetween direction="horizontal" size="xs" alignItems="center">
              <RouterLink href={`/customers/${encodeURIComponent(code)}`}>Customer details</RouterLink>
              {admin ? <RouterLink href={`/billing/runs?customer=${encodeURIComponent(code)}`}>Fetch costs now</RouterLink> : null}
            </SpaceBetween>
          }
        >
          {name}: billing
        </Header>
      }
    >
      <SpaceBetween size="l">
        <Container header={<Header variant="h2">Month to date</Header>}>
          {overview.isPending ? (
            <Box color="text-body-secondary">Loading…</Box>
          ) : overview.isError ? (
            <ErrorAlert error={overview.error} onRetry={() => overview.refetch()} />
          ) : mtd.length ? (
            <SpaceBetween size="m">
              {mtd.map((m) => (
                <KeyValuePairs
                  key={m.currency}
                  columns={4}
                  items={[
                    { label: `Month to date (${m.currency})`, value: <Box variant="strong">{formatMoney(m.month_to_date, m.currency)}</Box> },
                    { label: "Same days last month", value: formatMoney(m.last_month_same_days, m.currency) },
                    { label: "Change", value: formatChange(m.change, m.change_ratio, m.currency) },
                    {
                      label: "Forecast to month end",
                      value: `${formatMoney(m.forecast, m.currency)} (${formatMoney(m.daily_average_7d, m.currency)} a day, 7-day average)`,
                    },
                  ]}
                />
              ))}
            </SpaceBetween>
          ) : (
            <Box color="text-body-secondary">
              No cost data yet for this month. Costs arrive with the daily fetch{admin ? ", Fetch now, or an import below" : ""}.
            </Box>
          )}
          {lastFetch ? (
            <Box margin={{ top: "m" }}>
              <Box variant="awsui-key-label">Last fetch, {when(lastFetch.at)}</Box>
              <FetchLines fetches={lastFetch.entries} />
            </Box>
          ) : overview.data ? (
            <Box margin={{ top: "m" }} color="text-body-secondary">
              Not fetched from Cost Explorer yet.
            </Box>
          ) : null}
        </Container>

        <Container
          header={
            <Header
              variant="h2"
              description={
                rangeProblem
                  ? rangeText
                  : `${rangeText} · ${granularity === "daily" ? "daily" : "by month"} · top 8 services and Other${
                      otherCurrencies.length ? ` · shown in ${currency}; also billed in ${otherCurrencies.join(", ")}` : ""
                    }`
              }
            >
              Cost by service
            </Header>
          }
        >
          <SpaceBetween size="m">
            <SpaceBetween direction="horizontal" size="l" alignItems="end">
              <RangePicker address={address} onChange={setRange} />
              {chartCurrencies.length > 1 && currency ? (
                <FormField label="Currency">
                  <SegmentedControl
                    label="Currency"
                    selectedId={currency}
                    options={chartCurrencies.map((c) => ({ id: c, text: c }))}
                    onChange={({ detail }) => setAddress({ currency: detail.selectedId })}
                  />
                </FormField>
              ) : null}
            </SpaceBetween>
            {rangeProblem ? (
              <Alert type="error" header="This range cannot be shown">
                {rangeProblem} Correct the days and choose Show, or pick another range.
              </Alert>
            ) : null}
            <CostChart report={costs.data} currency={currency} loading={costs.isPending} error={costs.isError} />
            {costs.isError ? <ErrorAlert error={costs.error} onRetry={() => costs.refetch()} /> : null}
          </SpaceBetween>
        </Container>

        <SpaceBetween size="l">
          <Table<CostTotal>
            wrapLines
            variant="container"
            trackBy={(t) => `${t.key}/${t.currency}`}
            items={accountRows.items}
            loading={costs.isPending}
            loadingText="Loading costs by account"
            pagination={
              accountRows.pages > 1 ? (
                <Pagination
                  currentPageIndex={accountRows.page}
                  pagesCount={accountRows.pages}
                  onChange={({ detail }) => setAccountsPage(detail.currentPageIndex)}
                  ariaLabels={{
                    nextPageLabel: "Next page of accounts",
                    previousPageLabel: "Previous page of accounts",
                    pageLabel: (n) => `Page ${n} of accounts`,
                  }}
                />
              ) : undefined
            }
            header={
              <Header variant="h2" counter={costs.data ? `(${costs.data.by_account.length})` : undefined} description={rangeText}>
                Accounts
              </Header>
            }
            columnDefinitions={[
              {
                id: "account",
                header: "Account",
                isRowHeader: true,
                cell: (t) => (
                  <SpaceBetween size="xxxs">
                    {accountNames.get(t.key) ? (
                      <RouterLink href={`/customers/${encodeURIComponent(code)}?account=${t.key}`}>{accountNames.get(t.key)!}</RouterLink>
                    ) : (
                      <span>Not in the hub</span>
                    )}
                    <Box variant="small" color="text-body-secondary">
                      {t.key}
                    </Box>
                  </SpaceBetween>
                ),
              },
              { id: "amount", header: "Cost", cell: (t) => formatMoney(t.amount, t.currency) },
              {
                id: "share",
                header: "Share",
                cell: (t) => {
                  const total = costs.data?.total.find((x) => x.currency === t.currency)?.amount ?? 0;
                  return total > 0 ? `${((t.amount / total) * 100).toFixed(1)} %` : <NoValue label="No share: no total" />;
                },
              },
            ]}
            empty={<TableEmpty query={costs}>{rangeProblem ? "No range shown." : "No costs in this range."}</TableEmpty>}
          />
          <Table<Mover>
            wrapLines
            variant="container"
            trackBy={(m) => `${m.account}/${m.service}/${m.currency}`}
            items={movers.data?.items ?? []}
            loading={movers.isPending}
            loadingText="Loading top movers"
            header={
              <Header
                variant="h2"
                description={
                  movers.data
                    ? moversWindows(movers.data)
                    : "The last 7 days against the 7 before"
                }
              >
                Top movers
              </Header>
            }
            columnDefinitions={[
              {
                id: "what",
                header: "Account and service",
                isRowHeader: true,
                cell: (m) => (
                  <SpaceBetween size="xxxs">
                    <span>{m.service}</span>
                    <Box variant="small" color="text-body-secondary">
                      {accountNames.get(m.account) ? `${accountNames.get(m.account)} · ` : ""}
                      {m.account}
                    </Box>
                  </SpaceBetween>
                ),
              },
              { id: "previous", header: "Before", cell: (m) => formatMoney(m.previous, m.currency) },
              { id: "current", header: "Now", cell: (m) => formatMoney(m.current, m.currency) },
              {
                id: "change",
                header: "Change",
                cell: (m) => formatChange(m.change, m.previous ? m.change / m.previous : null, m.currency),
              },
            ]}
            empty={<TableEmpty query={movers}>{NO_MOVERS}</TableEmpty>}
          />
        </SpaceBetween>

        <div id="anomalies">
          <AnomaliesTable
            items={anomalies.data ?? []}
            loading={anomalies.isPending}
            accountNames={accountNames}
            header={
              <Header
                variant="h2"
                counter={anomalies.data ? `(${anomalies.data.length})` : undefined}
                description="Every status, newest detection first."
                actions={<RouterLink href="/billing/anomalies">Every customer's open anomalies</RouterLink>}
              >
                Cost anomalies
              </Header>
            }
            empty={<TableEmpty query={anomalies}>No cost anomalies for this customer.</TableEmpty>}
          />
        </div>

        <SettingsSection code={code} admin={admin} currencies={billedIn} />
        <OrganizationSection code={code} name={name} admin={admin} accountNames={accountNames} />
        {admin ? <ImportSection code={code} /> : null}
      </SpaceBetween>
    </ContentLayout>
  );
}

/** The range presets, and the custom range's days when Custom is chosen. */
function RangePicker({
  address,
  onChange,
}: {
  address: AddressRange;
  onChange: (preset: RangePreset, from?: string, to?: string) => void;
}) {
  return (
    <SpaceBetween direction="horizontal" size="m" alignItems="end">
      <SegmentedControl
        label="Range"
        selectedId={address.preset ?? null}
        options={RANGE_PRESETS}
        onChange={({ detail }) => onChange(detail.selectedId as RangePreset)}
      />
      {address.preset === "custom" ? (
        <DateRangeForm from={address.from} to={address.to} check={checkRange} onSubmit={(from, to) => onChange("custom", from, to)} />
      ) : null}
    </SpaceBetween>
  );
}
