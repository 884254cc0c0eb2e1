import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { useRef, useState } from "react";
import { useMe } from "../../api/hub";
import { useStartSync, useSyncRuns, type SourceOutcome, type SyncRun } from "../../api/utilisation";
import { when } from "../../breakglass/format";
import ErrorAlert from "../../components/ErrorAlert";
import RefreshButton from "../../components/RefreshButton";
import { isAdmin } from "../../components/RequireAdmin";
import RouterLink from "../../components/RouterLink";
import TableEmpty from "../../components/TableEmpty";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import RunTrigger from "../../components/RunTrigger";
import { LONG_TOKENS, NoWrap } from "../../components/Wrap";
import { count } from "../../lib/plural";
import { syncSummary } from "../../lib/utilisation";

/** Syncs of contracts (Salesforce) and worklogs (JIRA), newest first; admins sync now (`/utilisation/runs`). */
export default function SyncRunsPage() {
  useDocumentTitle("Utilisation sync runs");
  const runs = useSyncRuns();
  const me = useMe();
  const admin = isAdmin(me.data?.roles);
  const start = useStartSync();
  const [notice, setNotice] = useState<string>();
  const noticeRef = useRef<HTMLDivElement>(null);
  const items = runs.data ?? [];

  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="Each sync reads contracts from Salesforce and the worklogs changed since the last sync from JIRA; one source failing never stops the other. The daily schedule (05:00 UTC) runs one; admins can sync now."
          actions={
            <SpaceBetween direction="horizontal" size="xs" alignItems="center">
              {admin ? <RouterLink href="/utilisation/imports">CSV imports</RouterLink> : null}
              <RefreshButton query={runs} />
              {admin ? (
                <Button
                  variant="primary"
                  loading={start.isPending}
                  onClick={() =>
                    start.mutate(undefined, {
                      onSuccess: (run) => {
                        setNotice(syncSummary(run));
                        setTimeout(() => noticeRef.current?.focus(), 100);
                      },
                    })
                  }
                >
                  Sync now
                </Button>
              ) : null}
            </SpaceBetween>
          }
        >
          Sync runs
        </Header>
      }
    >
      <SpaceBetween size="s">
        <div ref={noticeRef} tabIndex={-1} role="status" aria-live="polite" style={{ outline: "none" }}>
          {notice && !start.isError ? <Box color="text-status-success">{notice}</Box> : null}
        </div>
        {start.isError ? <ErrorAlert error={start.error} header="Not synced" /> : null}
        <Table<SyncRun>
          wrapLines
          variant="container"
          trackBy="id"
          items={items}
          loading={runs.isPending}
          loadingText="Loading sync runs"
          ariaLabels={{ tableLabel: "Sync runs" }}
          header={
            <Header variant="h2" counter={runs.data ? `(${items.length})` : undefined} description="The latest 50.">
              Recent runs
            </Header>
          }
          columnDefinitions={[
            {
              id: "started",
              header: "Started",
              isRowHeader: true,
              cell: (r) => (
                <SpaceBetween size="xxxs">
                  <NoWrap>{when(r.started_at)}</NoWrap>
                  <Box variant="small" color="text-body-secondary">
                    took {duration(r.started_at, r.finished_at)}
                  </Box>
                </SpaceBetween>
              ),
              width: 170,
            },
            {
              id: "trigger",
              header: "Trigger",
              cell: (r) => <RunTrigger trigger={r.trigger} action="Sync now" />,
              width: 250,
            },
            {
              id: "contracts",
              header: "Contracts (Salesforce)",
              cell: (r) => (
                <Source outcome={r.contracts}>
                  {r.contracts_written.created} created, {r.contracts_written.updated} updated, {r.contracts_written.unchanged}{" "}
                  unchanged
                  {r.contracts_written.changes ? `; ${count(r.contracts_written.changes, "entitlement change")}` : ""}
                  {r.unknown_customers.length ? (
                    <Box fontSize="body-s" color="text-status-warning">
                      <span style={LONG_TOKENS}>Skipped, customer not in the hub: {r.unknown_customers.join(", ")}</span>
                    </Box>
                  ) : null}
                </Source>
              ),
            },
            {
              id: "worklogs",
              header: "Worklogs (JIRA)",
              cell: (r) => (
                <Source outcome={r.worklogs}>
                  {count(r.worklogs_written, "worklog")} written
                  {r.worklogs_deleted ? `, ${r.worklogs_deleted.toLocaleString()} deleted` : ""}
                  <Box fontSize="body-s" color="text-body-secondary">
                    Changed since {when(r.worklogs_since)}
                  </Box>
                </Source>
              ),
            },
          ]}
          empty={
            <TableEmpty query={runs}>
              <SpaceBetween size="xxs">
                <b>No sync runs yet</b>
                <span>The daily schedule runs one{admin ? "; Sync now runs one at once" : ""}.</span>
              </SpaceBetween>
            </TableEmpty>
          }
        />
      </SpaceBetween>
    </ContentLayout>
  );
}

/** One source's outcome: its status, what was written, its error and rejected records. */
function Source({ outcome: o, children }: { outcome: SourceOutcome; children: React.ReactNode }) {
  const ok = o.status === "ok";
  return (
    <SpaceBetween size="xxxs">
      <StatusIndicator type={ok ? "success" : "error"} wrapText={false}>
        {ok ? "OK" : "Failed"}
        {o.requests ? ` · ${count(o.requests, "request")}` : ""}
      </StatusIndicator>
      {o.error ? (
        <Box variant="small" color="text-status-error">
          <span style={LONG_TOKENS}>{o.error}</span>
        </Box>
      ) : null}
      <Box fontSize="body-s">{children}</Box>
      {o.rejected.length ? (
        <Box variant="small" color="text-status-warning">
          <span style={LONG_TOKENS}>
            {count(o.rejected.length, "record")} rejected:{" "}
            {o.rejected
              .slice(0, 3)
              .map((x) => `${x.id} (${x.reason})`)
              .join("; ")}
            {o.rejected.length > 3 ? `; and ${o.rejected.length - 3} more` : ""}
          </span>
        </Box>
      ) : null}
    </SpaceBetween>
  );
}

function duration(from: string, to: string): string {
  const ms = new Date(to).getTime() - new Date(from).getTime();
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return "under a second";
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}
