import Alert from "@cloudscape-design/components/alert";
import Badge from "@cloudscape-design/components/badge";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useEffect, useMemo, useRef, useState } from "react";
import { useAddDiscovered, useOrganization, type AddDiscoveredOutcome, type DiscoveredAccount } from "../api/billing";
import { ApiError } from "../api/errors";
import { when } from "../breakglass/format";
import ErrorAlert from "../components/ErrorAlert";
import FormModal from "../components/FormModal";
import NoValue from "../components/NoValue";
import PageLoading from "../components/PageLoading";
import TableEmpty from "../components/TableEmpty";
import { useAttemptError } from "../components/useAttemptError";
import { addedText, orgStatusText } from "../lib/billing";
import { count } from "../lib/plural";


/**
 * The facts of each of the customer's organisations (one per management account) from the last
 * fetch, and their accounts the hub does not have. Admins select discovered accounts and add them
 * to the hub in one step (a dialog warns about suspended, closing or closed ones); the list is
 * read again after, and a line says what was added.
 */
export default function OrganizationSection({
  code,
  name,
  admin,
  accountNames,
}: {
  code: string;
  name: string;
  admin: boolean;
  accountNames: Map<string, string>;
}) {
  const org = useOrganization(code);
  const organizations = org.data?.organizations ?? [];
  const discovered = useMemo(() => org.data?.discovered ?? [], [org.data]);
  const [selected, setSelected] = useState<DiscoveredAccount[]>([]);
  // Only what is still listed stays selected (the list is read again after every add).
  const shownSelected = useMemo(() => selected.filter((a) => discovered.some((d) => d.id === a.id)), [selected, discovered]);
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string>();
  const noticeRef = useRef<HTMLDivElement>(null);
  const [focusNotice, setFocusNotice] = useState(false);
  useEffect(() => {
    if (adding || !focusNotice) return;
    // After the dialog has handed focus back (to a button that the emptied selection disables).
    const timer = setTimeout(() => {
      setFocusNotice(false);
      noticeRef.current?.focus();
    }, 100);
    return () => clearTimeout(timer);
  }, [adding, focusNotice]);
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
                value: facts.flagged_hub_accounts.length ? (
                  facts.flagged_hub_accounts
                    .map((f) => `${accountNames.get(f.id) ?? f.id} (${orgStatusText(f.status)})`)
                    .join(", ")
                ) : (
                  <NoValue label="No hub account flagged" />
                ),
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
      <div ref={noticeRef} tabIndex={-1} role="status" aria-live="polite" style={{ outline: "none" }}>
        {notice ? <Box color="text-status-success">{notice}</Box> : null}
      </div>
      <Table<DiscoveredAccount>
        wrapLines
        variant="container"
        trackBy="id"
        items={discovered}
        loading={org.isPending}
        loadingText="Loading discovered accounts"
        {...(admin
          ? {
              selectionType: "multi" as const,
              selectedItems: shownSelected,
              onSelectionChange: ({ detail }: { detail: { selectedItems: DiscoveredAccount[] } }) => {
                setNotice(undefined);
                setSelected(detail.selectedItems);
              },
              ariaLabels: {
                selectionGroupLabel: "Discovered accounts to add",
                allItemsSelectionLabel: () => "Select every discovered account",
                itemSelectionLabel: (_: unknown, d: DiscoveredAccount) => `Select ${d.name || d.id} (${d.id})`,
              },
            }
          : {})}
        header={
          <Header
            variant="h2"
            counter={org.data ? `(${shownSelected.length ? `${shownSelected.length}/` : ""}${discovered.length})` : undefined}
            description={`Accounts of the customer's organisation that the hub does not have. Flagged: suspended, closing or closed, probably not worth adding.${
              admin ? " Select accounts to add them to the hub." : ""
            }`}
            actions={
              admin ? (
                <Button disabled={!shownSelected.length} onClick={() => setAdding(true)}>
                  {shownSelected.length ? `Add ${count(shownSelected.length, "account")} to the hub` : "Add to the hub"}
                </Button>
              ) : undefined
            }
          >
            Discovered accounts
          </Header>
        }
        columnDefinitions={[
          { id: "id", header: "Account", isRowHeader: true, cell: (d) => d.id },
          {
            id: "organization",
            header: "Management account",
            cell: (d) => d.management_account ?? <NoValue label="Management account not recorded" />,
          },
          { id: "name", header: "Name", cell: (d) => d.name },
          { id: "email", header: "E-mail", cell: (d) => <span style={{ overflowWrap: "anywhere" }}>{d.email}</span> },
          {
            id: "status",
            header: "Status",
            cell: (d) => (
              <SpaceBetween direction="horizontal" size="xxs">
                <span>{orgStatusText(d.status)}</span>
                {d.flagged ? <Badge color="red">Flagged</Badge> : null}
              </SpaceBetween>
            ),
          },
          { id: "seen", header: "Seen", cell: (d) => `${when(d.first_seen)} – ${when(d.last_seen)}` },
        ]}
        empty={<TableEmpty query={org}>No discovered accounts: every account of the organisation is in the hub, or none was read yet.</TableEmpty>}
      />
      {adding ? (
        <AddDiscoveredModal
          code={code}
          name={name}
          accounts={shownSelected}
          onClose={() => setAdding(false)}
          onDone={(outcome) => {
            setAdding(false);
            setSelected([]);
            setNotice(addedText(outcome, shownSelected, name));
            setFocusNotice(true);
          }}
        />
      ) : null}
    </SpaceBetween>
  );
}

/**
 * Confirms adding the selected discovered accounts: what they get (the API's defaults), a warning
 * naming any suspended, closing or closed one, and the API's refusal (nothing written) by account.
 */
function AddDiscoveredModal({
  code,
  name,
  accounts,
  onClose,
  onDone,
}: {
  code: string;
  name: string;
  accounts: DiscoveredAccount[];
  onClose: () => void;
  onDone: (outcome: AddDiscoveredOutcome) => void;
}) {
  const add = useAddDiscovered(code);
  const [shownError] = useAttemptError(add.error);
  const flagged = accounts.filter((a) => a.flagged);
  const rows = shownError instanceof ApiError && shownError.status === 400 ? shownError.rows : [];
  return (
    <FormModal
      header={`Add ${count(accounts.length, "account")} to the hub`}
      onClose={onClose}
      onSubmit={() => add.mutate(accounts.map((a) => a.id), { onSuccess: onDone })}
      submitText={flagged.length ? `Add ${count(accounts.length, "account")} anyway` : `Add ${count(accounts.length, "account")}`}
      submitting={add.isPending}
    >
      <SpaceBetween size="m">
        <Box variant="p">
          They join {name} in the hub with its usual access method and region (those of its management account), an
          environment guessed from each name, and their names in the organisation. They leave the discovered list.
        </Box>
        {flagged.length ? (
          <Alert type="warning" header={`${count(flagged.length, "selected account is", "selected accounts are")} not active`}>
            {flagged.map((a) => `${a.name || a.id} (${a.id}): ${orgStatusText(a.status)}`).join("; ")}. Suspended, closing or
            closed accounts are probably not worth adding: unselect {flagged.length === 1 ? "it" : "them"} unless the hub should
            keep {flagged.length === 1 ? "it" : "them"} anyway.
          </Alert>
        ) : null}
        <ul aria-label="Accounts to add" style={{ margin: 0, paddingInlineStart: 20 }}>
          {accounts.map((a) => (
            <li key={a.id} style={{ overflowWrap: "anywhere" }}>
              {a.name || <NoValue label="No name" />} <Box variant="span" color="text-body-secondary">{a.id}</Box>
              {a.flagged ? <> <Badge color="red">{orgStatusText(a.status)}</Badge></> : null}
            </li>
          ))}
        </ul>
        {shownError ? (
          rows.length ? (
            <Alert type="error" header={<span role="alert">Not added: nothing was written</span>}>
              <SpaceBetween size="xxs">
                <span>{(shownError as ApiError).message}</span>
                {rows.map((r) => (
                  <span key={`${r.row}/${r.message}`}>{r.message}</span>
                ))}
              </SpaceBetween>
            </Alert>
          ) : (
            <ErrorAlert error={shownError} header="Not added: nothing was written" />
          )
        ) : null}
      </SpaceBetween>
    </FormModal>
  );
}
