import Badge from "@cloudscape-design/components/badge";
import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useOrganization, type OrgView } from "../api/billing";
import { when } from "../breakglass/format";
import ErrorAlert from "../components/ErrorAlert";
import PageLoading from "../components/PageLoading";
import TableEmpty from "../components/TableEmpty";

type Discovered = OrgView["discovered"][number];

/**
 * The facts of each of the customer's organisations (one per management account) from the last
 * fetch, and their accounts the hub does not have.
 */
export default function OrganizationSection({ code, accountNames }: { code: string; accountNames: Map<string, string> }) {
  const org = useOrganization(code);
  const organizations = org.data?.organizations ?? [];
  return (
    <SpaceBetween size="l">
      <Container
        header={
          <Header
            variant="h2"
            description="From AWS Organizations, refreshed by each fetch through the management account: one per management account."
          >
            {organizations.length > 1 ? `Organisations (${organizations.length})` : "Organisation"}
          </Header>
        }
      >
        {org.isPending ? (
          <PageLoading text="Loading the organisation" />
        ) : org.isError ? (
          <ErrorAlert error={org.error} onRetry={() => org.refetch()} />
        ) : organizations.length ? (
          <SpaceBetween size="l">
            {organizations.map((facts) => (
          <KeyValuePairs
            key={facts.management_account}
            columns={4}
            items={[
              { label: "Organisation", value: facts.organization_id },
              {
                label: "Management account",
                value: `${accountNames.get(facts.management_account) ?? ""} ${facts.management_account}`.trim(),
              },
              { label: "Accounts in the organisation", value: String(facts.accounts_in_organization) },
              { label: "Refreshed", value: when(facts.refreshed_at) },
              {
                label: "Hub accounts flagged",
                value: facts.flagged_hub_accounts.length
                  ? facts.flagged_hub_accounts
                      .map((f) => `${accountNames.get(f.id) ?? f.id} (${f.status.replace(/_/g, " ")})`)
                      .join(", ")
                  : "None",
              },
              { label: "Not in the hub", value: String(facts.discovered) },
            ]}
          />
            ))}
          </SpaceBetween>
        ) : (
          <Box color="text-body-secondary">
            No organisation facts yet: a fetch through the customer's management account (with a read role) brings them.
          </Box>
        )}
      </Container>
      <Table<Discovered>
        wrapLines
        variant="container"
        trackBy="id"
        items={org.data?.discovered ?? []}
        loading={org.isPending}
        loadingText="Loading discovered accounts"
        header={
          <Header
            variant="h2"
            counter={org.data ? `(${org.data.discovered.length})` : undefined}
            description="Accounts of the customer's organisation that the hub does not have. Flagged: suspended, closing or closed, probably not worth adding."
          >
            Discovered accounts
          </Header>
        }
        columnDefinitions={[
          { id: "id", header: "Account", isRowHeader: true, cell: (d) => d.id },
          { id: "organization", header: "Management account", cell: (d) => d.management_account ?? "—" },
          { id: "name", header: "Name", cell: (d) => d.name },
          { id: "email", header: "E-mail", cell: (d) => <span style={{ overflowWrap: "anywhere" }}>{d.email}</span> },
          {
            id: "status",
            header: "Status",
            cell: (d) => (
              <SpaceBetween direction="horizontal" size="xxs">
                <span>{d.status.replace(/_/g, " ")}</span>
                {d.flagged ? <Badge color="red">Flagged</Badge> : null}
              </SpaceBetween>
            ),
          },
          { id: "seen", header: "Seen", cell: (d) => `${when(d.first_seen)} – ${when(d.last_seen)}` },
        ]}
        empty={<TableEmpty query={org}>No discovered accounts: every account of the organisation is in the hub, or none was read yet.</TableEmpty>}
      />
    </SpaceBetween>
  );
}
