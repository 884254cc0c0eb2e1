import ContentLayout from "@cloudscape-design/components/content-layout";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import Box from "@cloudscape-design/components/box";
import { useMemo } from "react";
import { useSearchParams } from "react-router-dom";
import { useCustomers } from "../../api/hub";
import { usePortfolioReports, useReportRuns, type MonthlyRun, type MonthReports } from "../../api/reports";
import RunTrigger from "../../components/RunTrigger";
import NoValue from "../../components/NoValue";
import { when } from "../../breakglass/format";
import RouterLink from "../../components/RouterLink";
import TableEmpty from "../../components/TableEmpty";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import { builtBy, closedMonths, isMonth, lastClosedMonth, monthName, sectionsCount } from "../../lib/reports";

/** Every customer's report of one month (`/reports?month=YYYY-MM`, default the month just closed). */
export default function ReportsOverview() {
  useDocumentTitle("Reports");
  const today = new Date().toISOString().slice(0, 10);
  const [params, setParams] = useSearchParams();
  const asked = params.get("month") ?? "";
  const month = isMonth(asked) ? asked : lastClosedMonth(today);
  const reports = usePortfolioReports(month);
  const runs = useReportRuns();
  // Names for the codes (the customers list's first page; a code without a name there shows alone).
  const customers = useCustomers("", "");
  const names = useMemo(
    () => new Map((customers.data?.pages ?? []).flatMap((p) => p.items.map((c) => [c.code, c.name] as const))),
    [customers.data],
  );
  const options = closedMonths(today).map((m) => ({ value: m, label: monthName(m) }));
  if (!options.some((o) => o.value === month)) options.unshift({ value: month, label: monthName(month) });
  return (
    <ContentLayout
      header={
        <Header variant="h1" description="Each customer's monthly report: how many versions, the newest, and which sections had data.">
          Reports
        </Header>
      }
    >
      <SpaceBetween size="l">
        <Table<MonthReports>
          variant="container"
          wrapLines
          trackBy="customer"
          items={reports.data ?? []}
          loading={reports.isPending}
          loadingText="Loading the month's reports"
          ariaLabels={{ tableLabel: `Reports of ${monthName(month)}` }}
          header={
            <SpaceBetween size="m">
              <Header variant="h2" counter={reports.data ? `(${reports.data.length})` : undefined}>
                {monthName(month)}
              </Header>
              <FormField label="Month" stretch={false}>
                <div style={{ width: 240 }}>
                  <Select
                    selectedOption={options.find((o) => o.value === month) ?? null}
                    options={options}
                    onChange={({ detail }) => setParams({ month: detail.selectedOption.value ?? month }, { replace: true })}
                  />
                </div>
              </FormField>
            </SpaceBetween>
          }
          columnDefinitions={[
            {
              id: "customer",
              header: "Customer",
              isRowHeader: true,
              minWidth: 200,
              cell: (r) => (
                <SpaceBetween size="xxxs">
                  <RouterLink href={`/customers/${encodeURIComponent(r.customer)}/reports?month=${r.month}`}>
                    {names.get(r.customer) ?? r.customer}
                  </RouterLink>
                  {names.has(r.customer) ? (
                    <Box variant="small" color="text-body-secondary">
                      {r.customer}
                    </Box>
                  ) : null}
                </SpaceBetween>
              ),
            },
            { id: "versions", header: "Versions", cell: (r) => r.versions },
            { id: "latest", header: "Newest version", cell: (r) => `v${r.latest.version}, ${when(r.latest.built_at)} by ${builtBy(r.latest.trigger)}` },
            { id: "reason", header: "Why", cell: (r) => r.latest.reason },
            { id: "sections", header: "Sections", cell: (r) => sectionsCount(r.latest.sections) },
          ]}
          empty={<TableEmpty query={reports}>No reports for {monthName(month)} yet.</TableEmpty>}
        />
        <Table<MonthlyRun>
          variant="container"
          wrapLines
          trackBy="id"
          items={runs.data ?? []}
          loading={runs.isPending}
          loadingText="Loading the schedule's runs"
          ariaLabels={{ tableLabel: "Monthly schedule runs" }}
          header={
            <Header
              variant="h2"
              counter={runs.data ? `(${runs.data.length})` : undefined}
              description="reports.monthly: each active customer's report of the month just closed. Newest first; runs that only skipped are not kept."
            >
              Schedule runs
            </Header>
          }
          columnDefinitions={[
            { id: "month", header: "Month", isRowHeader: true, cell: (r) => monthName(r.month) },
            { id: "started", header: "Started", cell: (r) => when(r.started_at) },
            { id: "trigger", header: "By", cell: (r) => (r.trigger ? <RunTrigger trigger={r.trigger} action="Run" schedule="Monthly schedule" /> : "Monthly schedule") },
            { id: "counts", header: "Built, skipped, failed", cell: (r) => `${r.built}, ${r.skipped}, ${r.failed}` },
            {
              id: "failures",
              header: "Failed",
              cell: (r) => {
                const failed = r.customers.filter((c) => c.status === "failed");
                return failed.length ? (
                  <SpaceBetween size="xxxs">
                    {failed.map((c) => (
                      <span key={c.customer}>
                        <RouterLink href={`/customers/${encodeURIComponent(c.customer)}/reports?month=${r.month}`}>
                          {names.get(c.customer) ?? c.customer}
                        </RouterLink>
                        : {c.reason ?? "no reason recorded"}
                      </span>
                    ))}
                  </SpaceBetween>
                ) : (
                  <NoValue label="No customer failed" />
                );
              },
            },
          ]}
          empty={<TableEmpty query={runs}>No schedule runs recorded yet.</TableEmpty>}
        />
      </SpaceBetween>
    </ContentLayout>
  );
}
