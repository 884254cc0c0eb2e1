import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import ExpandableSection from "@cloudscape-design/components/expandable-section";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SegmentedControl from "@cloudscape-design/components/segmented-control";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { useSessions, type Session } from "../api/breakglass";
import Countdown from "../breakglass/Countdown";
import { when } from "../breakglass/format";
import GrantAccess from "../breakglass/GrantAccess";
import RevokeModal from "../breakglass/RevokeModal";
import { useScope } from "../breakglass/useScope";
import ErrorAlert from "../components/ErrorAlert";
import PageLoading from "../components/PageLoading";
import RefreshButton from "../components/RefreshButton";
import RouterLink from "../components/RouterLink";
import { useDocumentTitle } from "../components/useDocumentTitle";
import { canRevoke, canUseGrant, type Caller } from "../lib/breakglass";

/** Active grants with a live countdown, credentials, a console link and revoke. */
export default function Sessions() {
  const navigate = useNavigate();
  const { me, seesAll, scope, setScope } = useScope();
  useDocumentTitle(scope === "all" ? "All active sessions" : "My active sessions");
  const sessions = useSessions(scope);
  const [revoking, setRevoking] = useState<Session>();

  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          counter={sessions.data ? `(${sessions.data.length})` : undefined}
          description="Breakglass grants that are active now. Credentials are minted when you ask and never stored."
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              {seesAll ? (
                <SegmentedControl
                  label="Whose sessions"
                  selectedId={scope}
                  onChange={({ detail }) => setScope(detail.selectedId)}
                  options={[
                    { id: "mine", text: "Mine" },
                    { id: "all", text: "Everyone's" },
                  ]}
                />
              ) : null}
              <RefreshButton query={sessions} />
              <Button onClick={() => navigate("/breakglass/request")}>Request access</Button>
            </SpaceBetween>
          }
        >
          {scope === "all" ? "All active sessions" : "My active sessions"}
        </Header>
      }
    >
      {sessions.isPending ? (
        <PageLoading text="Loading sessions" />
      ) : sessions.isError ? (
        <ErrorAlert error={sessions.error} onRetry={() => sessions.refetch()} />
      ) : sessions.data.length === 0 ? (
        <Container>
          <Box textAlign="center" color="text-body-secondary" padding="l">
            <SpaceBetween size="xs">
              <b>No active sessions</b>
              <RouterLink href="/breakglass/request">Request breakglass access</RouterLink>
            </SpaceBetween>
          </Box>
        </Container>
      ) : (
        <SpaceBetween size="l">
          {sessions.data.map((s) => (
            <SessionCard key={s.request_id} session={s} caller={me.data} onEnd={() => sessions.refetch()} onRevoke={() => setRevoking(s)} />
          ))}
        </SpaceBetween>
      )}
      {revoking ? (
        <RevokeModal
          requestId={revoking.request_id}
          label={`${revoking.account_name} (${revoking.account_id})`}
          onClose={() => setRevoking(undefined)}
        />
      ) : null}
    </ContentLayout>
  );
}

function SessionCard({ session: s, caller, onEnd, onRevoke }: { session: Session; caller?: Caller; onEnd: () => void; onRevoke: () => void }) {
  const label = `${s.account_name} (${s.account_id})`;
  const permissionSet = s.kind === "sso" ? (s.permission_set ?? null) : null;
  return (
    <section aria-label={`Session on ${label}`}>
      <Container
        header={
          <Header
            variant="h2"
            description={`Customer ${s.customer} · ${s.requester}`}
            actions={
              canRevoke(caller, { requester: s.requester }) ? (
                <Button onClick={onRevoke} ariaLabel={`Revoke access to ${label}`}>
                  Revoke
                </Button>
              ) : null
            }
          >
            {label}
          </Header>
        }
      >
        <SpaceBetween size="l">
          <KeyValuePairs
            columns={4}
            items={[
              { label: "Time left", value: <Countdown endsAt={s.ends_at} onEnd={onEnd} /> },
              { label: "Ends at", value: when(s.ends_at) },
              { label: "Since", value: when(s.since) },
              {
                label: "Request",
                value: <RouterLink href={`/breakglass/requests/${encodeURIComponent(s.request_id)}`}>View request</RouterLink>,
              },
              permissionSet
                ? { label: "Permission set (IAM Identity Center)", value: permissionSet }
                : { label: "Role", value: <Box variant="code"><span style={{ overflowWrap: "anywhere" }}>{s.role_arn}</span></Box> },
            ]}
          />
          {canUseGrant(caller, { requester: s.requester }) ? (
            <ExpandableSection
              headerText={permissionSet ? "How to use this access (AWS access portal)" : "Credentials and console"}
              variant="footer"
              defaultExpanded
            >
              <GrantAccess
                requestId={s.request_id}
                accountId={s.account_id}
                label={label}
                sso={permissionSet ? { permissionSet, startUrl: s.sso_start_url ?? undefined, customer: s.customer } : null}
              />
            </ExpandableSection>
          ) : null}
        </SpaceBetween>
      </Container>
    </section>
  );
}
