import Badge from "@cloudscape-design/components/badge";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import Link from "@cloudscape-design/components/link";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { useEffect, useMemo, useRef } from "react";
import { useParams, useSearchParams } from "react-router-dom";
import type { Account, ConsoleLink, Contact, Customer, Schemas } from "../api/client";
import { errorText } from "../api/errors";
import { useConsoleLinks, useCustomerAccounts, useCustomerOverview } from "../api/hub";
import { Breadcrumbs, detailState } from "../components/DetailPage";
import ErrorAlert from "../components/ErrorAlert";
import NoValue from "../components/NoValue";
import PageLoading from "../components/PageLoading";
import RouterLink from "../components/RouterLink";
import { useDocumentTitle } from "../components/useDocumentTitle";
import { accountBadges, describeAccess, groupByEnvironment } from "../lib/accounts";
import { accountLines, contractPeriod, policyLines, STATUS_INDICATOR } from "../lib/customers";

type LinksState = { links?: ConsoleLink[]; loading: boolean; error?: unknown };
type Overview = Schemas["CustomerOverview"];

export default function CustomerPage() {
  const { code = "" } = useParams();
  // One call for everything but the accounts: customer, contacts, team, policy, account counts.
  const overview = useCustomerOverview(code);
  const name = overview.data?.customer.name;
  useDocumentTitle(name ?? code);

  const crumbs = [
    { text: "Customers", href: "/customers" },
    { text: name ?? code, href: `/customers/${encodeURIComponent(code)}` },
  ];
  const breadcrumbs = <Breadcrumbs items={crumbs} />;
  if (overview.isPending || overview.isError) {
    return detailState(overview, {
      crumbs,
      loading: "Loading the customer",
      title: code,
      back: { text: "Back to all customers", href: "/customers" },
    });
  }
  return <CustomerDetail overview={overview.data} breadcrumbs={breadcrumbs} />;
}

function CustomerDetail({ overview, breadcrumbs }: { overview: Overview; breadcrumbs: React.ReactNode }) {
  const customer = overview.customer;
  const status = STATUS_INDICATOR[customer.status];
  const accounts = useCustomerAccounts(customer.code);
  const ids = useMemo(() => (accounts.data ?? []).map((a) => a.id), [accounts.data]);
  const linkQueries = useConsoleLinks(ids);
  const links = new Map<string, LinksState>(
    ids.map((id, i) => {
      const q = linkQueries[i];
      return [id, { links: q?.data, loading: !!q?.isPending, error: q?.error ?? undefined }];
    }),
  );
  const [params, setParams] = useSearchParams();
  const selectedId = params.get("account");
  const selected = accounts.data?.find((a) => a.id === selectedId);
  const contactId = params.get("contact");

  return (
    <ContentLayout
      breadcrumbs={breadcrumbs}
      header={
        <Header
          variant="h1"
          actions={
            <SpaceBetween direction="horizontal" size="m">
              <RouterLink href={`/customers/${encodeURIComponent(customer.code)}/billing`}>Billing and costs</RouterLink>
              <RouterLink href={`/customers/${encodeURIComponent(customer.code)}/utilisation`}>Contract utilisation</RouterLink>
              <RouterLink href={`/customers/${encodeURIComponent(customer.code)}/reports`}>Monthly reports</RouterLink>
            </SpaceBetween>
          }
          description={
            <SpaceBetween direction="horizontal" size="xs">
              <StatusIndicator type={status?.type ?? "info"}>{status?.label ?? customer.status}</StatusIndicator>
              <span>·</span>
              <span>{customer.code}</span>
              <span>·</span>
              <span>
                {overview.accounts.total} {overview.accounts.total === 1 ? "account" : "accounts"}
              </span>
            </SpaceBetween>
          }
        >
          {customer.name}
        </Header>
      }
    >
      <SpaceBetween size="l">
        {selectedId ? (
          selected ? (
            <SelectedAccount
              account={selected}
              links={links.get(selected.id)}
              onClose={() => setParams({}, { replace: true })}
            />
          ) : accounts.isSuccess ? (
            <ErrorAlert
              header="Account not found"
              error={new Error(`${customer.name} has no account ${selectedId}.`)}
            />
          ) : null
        ) : null}
        <ColumnLayout columns={2}>
          <Contract customer={customer} />
          <Container header={<Header variant="h2">Notes</Header>}>
            <SpaceBetween size="s">
              <Box>{customer.notes || <Box color="text-body-secondary">No notes.</Box>}</Box>
              <KeyValuePairs
                items={[
                  {
                    label: "Monthly report",
                    value: customer.report.enabled
                      ? `Sent to ${(customer.report.recipients ?? []).join(", ") || "nobody yet"}`
                      : "Off",
                  },
                ]}
              />
            </SpaceBetween>
          </Container>
        </ColumnLayout>
        <Contacts contacts={overview.contacts} selectedId={contactId} />
        <ColumnLayout columns={3}>
          <Container header={<Header variant="h2">Accounts at a glance</Header>}>
            <KeyValuePairs columns={1} items={accountLines(overview.accounts)} />
          </Container>
          <Container
            header={
              <Header variant="h2" description="What breakglass access to this customer's accounts takes.">
                Approval policy
              </Header>
            }
          >
            <KeyValuePairs columns={1} items={policyLines(overview.policy)} />
          </Container>
          <Team members={overview.team.members} />
        </ColumnLayout>
        <Accounts
          accounts={accounts.data}
          loading={accounts.isPending}
          error={accounts.error}
          onRetry={() => accounts.refetch()}
          links={links}
          selectedId={selectedId}
        />
      </SpaceBetween>
    </ContentLayout>
  );
}

function Team({ members }: { members: string[] }) {
  return (
    <Container
      header={
        <Header variant="h2" counter={`(${members.length})`} description="Who works on this customer.">
          Team
        </Header>
      }
    >
      {members.length ? (
        <ul aria-label="Team members" style={{ margin: 0, paddingInlineStart: "1.2em" }}>
          {members.map((m) => (
            <li key={m}>
              <Link href={`mailto:${m}`}>{m}</Link>
            </li>
          ))}
        </ul>
      ) : (
        <Box color="text-body-secondary">Nobody is on this customer's team yet.</Box>
      )}
    </Container>
  );
}

function Contract({ customer }: { customer: Customer }) {
  const c = customer.contract;
  return (
    <Container
      header={
        <Header
          variant="h2"
          description={
            <>
              The commercial contract as recorded in the hub. The contracts whose hours are tracked, from Salesforce or a CSV
              import, are the{" "}
              <RouterLink href={`/customers/${encodeURIComponent(customer.code)}/utilisation`}>utilisation contracts</RouterLink>.
            </>
          }
        >
          Contract in the hub
        </Header>
      }
    >
      {c ? (
        <KeyValuePairs
          columns={2}
          items={[
            { label: "Reference", value: c.reference || <NoValue label="No reference" /> },
            { label: "Period", value: contractPeriod(c.starts_on, c.ends_on) || <NoValue label="No period" /> },
            { label: "Hours per month", value: c.hours_per_month ?? <NoValue label="No hours per month" /> },
            { label: "Notes", value: c.notes || <NoValue label="No notes" /> },
          ]}
        />
      ) : (
        <Box color="text-body-secondary">No contract on file.</Box>
      )}
    </Container>
  );
}

function Contacts({ contacts, selectedId }: { contacts: Contact[]; selectedId: string | null }) {
  const region = useRef<HTMLDivElement>(null);
  const selected = contacts.find((c) => c.id === selectedId);
  useEffect(() => {
    // Opened from the quick switcher (?contact=): bring the contacts into view and focus them.
    if (!selectedId) return;
    region.current?.scrollIntoView({ block: "start" });
    region.current?.focus({ preventScroll: true });
  }, [selectedId]);
  return (
    <div
      ref={region}
      tabIndex={-1}
      role="region"
      aria-label={selected ? `Key contacts, ${selected.name} selected` : "Key contacts"}
      style={{ outline: "none" }}
    >
      <Table
        wrapLines
        variant="container"
        trackBy="id"
        header={
          <Header
            variant="h2"
            counter={`(${contacts.length})`}
            description="In escalation order: call the first one first."
          >
            Key contacts
          </Header>
        }
        items={contacts}
        empty={
          <Box textAlign="center" color="text-body-secondary">
            No key contacts recorded.
          </Box>
        }
        columnDefinitions={[
          { id: "order", header: "#", cell: (c) => c.escalation_order, width: 60 },
          {
            id: "name",
            header: "Name",
            cell: (c) => (c.id === selectedId ? <strong aria-current="true">{c.name}</strong> : c.name),
            isRowHeader: true,
          },
          { id: "role", header: "Role", cell: (c) => c.role },
          { id: "email", header: "E-mail", cell: (c) => <Link href={`mailto:${c.email}`}>{c.email}</Link> },
          {
            id: "phone",
            header: "Phone",
            cell: (c) => (c.phone ? <Link href={`tel:${c.phone.replace(/\s+/g, "")}`}>{c.phone}</Link> : <NoValue label="No phone" />),
          },
        ]}
      />
    </div>
  );
}

function ConsoleLinks({ state, account }: { state?: LinksState; account: Account }) {
  if (!state || state.loading) return <StatusIndicator type="loading">Loading</StatusIndicator>;
  if (state.error) return <StatusIndicator type="error">{errorText(state.error)}</StatusIndicator>;
  if (!state.links?.length) return <NoValue label="No console link" />;
  return (
    <SpaceBetween direction="horizontal" size="xs">
      {state.links.map((link) => (
        <Link
          key={link.url}
          href={link.url}
          external
          externalIconAriaLabel="(opens in a new tab)"
          ariaLabel={`Open the console for ${account.name} as ${link.role_name} (opens in a new tab)`}
        >
          <span style={{ overflowWrap: "anywhere" }}>{link.role_name}</span>
        </Link>
      ))}
    </SpaceBetween>
  );
}

function Badges({ account }: { account: Account }) {
  const badges = accountBadges(account);
  if (!badges.length) return null;
  return (
    <SpaceBetween direction="horizontal" size="xxs">
      {badges.map((b) => (
        <Badge key={b} color={b === "Management" ? "severity-medium" : "blue"}>
          {b}
        </Badge>
      ))}
    </SpaceBetween>
  );
}

function Accounts({
  accounts,
  loading,
  error,
  onRetry,
  links,
  selectedId,
}: {
  accounts?: Account[];
  loading: boolean;
  error: unknown;
  onRetry: () => void;
  links: Map<string, LinksState>;
  selectedId: string | null;
}) {
  const groups = useMemo(() => groupByEnvironment(accounts ?? []), [accounts]);
  if (loading) {
    return (
      <Container header={<Header variant="h2">Accounts</Header>}>
        <PageLoading text="Loading accounts" />
      </Container>
    );
  }
  if (error) {
    return (
      <Container header={<Header variant="h2">Accounts</Header>}>
        <ErrorAlert error={error} onRetry={onRetry} />
      </Container>
    );
  }
  if (!groups.length) {
    return (
      <Container header={<Header variant="h2">Accounts</Header>}>
        <Box textAlign="center" color="text-body-secondary">
          This customer has no AWS accounts yet.
        </Box>
      </Container>
    );
  }
  return (
    <SpaceBetween size="l">
      {groups.map((group) => (
        <Table<Account>
          wrapLines
          key={group.environment}
          variant="container"
          trackBy="id"
          items={group.accounts}
          header={
            <Header variant="h2" counter={`(${group.accounts.length})`}>
              {group.label} accounts
            </Header>
          }
          columnDefinitions={[
            {
              id: "name",
              header: "Account",
              isRowHeader: true,
              cell: (a) => (
                <SpaceBetween size="xxxs">
                  <RouterLink href={`?account=${encodeURIComponent(a.id)}`}>
                    {a.id === selectedId ? <strong>{a.name}</strong> : a.name}
                  </RouterLink>
                  <Box variant="small" color="text-body-secondary">
                    {a.alias ?? ""}
                  </Box>
                </SpaceBetween>
              ),
            },
            { id: "id", header: "Account id", cell: (a) => <Box variant="code">{a.id}</Box> },
            { id: "region", header: "Region", cell: (a) => a.region },
            {
              id: "access",
              header: "Access",
              cell: (a) => {
                const access = describeAccess(a.access);
                return (
                  <SpaceBetween size="xxxs">
                    <span>{access.method}</span>
                    <Box variant="small" color="text-body-secondary">
                      {access.standing.join(", ")}
                    </Box>
                  </SpaceBetween>
                );
              },
            },
            { id: "badges", header: "Role in organisation", cell: (a) => <Badges account={a} /> },
            { id: "console", header: "Console", cell: (a) => <ConsoleLinks state={links.get(a.id)} account={a} /> },
          ]}
        />
      ))}
    </SpaceBetween>
  );
}

function SelectedAccount({
  account,
  links,
  onClose,
}: {
  account: Account;
  links?: LinksState;
  onClose: () => void;
}) {
  const access = describeAccess(account.access);
  const heading = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Opened from the quick switcher or a link: the panel sits under the page heading, so show
    // the top of the page and move focus to the panel (keyboard and screen-reader users land on it).
    window.scrollTo({ top: 0 });
    heading.current?.focus({ preventScroll: true });
  }, [account.id]);
  return (
    <div ref={heading} tabIndex={-1} aria-label={`Account ${account.name}`} role="region" style={{ outline: "none" }}>
      <Container
        header={
          <Header
            variant="h2"
            description={`Account ${account.id} · ${account.environment} · ${account.region}`}
            actions={<Button onClick={onClose}>Close account</Button>}
          >
            {account.name}
          </Header>
        }
      >
        <SpaceBetween size="m">
          <Badges account={account} />
          <KeyValuePairs
            columns={3}
            items={[
              { label: "Alias", value: account.alias || <NoValue label="No alias" /> },
              { label: "Access method", value: access.method },
              { label: "Read access", value: access.standing.join(", ") || <NoValue label="No read access" /> },
              { label: "Breakglass", value: access.breakglass.join(", ") || <NoValue label="No breakglass role" /> },
              ...(account.access.method === "sso"
                ? [
                    { label: "SSO start URL", value: account.access.start_url },
                    { label: "SSO region", value: account.access.sso_region },
                  ]
                : [
                    {
                      label: "Longest session",
                      value: `${Math.round(account.access.max_session_seconds / 60)} min`,
                    },
                  ]),
              { label: "Console", value: <ConsoleLinks state={links} account={account} /> },
            ]}
          />
        </SpaceBetween>
      </Container>
    </div>
  );
}
