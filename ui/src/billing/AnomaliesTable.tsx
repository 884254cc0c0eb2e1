import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import { useEffect, useRef, useState } from "react";
import type { StoredAnomaly } from "../api/billing";
import { when } from "../breakglass/format";
import RouterLink from "../components/RouterLink";
import NoValue from "../components/NoValue";
import { formatMoney, KIND_DESCRIPTION, KIND_LABEL } from "../lib/billing";
import AnomalyModal, { anomalyButtonLabel, type AnomalyAction } from "./AnomalyModal";
import { Email, LONG_TOKENS, NoWrap } from "../components/Wrap";

const STATUS: Record<StoredAnomaly["status"], { type: "warning" | "info" | "success"; label: string }> = {
  open: { type: "warning", label: "Open" },
  acknowledged: { type: "info", label: "Acknowledged" },
  resolved: { type: "success", label: "Resolved" },
};

/**
 * Cost anomalies with Acknowledge and Resolve. After either, a line says what was done and takes focus
 * (the row may leave the list). `accountNames` names the accounts the hub knows; `showCustomer` adds a
 * column linking each customer's billing.
 */
export default function AnomaliesTable({
  items,
  loading,
  header,
  empty,
  footer,
  showCustomer,
  accountNames,
  customerNames,
}: {
  items: StoredAnomaly[];
  loading: boolean;
  header: React.ReactNode;
  empty: React.ReactNode;
  footer?: React.ReactNode;
  showCustomer?: boolean;
  accountNames?: Map<string, string>;
  customerNames?: Map<string, string>;
}) {
  const [acting, setActing] = useState<{ anomaly: StoredAnomaly; action: AnomalyAction }>();
  const [notice, setNotice] = useState<string>();
  const noticeRef = useRef<HTMLDivElement>(null);
  const [focusNotice, setFocusNotice] = useState(false);
  useEffect(() => {
    if (acting || !focusNotice) return;
    // After the dialog has handed focus back to the row's button (which may be gone with its row).
    const timer = setTimeout(() => {
      setFocusNotice(false);
      noticeRef.current?.focus();
    }, 100);
    return () => clearTimeout(timer);
  }, [acting, focusNotice]);

  const columns: TableProps.ColumnDefinition<StoredAnomaly>[] = [
    {
      id: "kind",
      header: showCustomer ? "Anomaly and customer" : "Anomaly",
      isRowHeader: true,
      cell: (a) => (
        <SpaceBetween size="xxxs">
          <span title={KIND_DESCRIPTION[a.finding.kind]}>
            <Box variant="strong">{KIND_LABEL[a.finding.kind]}</Box>
          </span>
          {showCustomer ? (
            <RouterLink href={`/customers/${encodeURIComponent(a.customer)}/billing`}>
              {customerNames?.get(a.customer) ?? a.customer}
            </RouterLink>
          ) : null}
        </SpaceBetween>
      ),
      width: 150,
    },
    {
      id: "where",
      header: "Account and service",
      cell: (a) => (
        <SpaceBetween size="xxxs">
          <span>{a.service}</span>
          <Box variant="small" color="text-body-secondary">
            {accountNames?.get(a.account) ? `${accountNames.get(a.account)} · ` : ""}
            {a.account}
          </Box>
        </SpaceBetween>
      ),
      // Room for a service name and "name · account id" in two lines each at most.
      width: 220,
    },
    {
      id: "days",
      header: "Days",
      cell: (a) => (
        <SpaceBetween size="xxxs">
          <span>
            <NoWrap>{a.finding.first_day}</NoWrap> – <NoWrap>{a.finding.last_day}</NoWrap>
          </span>
          <Box variant="small" color="text-body-secondary">
            raised for <NoWrap>{a.finding.detected_on}</NoWrap>
          </Box>
        </SpaceBetween>
      ),
      width: 130,
    },
    {
      id: "impact",
      header: "Impact",
      cell: (a) => (
        <SpaceBetween size="xxxs">
          <Box variant="strong">{formatMoney(a.finding.impact, a.currency)}</Box>
          <Box variant="small" color="text-body-secondary">
            a day: {formatMoney(a.finding.expected, a.currency)} expected, {formatMoney(a.finding.actual, a.currency)} actual
          </Box>
        </SpaceBetween>
      ),
      width: 170,
    },
    {
      id: "status",
      header: "Status and notes",
      cell: (a) => (
        <SpaceBetween size="xxs">
          <StatusIndicator type={STATUS[a.status].type}>{STATUS[a.status].label}</StatusIndicator>
          {a.acknowledged ? <Transition what="Acknowledged" t={a.acknowledged} /> : null}
          {a.resolved ? <Transition what="Resolved" t={a.resolved} /> : null}
        </SpaceBetween>
      ),
    },
    {
      id: "actions",
      header: "Actions",
      cell: (a) =>
        a.status === "resolved" ? (
          <NoValue label="No action: resolved" />
        ) : (
          <SpaceBetween size="xs">
            {a.status === "open" ? (
              <Button
                ariaLabel={anomalyButtonLabel("Acknowledge", a)}
                onClick={() => setActing({ anomaly: a, action: "acknowledge" })}
              >
                Acknowledge
              </Button>
            ) : null}
            <Button ariaLabel={anomalyButtonLabel("Resolve", a)} onClick={() => setActing({ anomaly: a, action: "resolve" })}>
              Resolve
            </Button>
          </SpaceBetween>
        ),
      // Room for "Acknowledge" on one line (the cell's padding takes about 40 px).
      width: 200,
    },
  ];

  return (
    <SpaceBetween size="s">
      <div ref={noticeRef} tabIndex={-1} role="status" aria-live="polite" style={{ outline: "none" }}>
        {notice ? <Box color="text-status-success">{notice}</Box> : null}
      </div>
      <Table<StoredAnomaly>
        wrapLines
        variant="container"
        trackBy="id"
        items={items}
        loading={loading}
        loadingText="Loading anomalies"
        header={header}
        empty={empty}
        footer={footer}
        columnDefinitions={columns}
      />
      {acting ? (
        <AnomalyModal
          anomaly={acting.anomaly}
          action={acting.action}
          onClose={() => setActing(undefined)}
          onDone={(message) => {
            setActing(undefined);
            setNotice(message);
            setFocusNotice(true);
          }}
        />
      ) : null}
    </SpaceBetween>
  );
}

function Transition({ what, t }: { what: string; t: { by: string; at: string; note: string } }) {
  return (
    <Box variant="small">
      {what} by <Email address={t.by} />, <NoWrap>{when(t.at)}</NoWrap>
      {t.note ? (
        <>
          {": "}
          <span style={LONG_TOKENS}>“{t.note}”</span>
        </>
      ) : null}
    </Box>
  );
}
