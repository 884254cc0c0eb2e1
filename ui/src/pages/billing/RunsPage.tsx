import Box from "@cloudscape-design/components/box";
import Button, { type ButtonProps } from "@cloudscape-design/components/button";
import ContentLayout from "@cloudscape-design/components/content-layout";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { useBillingOverview, useRuns, useStartRun, type BillingRun } from "../../api/billing";
import FetchLines from "../../billing/FetchLines";
import { useMe } from "../../api/hub";
import { when } from "../../breakglass/format";
import ErrorAlert from "../../components/ErrorAlert";
import FormModal from "../../components/FormModal";
import { loadMoreFooter } from "../../components/loadMoreFooter";
import RefreshButton from "../../components/RefreshButton";
import { isAdmin } from "../../components/RequireAdmin";
import TableEmpty from "../../components/TableEmpty";
import { useAttemptError } from "../../components/useAttemptError";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import { usePagedItems } from "../../components/usePagedItems";
import { formatMoney } from "../../lib/billing";
import { count } from "../../lib/plural";
import RunTrigger from "../../components/RunTrigger";
import { NoWrap } from "../../components/Wrap";



/** Cost Explorer fetch runs, newest first; admins fetch one customer now (all customers: the daily schedule). */
export default function RunsPage() {
  useDocumentTitle("Billing fetch runs");
  const runs = useRuns();
  const items = usePagedItems(runs.data);
  const me = useMe();
  const admin = isAdmin(me.data?.roles);
  // "Fetch costs now" on a customer's billing comes here with ?customer=: the dialog opens for it.
  const [params, setParams] = useSearchParams();
  const preset = params.get("customer") ?? "";
  const [asking, setAsking] = useState(false);
  useEffect(() => {
    if (admin && preset) setAsking(true);
  }, [admin, preset]);
  const closeDialog = () => {
    setAsking(false);
    if (preset) setParams({}, { replace: true });
  };
  const [notice, setNotice] = useState<string>();
  const noticeRef = useRef<HTMLDivElement>(null);
  const fetchRef = useRef<ButtonProps.Ref>(null);
  const [focusNotice, setFocusNotice] = useState(false);
  useEffect(() => {
    if (asking || !focusNotice) return;
    const timer = setTimeout(() => {
      setFocusNotice(false);
      noticeRef.current?.focus();
    }, 100);
    return () => clearTimeout(timer);
  }, [asking, focusNotice]);

  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="Each run reads Cost Explorer (every request is billed: USD 0.01) and the organisation for each customer's management account, then looks for cost anomalies. The daily schedule runs one; admins can fetch now."
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <RefreshButton query={runs} />
              {admin ? (
                <Button ref={fetchRef} variant="primary" onClick={() => setAsking(true)}>
                  Fetch now
                </Button>
              ) : null}
            </SpaceBetween>
          }
        >
          Fetch runs
        </Header>
      }
    >
      <SpaceBetween size="s">
        <div ref={noticeRef} tabIndex={-1} role="status" aria-live="polite" style={{ outline: "none" }}>
          {notice ? <Box color="text-status-success">{notice}</Box> : null}
        </div>
        <Table<BillingRun>
          wrapLines
          variant="container"
          trackBy="id"
          items={items}
          loading={runs.isPending}
          loadingText="Loading fetch runs"
          header={
            <Header variant="h2" counter={runs.isSuccess ? `(${items.length}${runs.hasNextPage ? "+" : ""})` : undefined}>
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
                    {r.finished_at ? `took ${duration(r.started_at, r.finished_at)}` : "not finished"}
                  </Box>
                </SpaceBetween>
              ),
              width: 150,
            },
            {
              id: "trigger",
              header: "Trigger",
              cell: (r) => <RunTrigger trigger={r.trigger} action="Fetch now" />,
              width: 200,
            },
            {
              id: "customers",
              header: "Customers",
              cell: (r) => <FetchLines fetches={r.customers} />,

            },
            {
              id: "requests",
              header: "Cost Explorer requests",
              cell: (r) => `${r.requests} (${formatMoney(r.cost_usd, "USD")})`,
              width: 110,
            },
            {
              id: "cells",
              header: "Cells written",
              cell: (r) => r.cells_written.toLocaleString(),
              width: 90,
            },
            {
              id: "outcome",
              header: "Outcome",
              cell: (r) =>
                r.failed ? (
                  <StatusIndicator type="error" wrapText={false}>
                    {r.failed} failed
                  </StatusIndicator>
                ) : r.skipped ? (
                  <StatusIndicator type="stopped" wrapText={false}>
                    {r.skipped} skipped
                  </StatusIndicator>
                ) : (
                  <StatusIndicator type="success" wrapText={false}>
                    All fetched
                  </StatusIndicator>
                ),
              // "All fetched" with its icon on one line.
              width: 140,
            },
          ]}
          empty={
            <TableEmpty query={runs}>
              <SpaceBetween size="xxs">
                <b>No fetch runs yet</b>
                <span>The daily schedule runs one{admin ? "; Fetch now runs one at once" : ""}.</span>
              </SpaceBetween>
            </TableEmpty>
          }
          footer={loadMoreFooter(runs, "Load more runs")}
        />
      </SpaceBetween>
      {asking ? (
        <FetchNowModal
          initial={preset}
          onClose={() => {
            closeDialog();
            // Opened from the address, no button had focus: give it to Fetch now.
            setTimeout(() => fetchRef.current?.focus(), 0);
          }}
          onDone={(message) => {
            closeDialog();
            setNotice(message);
            setFocusNotice(true);
          }}
        />
      ) : null}
    </ContentLayout>
  );
}

function duration(from: string, to: string): string {
  const ms = new Date(to).getTime() - new Date(from).getTime();
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return "under a second";
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

function FetchNowModal({
  initial,
  onClose,
  onDone,
}: {
  initial: string;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const overview = useBillingOverview();
  const options = useMemo(
    () =>
      (overview.data?.customers ?? [])
        .filter((c) => c.status !== "offboarded")
        .map((c) => ({ value: c.customer, label: c.name, description: c.customer })),
    [overview.data],
  );
  const [customer, setCustomer] = useState(initial);
  const start = useStartRun();
  const [shownError, edited] = useAttemptError(start.error);
  const [missing, setMissing] = useState(false);
  const selected = options.find((o) => o.value === customer) ?? (customer ? { value: customer, label: customer } : null);
  const submit = () => {
    if (!customer) {
      setMissing(true);
      return;
    }
    start.mutate(customer, {
      onSuccess: (run) => {
        const one = run.customers.length === 1 && run.customers[0]?.reason ? ` (${run.customers[0].reason})` : "";
        onDone(
          `Fetch for ${selected?.label ?? customer} done: ${run.customers.length - run.failed - run.skipped} fetched, ${run.skipped} skipped${one}, ${run.failed} failed; ${count(run.requests, "Cost Explorer request")} (${formatMoney(run.cost_usd, "USD")}).`,
        );
      },
    });
  };
  return (
    <FormModal header="Fetch costs now" onClose={onClose} onSubmit={submit} submitText="Fetch now" submitting={start.isPending}>
      <SpaceBetween size="m">
        <FormField
          label="Customer"
          description="A customer fetched today re-fetches only its last few days; a first fetch backfills the last 90 days by default (the server's CC_BILLING_BACKFILL_DAYS). Every customer is fetched by the daily schedule."
          errorText={missing && !customer ? "Choose a customer" : undefined}
        >
          <Select
            selectedOption={selected}
            placeholder="Choose a customer"
            options={options}
            filteringType="auto"
            statusType={overview.isPending ? "loading" : "finished"}
            loadingText="Loading customers"
            onChange={({ detail }) => {
              edited();
              setMissing(false);
              setCustomer(detail.selectedOption.value ?? "");
            }}
          />
        </FormField>
        <Box color="text-body-secondary">
          Each Cost Explorer request is billed (USD 0.01). The dialog waits until the run is done.
        </Box>
        {shownError ? <ErrorAlert error={shownError} header="Not fetched" /> : null}
      </SpaceBetween>
    </FormModal>
  );
}
