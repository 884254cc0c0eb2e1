import Badge from "@cloudscape-design/components/badge";
import Box from "@cloudscape-design/components/box";
import Button, { type ButtonProps } from "@cloudscape-design/components/button";
import ButtonDropdown from "@cloudscape-design/components/button-dropdown";
import Checkbox from "@cloudscape-design/components/checkbox";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import ExpandableSection from "@cloudscape-design/components/expandable-section";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import RadioGroup from "@cloudscape-design/components/radio-group";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import Textarea from "@cloudscape-design/components/textarea";
import { useEffect, useRef, useState } from "react";
import { useSaveAccount } from "../../api/admin";
import type { Account } from "../../api/client";
import { ApiError } from "../../api/errors";
import { useCustomerAccounts } from "../../api/hub";
import FormModal from "../../components/FormModal";
import SaveError from "../../components/SaveError";
import TableEmpty from "../../components/TableEmpty";
import { useEditing } from "../../components/useEditing";
import { useFieldForm } from "../../components/useFieldForm";
import {
  accountFieldFor,
  accountFormValues,
  accountPatchBody,
  newAccountBody,
  validateAccount,
  type AccountFormValues,
} from "../../lib/accountForm";
import { accountBadges, describeAccess } from "../../lib/accounts";
import { ONE_PER_LINE } from "../../lib/admin";
import RouterLink from "../../components/RouterLink";
import { accountLabel, DeleteAccountModal, MoveAccountModal } from "./AccountActions";
import EndAccessModal from "./EndAccessModal";
import ImportAccountsModal from "./ImportAccounts";
import { useAttemptError } from "../../components/useAttemptError";

type Acting = { kind: "move" | "end" | "delete"; account: Account };

const ENVIRONMENTS = [
  { value: "prod", label: "Production" },
  { value: "non-prod", label: "Non-production" },
];

export default function AccountsTab({ code }: { code: string }) {
  const accounts = useCustomerAccounts(code);
  const editing = useEditing(accounts.data);
  const [acting, setActing] = useState<Acting>();
  const [importing, setImporting] = useState(false);
  // What the last move, end or delete did; focus goes to it (its row may be gone).
  const [notice, setNotice] = useState<React.ReactNode>();
  const noticeRef = useRef<HTMLDivElement>(null);
  const [focusNotice, setFocusNotice] = useState(false);
  const addRef = useRef<ButtonProps.Ref>(null);
  const done = (message: React.ReactNode) => {
    setActing(undefined);
    setNotice(message);
    setFocusNotice(true);
  };
  // Once the dialog has gone (its focus trap hands focus back to the row's menu, which may be gone too).
  useEffect(() => {
    if (acting || !focusNotice) return;
    const timer = setTimeout(() => {
      setFocusNotice(false);
      (noticeRef.current ?? addRef.current)?.focus();
    }, 100);
    return () => clearTimeout(timer);
  }, [acting, focusNotice]);

  return (
    <SpaceBetween size="s">
      <div ref={noticeRef} tabIndex={-1} role="status" aria-live="polite">
        {notice ? <Box color="text-status-success">{notice}</Box> : null}
      </div>
      <Table<Account>
        wrapLines
        variant="container"
        trackBy="id"
        items={accounts.data ?? []}
        loading={accounts.isPending}
        loadingText="Loading accounts"
        header={
          <Header
            variant="h2"
            counter={accounts.data ? `(${accounts.data.length})` : undefined}
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button onClick={() => setImporting(true)}>Import accounts</Button>
                <Button ref={addRef} onClick={editing.create}>
                  Add account
                </Button>
              </SpaceBetween>
            }
          >
            AWS accounts
          </Header>
        }
        empty={<TableEmpty query={accounts}>No AWS accounts yet.</TableEmpty>}
        columnDefinitions={[
          {
            id: "name",
            header: "Account",
            isRowHeader: true,
            cell: (a) => (
              <SpaceBetween size="xxxs">
                <span>{a.name}</span>
                <Box variant="small" color="text-body-secondary">{a.alias ?? ""}</Box>
              </SpaceBetween>
            ),
          },
          { id: "id", header: "Account id", cell: (a) => <Box variant="code">{a.id}</Box> },
          { id: "env", header: "Environment", cell: (a) => (a.environment === "prod" ? "Production" : "Non-production") },
          { id: "region", header: "Region", cell: (a) => a.region },
          { id: "access", header: "Access", cell: (a) => describeAccess(a.access).method },
          {
            id: "flags",
            header: "Role in organisation",
            cell: (a) => (
              <SpaceBetween direction="horizontal" size="xxs">
                {accountBadges(a).map((b) => (
                  <Badge key={b} color={b === "Management" ? "severity-medium" : "blue"}>{b}</Badge>
                ))}
              </SpaceBetween>
            ),
          },
          {
            id: "edit",
            header: "Actions",
            cell: (a) => (
              <SpaceBetween direction="horizontal" size="xs" alignItems="center">
                <Button variant="inline-link" ariaLabel={`Edit ${a.name}`} onClick={() => editing.edit(a.id)}>
                  Edit
                </Button>
                <ButtonDropdown
                  variant="inline-icon"
                  ariaLabel={`More actions for ${accountLabel(a)}`}
                  expandToViewport
                  items={[
                    { id: "move", text: "Move to another customer" },
                    { id: "end", text: "End open access" },
                    { id: "delete", text: "Delete" },
                  ]}
                  onItemClick={({ detail }) => {
                    setNotice(undefined);
                    setActing({ kind: detail.id as Acting["kind"], account: a });
                  }}
                />
              </SpaceBetween>
            ),
          },
        ]}
      />
      {editing.open ? (
        <AccountModal
          key={editing.key}
          code={code}
          account={editing.current}
          onClose={editing.close}
          onReload={() => accounts.refetch()}
        />
      ) : null}
      {importing ? <ImportAccountsModal onClose={() => setImporting(false)} /> : null}
      {acting?.kind === "delete" ? (
        <DeleteAccountModal
          code={code}
          account={acting.account}
          onClose={() => setActing(undefined)}
          onDeleted={() => done(`Deleted ${accountLabel(acting.account)}.`)}
        />
      ) : null}
      {acting?.kind === "move" ? (
        <MoveAccountModal
          code={code}
          account={acting.account}
          onClose={() => setActing(undefined)}
          onReload={() => accounts.refetch()}
          onMoved={(to) =>
            done(
              <>
                Moved {accountLabel(acting.account)} to{" "}
                <RouterLink href={`/admin/customers/${encodeURIComponent(to.value ?? "")}?tab=accounts`}>{to.label}</RouterLink>.
              </>,
            )
          }
        />
      ) : null}
      {acting?.kind === "end" ? (
        <EndAccessModal
          target={{ account: acting.account.id }}
          label={accountLabel(acting.account)}
          onClose={() => setActing(undefined)}
          onEnded={(n) =>
            done(`Ended ${n} open breakglass ${n === 1 ? "request or grant" : "requests and grants"} on ${accountLabel(acting.account)}.`)
          }
        />
      ) : null}
    </SpaceBetween>
  );
}

function AccountModal({
  code,
  account,
  onClose,
  onReload,
}: {
  code: string;
  account?: Account;
  onClose: () => void;
  onReload: () => Promise<unknown>;
}) {
  const save = useSaveAccount(code);
  const creating = !account;
  const [saveError, edited] = useAttemptError(save.error);
  const { values: v, errors, setErrors, set, dirty } = useFieldForm<AccountFormValues>(() => accountFormValues(account), () => edited());
  type Extra = { description?: string; constraint?: string; placeholder?: string };
  const field = (k: keyof AccountFormValues, label: string, extra: Extra, multiline: boolean) => {
    const props = { value: String(v[k]), placeholder: extra.placeholder, onChange: ({ detail }: { detail: { value: string } }) => set(k, detail.value as never) };
    return (
      <FormField label={label} description={extra.description} constraintText={extra.constraint} errorText={errors[k]}>
        {multiline ? <Textarea rows={2} {...props} /> : <Input {...props} />}
      </FormField>
    );
  };
  const text = (k: keyof AccountFormValues, label: string, extra: Extra = {}) => field(k, label, extra, false);
  // A "one per line" field: a text area, split on line breaks only (see splitLines).
  const lines = (k: keyof AccountFormValues, label: string, extra: Extra = {}) =>
    field(k, label, { ...extra, constraint: ONE_PER_LINE }, true);

  const submit = () => {
    const found = validateAccount(v, creating);
    setErrors(found);
    if (Object.keys(found).length) return;
    save.mutate(
      account
        ? { kind: "update", id: account.id, body: accountPatchBody(v, account.version) }
        : { kind: "create", body: newAccountBody(v, code) },
      {
        onSuccess: onClose,
        onError: (err) => {
          const field = err instanceof ApiError ? accountFieldFor(err.field) : undefined;
          setErrors(field ? { [field]: err.message } : {});
        },
      },
    );
  };

  return (
    <FormModal
      size="large"
      header={account ? `Edit ${account.name}` : "Add AWS account"}
      onClose={onClose}
      onSubmit={submit}
      submitText={account ? "Save account" : "Add account"}
      submitting={save.isPending}
      dirty={dirty}
    >
      <Form>
        <SpaceBetween size="m">
          <SaveError error={saveError} onReload={onReload} />
          <ColumnLayout columns={2}>
            {creating ? (
              text("id", "Account id", { constraint: "12 digits; keep leading zeros.", placeholder: "012345678901" })
            ) : (
              <FormField label="Account id" description="An account id cannot change.">
                <Box variant="code">{account.id}</Box>
              </FormField>
            )}
            {text("name", "Name")}
            {text("alias", "Alias (optional)")}
            {text("region", "Home region", { placeholder: "eu-west-1" })}
            <FormField label="Environment" errorText={errors.environment}>
              <Select
                selectedOption={ENVIRONMENTS.find((e) => e.value === v.environment) ?? null}
                options={ENVIRONMENTS}
                onChange={({ detail }) => set("environment", detail.selectedOption.value as "prod" | "non-prod")}
              />
            </FormField>
            {lines("delegated_admin_services", "Delegated administrator for", {
              description: "Service principals.",
              placeholder: "securityhub.amazonaws.com",
            })}
          </ColumnLayout>
          <Checkbox checked={v.management_account} onChange={({ detail }) => set("management_account", detail.checked)}>
            Management (payer) account of the organisation
          </Checkbox>
          <FormField label="Access method" errorText={errors.method}>
            <RadioGroup
              value={v.method}
              onChange={({ detail }) => set("method", detail.value as "sso" | "role")}
              items={[
                { value: "sso", label: "IAM Identity Center (SSO)", description: "The customer's start URL and permission sets." },
                { value: "role", label: "IAM roles", description: "Roles deployed at onboarding, reached by role chaining with an external id." },
              ]}
            />
          </FormField>
          {v.method === "sso" ? (
            <SpaceBetween size="m">
              <ColumnLayout columns={2}>
                {text("start_url", "SSO start URL", { placeholder: "https://acme.awsapps.com/start" })}
                {text("sso_region", "SSO region", { placeholder: "eu-west-1" })}
                {lines("permission_sets", "Standing permission sets", {
                  description: "Read access, always in profiles.",
                  placeholder: "ReadOnlyAccess\nSecurityAudit",
                })}
                {lines("breakglass_permission_sets", "Breakglass permission sets", {
                  description: "Assigned only while a grant is active.",
                  placeholder: "SRE-Breakglass",
                })}
              </ColumnLayout>
              <ExpandableSection
                headerText="Identity Center (needed with breakglass permission sets)"
                defaultExpanded={!!v.breakglass_permission_sets.trim() || !!v.instance_arn}
              >
                <ColumnLayout columns={2}>
                  {text("instance_arn", "Instance ARN", { placeholder: "arn:aws:sso:::instance/ssoins-..." })}
                  {text("identity_store_id", "Identity store id", { placeholder: "d-1234567890" })}
                  {text("admin_role_arn", "Admin role ARN", { description: "The role the broker assumes to call sso-admin." })}
                  {text("ic_external_id", "External id of that role (optional)")}
                </ColumnLayout>
              </ExpandableSection>
            </SpaceBetween>
          ) : (
            <ColumnLayout columns={2}>
              {text("read_role_arn", "Read role ARN", { placeholder: "arn:aws:iam::012345678901:role/CustomerCentralRead" })}
              {text("breakglass_role_arn", "Breakglass role ARN", { placeholder: "arn:aws:iam::012345678901:role/CustomerCentralBreakglass" })}
              {text("external_id", "External id", { constraint: "2-1224 characters of letters, digits and +=,.@:/-" })}
              {text("max_session_seconds", "Longest session (seconds)", { constraint: "900-43200 (the role's maximum)." })}
            </ColumnLayout>
          )}
        </SpaceBetween>
      </Form>
    </FormModal>
  );
}
