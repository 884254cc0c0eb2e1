import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import DateInput from "@cloudscape-design/components/date-input";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { useTeamMonth, type HoursFor, type PersonMonth } from "../../api/utilisation";
import ErrorAlert from "../../components/ErrorAlert";
import NoValue from "../../components/NoValue";
import RefreshButton from "../../components/RefreshButton";
import RouterLink from "../../components/RouterLink";
import TableEmpty from "../../components/TableEmpty";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import { Clamp, Email, NoWrap } from "../../components/Wrap";
import { addMonths, apportionHours, formatHours, isMonth, monthTitle, shownDifference, shownHours, thisMonth, unmappedHref } from "../../lib/utilisation";
import { contractHref } from "../../utilisation/ContractsTable";

/**
 * Who logged what across customers in a month (`/utilisation/team?month=YYYY-MM`, default this
 * month, UTC): the month's totals, and per person every hour, the hours per customer and contract
 * and the hours on unmapped task codes (linked to the Unmapped hours page over the month).
 */
export default function TeamPage() {
  const [params, setParams] = useSearchParams();
  const now = thisMonth();
  const asked = params.get("month");
  const month = asked ?? now;
  useDocumentTitle(`Team: ${monthTitle(month)}`);
  const go = (m: string, replace = false) => setParams(m === now ? {} : { month: m }, { replace });

  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="Who logged what across customers in a month: every hour, the hours per customer and contract, and the hours on task codes no mapping sends to a customer."
        >
          Team
        </Header>
      }
    >
      {isMonth(month) ? (
        <Month month={month} now={now} go={go} />
      ) : (
        <Alert type="error" header="Not a month">
          '{month}' is not a month; give it as YYYY-MM, or see <RouterLink href="/utilisation/team">this month</RouterLink>.
        </Alert>
      )}
    </ContentLayout>
  );
}

function Month({ month, now, go }: { month: string; now: string; go: (month: string, replace?: boolean) => void }) {
  // The answer names its customers and contracts: no other request for names.
  const team = useTeamMonth(month);
  const data = team.data?.month === month ? team.data : undefined;
  const people = data?.people ?? [];
  const title = monthTitle(month);

  return (
    <SpaceBetween size="l">
      <Container
        header={
          <Header
            variant="h2"
            description="Each worklog counts on the day it was logged."
            actions={<MonthPicker month={month} now={now} go={go} />}
          >
            {title}
          </Header>
        }
      >
        {team.isError ? (
          <ErrorAlert error={team.error} onRetry={() => team.refetch()} />
        ) : (
          <KeyValuePairs
            columns={4}
            items={[
              { label: "Hours logged", value: data ? formatHours(data.hours) : "…" },
              { label: "On customers' task codes", value: data ? formatHours(shownDifference(data.hours, data.unmapped_hours)) : "…" },
              {
                label: "Unmapped hours",
                value: !data ? (
                  "…"
                ) : shownHours(data.unmapped_hours) !== 0 ? (
                  <RouterLink href={unmappedHref(month)} ariaLabel={`${formatHours(data.unmapped_hours)} unmapped in ${title}: by task code`}>
                    {formatHours(data.unmapped_hours)}
                  </RouterLink>
                ) : (
                  formatHours(0)
                ),
              },
              { label: "People", value: data ? people.length.toLocaleString() : "…" },
            ]}
          />
        )}
      </Container>
      <Table<PersonMonth>
        wrapLines
        variant="container"
        items={people}
        loading={!data && !team.isError}
        loadingText="Loading the month's hours"
        trackBy="person"
        cellVerticalAlign="top"
        ariaLabels={{ tableLabel: `Hours by person in ${title}` }}
        header={
          <Header
            variant="h2"
            counter={data ? `(${people.length})` : undefined}
            description="Most hours first. Hours count for a customer through its task code mappings."
            actions={<RefreshButton query={team} />}
          >
            People
          </Header>
        }
        columnDefinitions={[
          { id: "person", header: "Person", isRowHeader: true, cell: (p) => <Email address={p.person} clamp={3} />, width: 240 },
          { id: "hours", header: "Hours", cell: (p) => <NoWrap>{formatHours(p.hours)}</NoWrap>, width: 110 },
          {
            id: "customers",
            header: "Hours per customer",
            cell: (p) =>
              p.by_customer.length ? (
                <SpaceBetween size="xxxs">
                  {p.by_customer.map((h, i) => (
                    <CustomerHours key={`${h.customer}/${h.contract ?? ""}`} h={h} hours={shares(p)[i]!} />
                  ))}
                </SpaceBetween>
              ) : (
                <Box color="text-body-secondary">None on customers' task codes</Box>
              ),
          },
          {
            id: "unmapped",
            header: "Unmapped",
            cell: (p) => {
              const unmapped = shares(p)[p.by_customer.length]!;
              return unmapped !== 0 ? (
                <RouterLink href={unmappedHref(month)} ariaLabel={`${formatHours(unmapped)} unmapped by ${p.person} in ${title}: by task code`}>
                  <NoWrap>{formatHours(unmapped)}</NoWrap>
                </RouterLink>
              ) : (
                <NoValue label="No unmapped hours" />
              );
            },
            width: 130,
          },
        ]}
        empty={
          <TableEmpty query={team}>
            <SpaceBetween size="xxs">
              <b>Nothing logged in {title}</b>
              <span>
                No worklog falls in this month. Hours come from JIRA with the daily sync (see{" "}
                <RouterLink href="/utilisation/runs">Sync runs</RouterLink>) or from a worklogs CSV import.
              </span>
            </SpaceBetween>
          </TableEmpty>
        }
      />
    </SpaceBetween>
  );
}

/**
 * A person's hours per customer and their unmapped hours, as shown: rounded so that they add up to
 * the person's hours as shown (the unmapped hours last).
 */
function shares(p: PersonMonth): number[] {
  return apportionHours([...p.by_customer.map((h) => h.hours), p.unmapped_hours], p.hours);
}

/** `13.3 h  Borealis Energy · contract 00000101` (or `outside contract`); `hours` as shown. */
function CustomerHours({ h, hours }: { h: HoursFor; hours: number }) {
  // The hub's name; the code when the hub no longer has the customer.
  const customer = h.customer_name || h.customer;
  const contractName = h.contract_name || undefined;
  return (
    <div style={{ display: "flex", gap: 12, alignItems: "baseline", minWidth: 0 }}>
      <span style={{ minWidth: 64, textAlign: "right", flexShrink: 0 }}>
        <NoWrap>{formatHours(hours)}</NoWrap>
      </span>
      <Clamp text={customer} lines={3}>
        <RouterLink href={`/customers/${encodeURIComponent(h.customer)}/utilisation`}>{customer}</RouterLink>
        <Box variant="small" color="text-body-secondary" display="inline">
          {" · "}
          {h.contract ? (
            <span title={contractName}>
              contract{" "}
              <RouterLink
                href={contractHref(h.customer, h.contract)}
                variant="secondary"
                ariaLabel={`Contract ${h.contract} of ${customer}`}
              >
                {h.contract}
              </RouterLink>
            </span>
          ) : (
            "outside contract"
          )}
        </Box>
      </Clamp>
    </div>
  );
}

function MonthPicker({
  month,
  now,
  go,
}: {
  month: string;
  now: string;
  go: (month: string, replace?: boolean) => void;
}) {
  const [draft, setDraft] = useState(month);
  useEffect(() => setDraft(month), [month]);
  return (
    <SpaceBetween direction="horizontal" size="xs" alignItems="center">
      <Button iconName="angle-left" onClick={() => go(addMonths(month, -1))} ariaLabel={`Previous month: ${monthTitle(addMonths(month, -1))}`}>
        Previous
      </Button>
      <div style={{ width: 130 }}>
        <DateInput
          granularity="month"
          value={draft}
          format="iso"
          placeholder="YYYY-MM"
          ariaLabel="Month"
          onChange={({ detail }) => {
            setDraft(detail.value);
            if (isMonth(detail.value) && detail.value !== month) go(detail.value, true);
          }}
        />
      </div>
      <Button
        iconName="angle-right"
        iconAlign="right"
        disabled={month >= now}
        disabledReason="This is the current month."
        onClick={() => go(addMonths(month, 1))}
        ariaLabel={`Next month: ${monthTitle(addMonths(month, 1))}`}
      >
        Next
      </Button>
      {month !== now ? (
        <Button variant="link" onClick={() => go(now)}>
          This month
        </Button>
      ) : null}
    </SpaceBetween>
  );
}
