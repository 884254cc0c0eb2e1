import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useState } from "react";
import { useAccessRequests, type AccessRequest } from "../api/breakglass";
import { useMe } from "../api/hub";
import DecisionModal from "../breakglass/DecisionModal";
import { when } from "../breakglass/format";
import RefreshButton from "../components/RefreshButton";
import AccountCell from "../breakglass/AccountCell";
import { LongText, TicketRef } from "../components/LongText";
import RouterLink from "../components/RouterLink";
import TableEmpty from "../components/TableEmpty";
import { useDocumentTitle } from "../components/useDocumentTitle";
import { approvalProgress, canDecide, formatMinutes } from "../lib/breakglass";

/** Requests of others that I may decide, soonest deadline first (the API's `scope=to-approve`). */
export default function Approvals() {
  useDocumentTitle("Waiting for my approval");
  const me = useMe();
  const requests = useAccessRequests("to-approve");
  const [deciding, setDeciding] = useState<{ request: AccessRequest; decision: "approve" | "reject" }>();
  const caller = me.data;
  const items = requests.data ?? [];
  return (
    <>
      <Table
        variant="full-page"
        trackBy="id"
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={requests.data ? `(${items.length})` : undefined}
            description="Other people's requests you may approve, soonest deadline first."
            actions={<RefreshButton query={requests} />}
          >
            Waiting for my approval
          </Header>
        }
        items={items}
        loading={requests.isPending}
        loadingText="Loading requests"
        empty={
          <TableEmpty query={requests}>
            <b>Nothing is waiting for you</b>
          </TableEmpty>
        }
        wrapLines
        columnDefinitions={[
          {
            id: "requester",
            header: "Requester",
            width: 170,
            isRowHeader: true,
            cell: (r) => (
              <span style={{ overflowWrap: "anywhere" }}>
                <RouterLink href={`/breakglass/requests/${encodeURIComponent(r.id)}`} ariaLabel={`${r.requester}'s request for ${r.account_name}`}>
                  {r.requester}
                </RouterLink>
              </span>
            ),
          },
          { id: "account", header: "Account", width: 190, cell: (r) => <AccountCell request={r} /> },
          {
            id: "justification",
            header: "Justification",
            width: 320,
            // Browsers take a column width only as a hint: the cell's own minimum keeps the text readable.
            cell: (r) => (
              <div style={{ minWidth: 240 }}>
                <LongText text={r.justification} max={140} />
              </div>
            ),
          },
          { id: "ticket", header: "Ticket", minWidth: 130, maxWidth: 220, cell: (r) => <TicketRef ticket={r.ticket} max={32} /> },
          { id: "duration", header: "Duration", cell: (r) => formatMinutes(r.duration_minutes) },
          { id: "progress", header: "Approvals", cell: (r) => approvalProgress(r) },
          { id: "deadline", header: "Decide by", minWidth: 120, cell: (r) => when(r.approval_deadline) },
          {
            id: "actions",
            header: "Actions",
            minWidth: 150,
            cell: (r) =>
              // The API answers 403 for the requester; never offer it the buttons either.
              canDecide(caller, r) ? (
                <SpaceBetween direction="horizontal" size="xs">
                  <Button ariaLabel={`Approve ${r.requester}'s request for ${r.account_name}`} onClick={() => setDeciding({ request: r, decision: "approve" })}>
                    Approve
                  </Button>
                  <Button ariaLabel={`Reject ${r.requester}'s request for ${r.account_name}`} onClick={() => setDeciding({ request: r, decision: "reject" })}>
                    Reject
                  </Button>
                </SpaceBetween>
              ) : (
                <Box color="text-body-secondary">—</Box>
              ),
          },
        ]}
      />
      {deciding ? (
        <DecisionModal request={deciding.request} decision={deciding.decision} onClose={() => setDeciding(undefined)} />
      ) : null}
    </>
  );
}
