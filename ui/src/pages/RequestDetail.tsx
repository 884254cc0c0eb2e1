import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useState } from "react";
import { useParams } from "react-router-dom";
import { useAccessRequest, useCancelRequest, useRequestAudit, type AccessRequest } from "../api/breakglass";
import { useMe } from "../api/hub";
import Countdown from "../breakglass/Countdown";
import DecisionModal from "../breakglass/DecisionModal";
import { when } from "../breakglass/format";
import GrantAccess from "../breakglass/GrantAccess";
import RevokeModal from "../breakglass/RevokeModal";
import StatusBadge from "../breakglass/StatusBadge";
import { Breadcrumbs, detailState } from "../components/DetailPage";
import ConfirmModal from "../components/ConfirmModal";
import ErrorAlert from "../components/ErrorAlert";
import TableEmpty from "../components/TableEmpty";
import { LongText, TicketRef } from "../components/LongText";
import { useDocumentTitle } from "../components/useDocumentTitle";
import {
  approvalProgress,
  canCancel,
  canDecide,
  canRevoke,
  canUseGrant,
  formatMinutes,
  roleList,
  type Caller,
  showsDecideBy,
} from "../lib/breakglass";
import { shownEnd } from "../lib/grants";

export default function RequestDetail() {
  const { id = "" } = useParams();
  const request = useAccessRequest(id);
  useDocumentTitle(request.data ? `Request for ${request.data.account_name}` : "Breakglass request");
  const crumbs = [
    { text: "My requests", href: "/breakglass/requests" },
    { text: request.data ? `Request for ${request.data.account_name}` : id, href: `/breakglass/requests/${encodeURIComponent(id)}` },
  ];
  const breadcrumbs = <Breadcrumbs items={crumbs} />;
  if (request.isPending || request.isError) {
    return detailState(request, {
      crumbs,
      loading: "Loading the request",
      title: "Breakglass request",
      back: { text: "Back to my requests", href: "/breakglass/requests" },
    });
  }
  return <Detail request={request.data} breadcrumbs={breadcrumbs} onRefresh={() => request.refetch()} />;
}

function Detail({ request: r, breadcrumbs, onRefresh }: { request: AccessRequest; breadcrumbs: React.ReactNode; onRefresh: () => void }) {
  const me = useMe();
  const caller: Caller | undefined = me.data;
  const cancel = useCancelRequest();
  const [deciding, setDeciding] = useState<"approve" | "reject">();
  const [revoking, setRevoking] = useState(false);
  const audit = useRequestAudit(r);
  const decide = canDecide(caller, r);
  const label = `${r.account_name} (${r.account_id})`;
  const end = shownEnd(r);
  const [confirmCancel, setConfirmCancel] = useState(false);

  return (
    <ContentLayout
      breadcrumbs={breadcrumbs}
      header={
        <Header
          variant="h1"
          description={
            <SpaceBetween direction="horizontal" size="xs">
              <StatusBadge status={r.status} />
              <span>{r.customer}</span>
              <span>·</span>
              <span>requested by {r.requester}</span>
            </SpaceBetween>
          }
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button iconName="refresh" ariaLabel="Refresh" onClick={onRefresh} />
              {canCancel(caller, r) ? (
                <Button loading={cancel.isPending} onClick={() => setConfirmCancel(true)}>
                  Cancel request
                </Button>
              ) : null}
              {decide ? (
                <>
                  <Button onClick={() => setDeciding("reject")}>Reject</Button>
                  <Button variant="primary" onClick={() => setDeciding("approve")}>
                    Approve
                  </Button>
                </>
              ) : null}
              {canRevoke(caller, r) ? <Button onClick={() => setRevoking(true)}>Revoke</Button> : null}
            </SpaceBetween>
          }
        >
          Request for {r.account_name}
        </Header>
      }
    >
      <SpaceBetween size="l">
        {cancel.isError && !confirmCancel ? <ErrorAlert error={cancel.error} header="The API refused to cancel" /> : null}
        <Container header={<Header variant="h2">Request</Header>}>
          <KeyValuePairs
            columns={3}
            items={[
              { label: "Account", value: label },
              { label: "Customer", value: r.customer },
              { label: r.sso ? "Permission set" : "Role", value: r.sso ? r.sso.permission_set : <Box variant="code"><span style={{ overflowWrap: "anywhere" }}>{r.role_arn}</span></Box> },
              { label: "Duration", value: formatMinutes(r.duration_minutes) },
              { label: "Justification", value: <LongText text={r.justification} /> },
              { label: "Ticket", value: <TicketRef ticket={r.ticket} max={60} /> },
              { label: "Created", value: when(r.created_at) },
              { label: "Start", value: r.starts_at ? when(r.starts_at) : "When approved" },
              ...(showsDecideBy(r) ? [{ label: "Decide by", value: when(r.approval_deadline) }] : []),
              { label: "Approvals", value: `${approvalProgress(r)} (${roleList(r.approver_roles)})` },
              { label: "Granted", value: when(r.granted_at) },
              {
                label: r.ended_at ? "Planned end" : "Ends at",
                value:
                  r.status === "active" && r.ends_at && !r.ended_at ? (
                    <SpaceBetween direction="horizontal" size="xs">
                      <span>{when(r.ends_at)}</span>
                      <Countdown endsAt={r.ends_at} onEnd={onRefresh} />
                    </SpaceBetween>
                  ) : (
                    when(r.ends_at)
                  ),
              },
              ...(r.ended_at ? [{ label: "Ended", value: `${when(r.ended_at)}${end.note ? ` (${end.note})` : ""}` }] : []),
              ...(r.sso ? [{ label: "Assignment", value: `${r.sso.assignment}${r.sso.failure ? `: ${JSON.stringify(r.sso.failure)}` : ""}` }] : []),
            ]}
          />
        </Container>
        {r.status === "active" && canUseGrant(caller, r) ? (
          <Container
            header={
              r.sso ? (
                <Header variant="h2" description="Sign in through the customer's AWS access portal while the grant lasts.">
                  How to use this access
                </Header>
              ) : (
                <Header variant="h2" description="Minted on demand, never stored.">
                  Credentials and console
                </Header>
              )
            }
          >
            <GrantAccess
              requestId={r.id}
              accountId={r.account_id}
              label={label}
              sso={r.sso ? { permissionSet: r.sso.permission_set, startUrl: r.sso.start_url, customer: r.customer } : null}
            />
          </Container>
        ) : null}
        <Table
          wrapLines
          variant="container"
          header={<Header variant="h2" counter={`(${r.decisions.length})`}>Decisions</Header>}
          items={r.decisions}
          trackBy={(d) => `${d.by}-${d.at}`}
          empty={<Box textAlign="center" color="text-body-secondary">No decisions yet.</Box>}
          columnDefinitions={[
            { id: "by", header: "Who", cell: (d) => d.by, isRowHeader: true },
            { id: "verdict", header: "Decision", cell: (d) => (d.verdict === "approve" ? "Approved" : "Rejected") },
            { id: "at", header: "When", cell: (d) => when(d.at) },
            { id: "comment", header: "Comment", cell: (d) => d.comment || "—" },
          ]}
        />
        <Table
          variant="container"
          header={<Header variant="h2" counter={`(${r.history.length})`}>History</Header>}
          items={r.history}
          trackBy={(h) => `${h.at}-${h.what}`}
          wrapLines
          columnDefinitions={[
            { id: "at", header: "When", cell: (h) => when(h.at), width: 200 },
            { id: "by", header: "Who", cell: (h) => h.by, width: 300 },
            { id: "what", header: "What", cell: (h) => h.what, isRowHeader: true },
          ]}
        />
        <Table
          variant="container"
          header={
            <Header
              variant="h2"
              counter={audit.data ? `(${audit.data.length})` : undefined}
              description="Every audit event of this request, whoever acted."
            >
              Audit trail
            </Header>
          }
          items={audit.data ?? []}
          loading={audit.isPending}
          loadingText="Loading the audit trail"
          trackBy="id"
          wrapLines
          empty={<TableEmpty query={audit}>No audit events.</TableEmpty>}
          columnDefinitions={[
            { id: "at", header: "When", cell: (e) => when(e.at), width: 200 },
            { id: "actor", header: "Who", cell: (e) => e.actor, width: 300 },
            { id: "action", header: "Action", cell: (e) => e.action.replace(/_/g, " "), isRowHeader: true },
            { id: "detail", header: "Detail", cell: (e) => e.detail || "—" },
            { id: "ip", header: "Source IP", cell: (e) => e.source_ip || "—" },
          ]}
        />
      </SpaceBetween>
      {deciding ? <DecisionModal request={r} decision={deciding} onClose={() => setDeciding(undefined)} /> : null}
      {confirmCancel ? (
        <ConfirmModal
          header={`Cancel your request for ${label}?`}
          confirmText="Cancel request"
          keepText="Keep request"
          busy={cancel.isPending}
          error={cancel.error}
          errorHeader="The API refused to cancel"
          onConfirm={() => cancel.mutate(r.id, { onSuccess: () => setConfirmCancel(false) })}
          onClose={() => {
            setConfirmCancel(false);
            cancel.reset();
          }}
        >
          The request is withdrawn: approvers can no longer approve it, and it never becomes active. To get access later, make a new
          request.
        </ConfirmModal>
      ) : null}
      {revoking ? <RevokeModal requestId={r.id} label={label} onClose={() => setRevoking(false)} /> : null}
    </ContentLayout>
  );
}
