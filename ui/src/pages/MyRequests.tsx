import Button from "@cloudscape-design/components/button";
import Header from "@cloudscape-design/components/header";
import SegmentedControl from "@cloudscape-design/components/segmented-control";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useNavigate } from "react-router-dom";
import { useAccessRequests } from "../api/breakglass";
import Countdown from "../breakglass/Countdown";
import { when } from "../breakglass/format";
import StatusBadge from "../breakglass/StatusBadge";
import { useScope } from "../breakglass/useScope";
import RefreshButton from "../components/RefreshButton";
import { TicketRef } from "../components/LongText";
import RouterLink from "../components/RouterLink";
import TableEmpty from "../components/TableEmpty";
import { useDocumentTitle } from "../components/useDocumentTitle";
import { formatMinutes } from "../lib/breakglass";
import { shownEnd } from "../lib/grants";

/** My requests (every status, newest first), or everyone's open ones for leads and admins. */
export default function MyRequests() {
  const navigate = useNavigate();
  const { seesAll, scope, setScope } = useScope();
  useDocumentTitle(scope === "all" ? "Open requests" : "My requests");
  const requests = useAccessRequests(scope);
  const items = requests.data ?? [];
  return (
    <Table
      variant="full-page"
      trackBy="id"
      header={
        <Header
          variant="awsui-h1-sticky"
          counter={requests.data ? `(${items.length})` : undefined}
          description={scope === "all" ? "Everyone's pending, approved and active requests." : "Your breakglass requests, newest first."}
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              {seesAll ? (
                <SegmentedControl
                  label="Whose requests"
                  selectedId={scope}
                  onChange={({ detail }) => setScope(detail.selectedId)}
                  options={[
                    { id: "mine", text: "Mine" },
                    { id: "all", text: "Everyone's open" },
                  ]}
                />
              ) : null}
              <RefreshButton query={requests} />
              <Button variant="primary" onClick={() => navigate("/breakglass/request")}>
                Request access
              </Button>
            </SpaceBetween>
          }
        >
          {scope === "all" ? "Open requests" : "My requests"}
        </Header>
      }
      items={items}
      loading={requests.isPending}
      loadingText="Loading requests"
      wrapLines
      empty={
        <TableEmpty query={requests}>
          <SpaceBetween size="xs">
            <b>No requests</b>
            <RouterLink href="/breakglass/request">Request breakglass access</RouterLink>
          </SpaceBetween>
        </TableEmpty>
      }
      columnDefinitions={[
        {
          id: "account",
          header: "Account",
          isRowHeader: true,
          cell: (r) => (
            <RouterLink href={`/breakglass/requests/${encodeURIComponent(r.id)}`} ariaLabel={`Request for ${r.account_name}, ${r.status}, created ${when(r.created_at)}`}>
              {r.account_name}
            </RouterLink>
          ),
        },
        { id: "id", header: "Account id", cell: (r) => r.account_id },
        { id: "customer", header: "Customer", cell: (r) => r.customer },
        { id: "ticket", header: "Ticket", maxWidth: 220, cell: (r) => <TicketRef ticket={r.ticket} max={28} /> },
        ...(scope === "all" ? [{ id: "requester", header: "Requester", cell: (r: (typeof items)[number]) => <span style={{ overflowWrap: "anywhere" }}>{r.requester}</span> }] : []),
        { id: "status", header: "Status", cell: (r) => <StatusBadge status={r.status} /> },
        { id: "duration", header: "Duration", cell: (r) => formatMinutes(r.duration_minutes) },
        { id: "created", header: "Created", cell: (r) => when(r.created_at) },
        {
          id: "ends",
          header: "Ends or ended",
          cell: (r) => {
            if (r.status === "active" && r.ends_at && !r.ended_at)
              return (
                <SpaceBetween direction="horizontal" size="xs">
                  <span>Ends {when(r.ends_at)}</span>
                  <Countdown endsAt={r.ends_at} onEnd={() => requests.refetch()} />
                </SpaceBetween>
              );
            const end = shownEnd(r);
            if (!end.at) return "—";
            return `${end.label} ${when(end.at)}${end.note ? ` (${end.note})` : ""}`;
          },
        },
      ]}
    />
  );
}
