import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useMemo, useState } from "react";
import { useParams } from "react-router-dom";
import { useCustomerOverview } from "../../api/hub";
import { useContract, type ContractDetail, type EntitlementChange } from "../../api/utilisation";
import { when } from "../../breakglass/format";
import { Breadcrumbs, detailState } from "../../components/DetailPage";
import NoValue from "../../components/NoValue";
import RefreshButton from "../../components/RefreshButton";
import RouterLink from "../../components/RouterLink";
import { Clamp, Email, LONG_TOKENS, NoWrap } from "../../components/Wrap";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import {
  allocationNote,
  changeSource,
  apportionHours,
  changeValue,
  fieldLabel,
  forecastNote,
  formatHours,
  formatShare,
  mappingCode,
  overAllocationText,
  shownDifference,
} from "../../lib/utilisation";
import StatusBadges from "../../utilisation/StatusBadges";
import UsageChart from "../../utilisation/UsageChart";

const TOP = 8;

type HoursBy = ContractDetail["usage"]["by_person"][number];

/** One contract: where it stands, its months against the allocation, who and which codes, its entitlement history. */
export default function ContractPage() {
  const { code = "", contract = "" } = useParams();
  const customer = useCustomerOverview(code);
  const detail = useContract(code, contract);
  const customerName = customer.data?.customer.name ?? code;
  const title = detail.data ? detail.data.contract.name || `Contract ${contract}` : `Contract ${contract}`;
  useDocumentTitle(`${customerName}: ${title}`);
  const crumbs = [
    { text: "Customers", href: "/customers" },
    { text: customerName, href: `/customers/${encodeURIComponent(code)}` },
    { text: "Utilisation", href: `/customers/${encodeURIComponent(code)}/utilisation` },
    { text: title, href: `/customers/${encodeURIComponent(code)}/utilisation/${encodeURIComponent(contract)}` },
  ];
  if (detail.isPending || detail.isError) {
    return detailState(detail, {
      crumbs,
      loading: "Loading the contract",
      title: `Contract ${contract}`,
      back: { text: `Back to ${customerName}'s contracts`, href: `/customers/${encodeURIComponent(code)}/utilisation` },
    });
  }
  return (
    <Contract
      detail={detail.data}
      customerName={customerName}
      title={title}
      breadcrumbs={<Breadcrumbs items={crumbs} />}
      refresh={<RefreshButton query={detail} />}
    />
  );
}

function Contract({
  detail,
  customerName,
  title,
  breadcrumbs,
  refresh,
}: {
  detail: ContractDetail;
  customerName: string;
  title: string;
  breadcrumbs: React.ReactNode;
  refresh: React.ReactNode;
}) {
  const { contract: c, usage: u } = detail;
  // Newest change first: the latest entitlement is what a reader looks for.
  const changes = useMemo(() => [...detail.changes].reverse(), [detail.changes]);
  const allocation = c.monthly_allocation;
  const left = shownDifference(u.entitled_hours, u.used_hours);
  return (
    <ContentLayout
      breadcrumbs={breadcrumbs}
      header={
        <Header
          variant="h1"
          description={`${customerName} · contract ${c.id} · ${c.start} – ${c.end}${c.status ? ` · ${c.status} in the source` : ""}`}
          actions={refresh}
        >
          <span style={LONG_TOKENS}>{title}</span>
        </Header>
      }
    >
      <SpaceBetween size="l">
        <Container
          header={
            <Header variant="h2" description={`As of ${u.as_of} (UTC); the burn rate is the hours a week over the last 90 days.`}>
              Where it stands
            </Header>
          }
        >
          <KeyValuePairs
            columns={4}
            items={[
              { label: "Status", value: <StatusBadges usage={u} /> },
              {
                label: "Used",
                value: (
                  <span>
                    <Box variant="strong" tagOverride="span">
                      {formatShare(u.used_hours, u.entitled_hours)}
                    </Box>{" "}
                    ({formatHours(u.used_hours)} of {formatHours(u.entitled_hours)})
                  </span>
                ),
              },
              {
                label: "Left",
                value: <Box color={left < 0 ? "text-status-error" : undefined}>{formatHours(left)}</Box>,
              },
              {
                label: "Expected by now at an even pace",
                value: `${formatHours(u.expected_hours)} (day ${u.elapsed_days.toLocaleString()} of ${u.period_days.toLocaleString()})`,
              },
              { label: "Burn rate", value: `${formatHours(u.burn_rate_per_week)} a week` },
              {
                label: "Forecast to the end",
                value: (
                  <span>
                    {formatHours(u.forecast_hours)}{" "}
                    <Box tagOverride="span" color={forecastNote(u.forecast_hours, u.entitled_hours).over ? "text-status-warning" : undefined}>
                      ({forecastNote(u.forecast_hours, u.entitled_hours).text})
                    </Box>
                  </span>
                ),
              },
              {
                label: u.status === "exhausted" ? "Ran out" : "Runs out",
                value: u.runs_out_on ? (
                  <Box color={u.status === "exhausted" ? "text-status-error" : "text-status-warning"}>{u.runs_out_on}</Box>
                ) : (
                  "Lasts the period at this rate"
                ),
              },
              {
                label: "Monthly allocation",
                value: allocation !== null && allocation !== undefined ? formatHours(allocation) : "No monthly allocation",
              },
              { label: "Over the monthly allocation", value: overAllocationText(u.months) },
              ...(u.outside_period_hours
                ? [{ label: "Hours outside the period", value: `${formatHours(u.outside_period_hours)} (not counted)` }]
                : []),
              { label: "Last written", value: `${when(c.updated_at)} (${changeSource(c.source)})` },
            ]}
          />
        </Container>

        <Container
          header={
            <Header
              variant="h2"
              description={allocationNote(u.months, allocation)}
            >
              Hours by month
            </Header>
          }
        >
          <UsageChart usage={u} />
        </Container>

        <ColumnLayout columns={2}>
          <HoursTable title="By person" items={u.by_person} keyHeader="Person" total={u.used_hours} email />
          <HoursTable title="By task code" items={u.by_task_code} keyHeader="Task code" total={u.used_hours} />
        </ColumnLayout>

        <Table<EntitlementChange>
          wrapLines
          variant="container"
          items={changes}
          trackBy={(h) => `${h.at}/${h.field}/${h.to ?? ""}`}
          header={
            <Header
              variant="h2"
              counter={`(${changes.length})`}
              description="Every change of the entitlement, newest first; the oldest are the values the contract was first seen with."
            >
              Entitlement history
            </Header>
          }
          columnDefinitions={[
            { id: "at", header: "When", cell: (h) => <NoWrap>{when(h.at)}</NoWrap>, isRowHeader: true },
            { id: "what", header: "What", cell: (h) => fieldLabel(h.field) },
            {
              id: "from",
              header: "From",
              cell: (h) =>
                h.from === null || h.from === undefined ? <Box color="text-body-secondary">First seen</Box> : <ChangeValue field={h.field} value={h.from} />,
            },
            { id: "to", header: "To", cell: (h) => (h.to === null || h.to === undefined ? "Removed" : <ChangeValue field={h.field} value={h.to} />) },
            { id: "source", header: "Source", cell: (h) => <Email address={changeSource(h.source)} /> },
          ]}
          empty={<Box textAlign="center" color="text-body-secondary">No changes recorded.</Box>}
        />

        <Container
          header={
            <Header
              variant="h2"
              description="Hours logged on these codes count for this contract."
              actions={<RouterLink href="/utilisation/task-codes">All task codes</RouterLink>}
            >
              Task codes
            </Header>
          }
        >
          {detail.task_codes.length ? (
            <SpaceBetween size="xxs">
              {detail.task_codes.map((m) => (
                <span key={`${m.code}|${m.prefix}`}>
                  <Box variant="code" tagOverride="span">
                    {mappingCode(m)}
                  </Box>{" "}
                  {m.prefix ? "every code starting with it" : "this code exactly"}
                </span>
              ))}
            </SpaceBetween>
          ) : (
            <Box color="text-body-secondary">No task code is mapped to this contract: no hours count for it.</Box>
          )}
        </Container>
      </SpaceBetween>
    </ContentLayout>
  );
}

function HoursTable({
  title,
  items,
  keyHeader,
  total,
  email = false,
}: {
  title: string;
  items: HoursBy[];
  keyHeader: string;
  total: number;
  email?: boolean;
}) {
  // The most first; a long tail of codes is folded away until asked for.
  const [all, setAll] = useState(false);
  // Rounded so that the rows add up to the hours used as shown.
  const rows = useMemo(() => {
    const hours = apportionHours(items.map((h) => h.hours), total);
    return items.map((h, i) => ({ ...h, hours: hours[i]! }));
  }, [items, total]);
  const shown = all ? rows : rows.slice(0, TOP);
  return (
    <Table<HoursBy>
      wrapLines
      variant="container"
      items={shown}
      footer={
        items.length > TOP ? (
          <Box textAlign="center">
            <Button variant="link" onClick={() => setAll(!all)} ariaExpanded={all}>
              {all ? `Show the top ${TOP}` : `Show all ${items.length}`}
            </Button>
          </Box>
        ) : undefined
      }
      trackBy="key"
      header={
        <Header variant="h2" counter={`(${items.length})`}>
          <span style={LONG_TOKENS}>{title}</span>
        </Header>
      }
      columnDefinitions={[
        {
          id: "key",
          header: keyHeader,
          cell: (h) => (email ? <Email address={h.key} clamp={3} /> : <Clamp text={h.key} lines={3} />),
          isRowHeader: true,
        },
        { id: "hours", header: "Hours", cell: (h) => <NoWrap>{formatHours(h.hours)}</NoWrap> },
        { id: "share", header: "Share", cell: (h) => formatShare(h.hours, total) },
      ]}
      empty={<Box textAlign="center" color="text-body-secondary">No hours logged yet.</Box>}
    />
  );
}

/** A changed value in words; an empty one (a field cleared) as the absent-value dash. */
function ChangeValue({ field, value }: { field: string; value: string }) {
  return value === "" ? <NoValue label={`No ${fieldLabel(field).toLowerCase()}`} /> : <>{changeValue(field, value)}</>;
}
