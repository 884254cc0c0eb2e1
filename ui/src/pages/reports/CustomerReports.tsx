import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { lazy, Suspense, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { useMe } from "../../api/hub";
import { useCustomerReports, useReportVersions, type MonthReports, type ReportVersion } from "../../api/reports";
import { when } from "../../breakglass/format";
import CustomerSection from "../../components/CustomerSection";
import NoValue from "../../components/NoValue";
import RouterLink from "../../components/RouterLink";
import TableEmpty from "../../components/TableEmpty";
import { LONG_TOKENS } from "../../components/Wrap";
import { builtBy, mayBuild, monthName, sectionsCount } from "../../lib/reports";
import CompareVersions from "../../reports/CompareVersions";
import DownloadButtons from "../../reports/DownloadButtons";
import ReportFrame from "../../reports/ReportFrame";
import SectionList from "../../reports/SectionList";

// The build dialog carries the markdown renderer and sanitiser (marked, DOMPurify): loaded when it opens.
const BuildModal = lazy(() => import("../../reports/BuildModal"));

/**
 * A customer's monthly reports (`/customers/{code}/reports`): its months, the chosen month's
 * versions (who built each, when, why, which sections had data, downloads), one version's page
 * inline, a comparison of two versions, and building a new version. The month, the version shown
 * and the pair compared live in the address (`?month=&version=&from=&to=`).
 */
export default function CustomerReports() {
  return (
    <CustomerSection label="Reports" segment="reports" back={{ text: "Back to reports", href: "/reports" }}>
      {(code, name, breadcrumbs) => <Reports code={code} name={name} breadcrumbs={breadcrumbs} />}
    </CustomerSection>
  );
}

function Reports({ code, name, breadcrumbs }: { code: string; name: string; breadcrumbs: React.ReactNode }) {
  const me = useMe();
  const canBuild = mayBuild(me.data, code);
  const months = useCustomerReports(code);
  const [params, setParams] = useSearchParams();
  const month = params.get("month") ?? months.data?.[0]?.month;
  const versions = useReportVersions(code, month);
  const shownParam = Number(params.get("version"));
  const shown = versions.data?.find((v) => v.version === shownParam) ?? versions.data?.[0];
  const [building, setBuilding] = useState(false);
  const [built, setBuilt] = useState<ReportVersion>();

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

  return (
    <ContentLayout
      breadcrumbs={breadcrumbs}
      header={
        <Header
          variant="h1"
          description="Each month's report as the customer receives it. Rebuilding adds a version; older versions stay and can be downloaded."
          actions={
            <SpaceBetween direction="horizontal" size="m" alignItems="center">
              <RouterLink href={`/customers/${encodeURIComponent(code)}`}>Customer details</RouterLink>
              {canBuild ? (
                <Button variant="primary" onClick={() => setBuilding(true)}>
                  Build a new version
                </Button>
              ) : null}
            </SpaceBetween>
          }
        >
          <span style={LONG_TOKENS}>{name}: reports</span>
        </Header>
      }
    >
      <SpaceBetween size="l">
        {built ? (
          <Alert type="success" dismissible onDismiss={() => setBuilt(undefined)} header={`Version ${built.version} of ${monthName(built.month)} built`}>
            {sectionsCount(built.sections)}. It is shown below; earlier versions are kept.
          </Alert>
        ) : null}
        <Table<MonthReports>
          variant="container"
          wrapLines
          trackBy="month"
          items={months.data ?? []}
          loading={months.isPending}
          loadingText="Loading the months"
          ariaLabels={{ tableLabel: `${name}'s report months` }}
          header={
            <Header variant="h2" counter={months.data ? `(${months.data.length})` : undefined} description="Newest first.">
              Months
            </Header>
          }
          columnDefinitions={[
            {
              id: "month",
              header: "Month",
              isRowHeader: true,
              cell: (m) =>
                m.month === month ? (
                  <Box variant="strong">{monthName(m.month)} (shown)</Box>
                ) : (
                  <RouterLink href={`/customers/${encodeURIComponent(code)}/reports?month=${m.month}`}>{monthName(m.month)}</RouterLink>
                ),
            },
            { id: "versions", header: "Versions", cell: (m) => m.versions },
            {
              id: "latest",
              header: "Newest version",
              cell: (m) => `v${m.latest.version}, ${when(m.latest.built_at)} by ${builtBy(m.latest.trigger)}`,
            },
            { id: "sections", header: "Sections", cell: (m) => sectionsCount(m.latest.sections) },
          ]}
          empty={
            <TableEmpty query={months}>
              No reports yet. The monthly schedule builds last month's report early in the month
              {canBuild ? ", or build one now" : ""}.
            </TableEmpty>
          }
        />

        {month ? (
          <Table<ReportVersion>
            variant="container"
            wrapLines
            trackBy="version"
            items={versions.data ?? []}
            loading={versions.isPending}
            loadingText="Loading the versions"
            ariaLabels={{ tableLabel: `Versions of ${monthName(month)}` }}
            header={
              <Header
                variant="h2"
                counter={versions.data ? `(${versions.data.length})` : undefined}
                description="Newest first: who or what built each version, when and why, and which sections had data."
              >
                Versions of {monthName(month)}
              </Header>
            }
            columnDefinitions={[
              {
                id: "version",
                header: "Version",
                isRowHeader: true,
                minWidth: 130,
                cell: (v) =>
                  v.version === shown?.version ? (
                    <Box variant="strong">Version {v.version} (shown)</Box>
                  ) : (
                    <Button variant="inline-link" onClick={() => setAddress({ month, version: String(v.version) })}>
                      Show version {v.version}
                    </Button>
                  ),
              },
              {
                id: "built",
                header: "Built",
                minWidth: 210,
                cell: (v) => (
                  <SpaceBetween size="xxxs">
                    <span>{when(v.built_at)}</span>
                    <Box variant="small" color="text-body-secondary">
                      by {builtBy(v.trigger)}
                    </Box>
                  </SpaceBetween>
                ),
              },
              {
                id: "reason",
                header: "Why",
                // A long word (a pasted URL or ticket list) wraps inside the cell, not past the table.
                cell: (v) => (v.reason ? <span style={{ overflowWrap: "anywhere" }}>{v.reason}</span> : <NoValue label="No reason given" />),
              },
              {
                id: "summary",
                header: "Summary",
                cell: (v) => (v.summary ? `${[...v.summary].length.toLocaleString("en-GB")} characters` : <NoValue label="No summary" />),
              },
              { id: "sections", header: "Sections", cell: (v) => <SectionList sections={v.sections} /> },
              {
                id: "downloads",
                header: "Download",
                minWidth: 120,
                cell: (v) => <DownloadButtons version={v} compact />,
              },
            ]}
            empty={<TableEmpty query={versions}>No versions of this month.</TableEmpty>}
          />
        ) : null}

        {month && shown ? (
          <Container
            header={
              <Header
                variant="h2"
                description={`Built ${when(shown.built_at)} by ${builtBy(shown.trigger)}: ${shown.reason}. Shown as the customer sees it; links and scripts do nothing here.`}
                actions={<DownloadButtons version={shown} />}
              >
                {monthName(month)}, version {shown.version}
              </Header>
            }
          >
            <ReportFrame customer={code} month={month} version={shown.version} title={`${name}'s report for ${monthName(month)}, version ${shown.version}`} />
          </Container>
        ) : null}

        {month && versions.data ? (
          <CompareVersions
            customer={code}
            month={month}
            versions={versions.data}
            from={params.get("from")}
            to={params.get("to")}
            onChange={(from, to) => setAddress({ from: String(from), to: String(to) })}
          />
        ) : null}
      </SpaceBetween>

      {building ? (
        <Suspense fallback={null}>
          <BuildModal
            customer={code}
            name={name}
            month={month}
            onClose={() => setBuilding(false)}
            onBuilt={(v) => {
              setBuilding(false);
              setBuilt(v);
              setAddress({ month: v.month, version: String(v.version), from: undefined, to: undefined });
            }}
            latestSummary={(m) => (m === month ? versions.data?.[0]?.summary ?? "" : months.data?.find((x) => x.month === m)?.latest.summary ?? "")}
          />
        </Suspense>
      ) : null}
    </ContentLayout>
  );
}
