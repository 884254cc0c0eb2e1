import Checkbox from "@cloudscape-design/components/checkbox";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Tabs from "@cloudscape-design/components/tabs";
import Textarea from "@cloudscape-design/components/textarea";
import { lazy, Suspense, useState } from "react";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import { useNavigate, useParams, useSearchParams } from "react-router-dom";
import { useDeleteCustomer, useUpdateCustomer, type CustomerPatch } from "../../api/admin";
import { ApiError } from "../../api/errors";
import ConfirmModal from "../../components/ConfirmModal";
import EndAccessModal from "./EndAccessModal";
import type { Customer, CustomerStatus } from "../../api/client";
import { useCustomer } from "../../api/hub";
import { Breadcrumbs, detailState } from "../../components/DetailPage";
import PageLoading from "../../components/PageLoading";
import RouterLink from "../../components/RouterLink";
import SaveForm from "../../components/SaveForm";
import { leaveOnPurpose } from "../../components/unsaved";
import { useFieldForm } from "../../components/useFieldForm";
import type { SavedFlag } from "../../components/VersionedForm";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import {
  apiFieldErrors,
  checkEmail,
  checkIntRange,
  checkName,
  collect,
  CUSTOMER_STATUS_OPTIONS,
  splitEmails,
} from "../../lib/admin";

const AccountsTab = lazy(() => import("./AccountsTab"));
const ContactsTab = lazy(() => import("./ContactsTab"));
const TeamTab = lazy(() => import("./TeamTab"));
const PolicyTab = lazy(() => import("./PolicyTab"));

const TABS = ["details", "accounts", "contacts", "team", "policy"] as const;
type TabId = (typeof TABS)[number];

export default function AdminCustomer() {
  const { code = "" } = useParams();
  const customer = useCustomer(code);
  const [params, setParams] = useSearchParams();
  const tab: TabId = (TABS as readonly string[]).includes(params.get("tab") ?? "") ? (params.get("tab") as TabId) : "details";
  const name = customer.data?.name ?? code;
  // Kept here: a save changes the version, which remounts the form with the saved values.
  const [saved, setSaved] = useState(false);
  const [acting, setActing] = useState<"delete" | "end">();
  const [ended, setEnded] = useState<string>();
  const navigate = useNavigate();
  const remove = useDeleteCustomer(code);
  useDocumentTitle(`Admin: ${name}`);

  const crumbs = [
    { text: "Admin", href: "/admin/customers" },
    { text: "Customers", href: "/admin/customers" },
    { text: name, href: `/admin/customers/${encodeURIComponent(code)}` },
  ];
  const breadcrumbs = <Breadcrumbs items={crumbs} />;
  if (customer.isPending || customer.isError) {
    return detailState(customer, {
      crumbs,
      loading: "Loading the customer",
      title: code,
      back: { text: "Back to all customers", href: "/admin/customers" },
    });
  }
  const c = customer.data;
  const lazyTab = (node: React.ReactNode) => <Suspense fallback={<PageLoading />}>{node}</Suspense>;
  return (
    <ContentLayout
      breadcrumbs={breadcrumbs}
      header={
        <Header
          variant="h1"
          description={`${c.code} · ${c.account_count} ${c.account_count === 1 ? "account" : "accounts"} · version ${c.version ?? 0}`}
          actions={
            <SpaceBetween direction="horizontal" size="xs" alignItems="center">
              <RouterLink href={`/customers/${encodeURIComponent(c.code)}`}>Open in the customer hub</RouterLink>
              <Button onClick={() => setActing("end")}>End all access</Button>
              <Button
                onClick={() => {
                  remove.reset();
                  setActing("delete");
                }}
              >
                Delete customer
              </Button>
            </SpaceBetween>
          }
        >
          {c.name}
        </Header>
      }
    >
      {ended ? (
        <div role="status" style={{ marginBottom: 16 }}>
          <Box color="text-status-success">{ended}</Box>
        </div>
      ) : null}
      <Tabs
        activeTabId={tab}
        onChange={({ detail }) =>
          setParams(detail.activeTabId === "details" ? {} : { tab: detail.activeTabId }, { replace: true })
        }
        ariaLabel="Customer settings"
        tabs={[
          {
            id: "details",
            label: "Details",
            content: (
              <CustomerForm
                key={`${c.code}@${c.version ?? 0}`}
                customer={c}
                onReload={() => customer.refetch()}
                saved={saved}
                setSaved={setSaved}
              />
            ),
          },
          { id: "accounts", label: `Accounts (${c.account_count})`, content: lazyTab(<AccountsTab code={c.code} />) },
          { id: "contacts", label: "Contacts", content: lazyTab(<ContactsTab code={c.code} />) },
          { id: "team", label: "Team", content: lazyTab(<TeamTab code={c.code} />) },
          { id: "policy", label: "Approval policy", content: lazyTab(<PolicyTab code={c.code} />) },
        ]}
      />
      {acting === "end" ? (
        <EndAccessModal
          target={{ customer: c.code }}
          label={`${c.name}'s accounts`}
          onClose={() => setActing(undefined)}
          onEnded={(n) => {
            setActing(undefined);
            setEnded(`Ended ${n} open breakglass ${n === 1 ? "request or grant" : "requests and grants"} on ${c.name}'s accounts.`);
          }}
        />
      ) : null}
      {acting === "delete" ? (
        <ConfirmModal
          header={`Delete ${c.name}?`}
          confirmText="Delete customer"
          keepText="Keep customer"
          busy={remove.isPending}
          error={remove.error}
          errorHeader="Not deleted"
          hint={
            remove.error instanceof ApiError && remove.error.code === "customer_has_accounts" ? (
              <SpaceBetween size="xs">
                <span>
                  Move each account to another customer or delete it (Accounts tab, the account&apos;s Actions menu), then
                  delete the customer. To keep its history instead, set its status to Offboarded.
                </span>
                <Button
                  onClick={() => {
                    setActing(undefined);
                    setParams({ tab: "accounts" }, { replace: true });
                  }}
                >
                  Go to its accounts
                </Button>
              </SpaceBetween>
            ) : undefined
          }
          onConfirm={() =>
            remove.mutate(c.version, {
              onSuccess: () => {
                // Gone: edits on its tabs have nothing left to save, so leaving is no reason to ask.
                leaveOnPurpose();
                navigate("/admin/customers", { state: { notice: `Deleted customer ${c.name} (${c.code}).` } });
              },
            })
          }
          onClose={() => setActing(undefined)}
        >
          The customer, its key contacts, team and approval policy are deleted; its audit history stays. Only a customer with
          no accounts can be deleted. This cannot be undone.
        </ConfirmModal>
      ) : null}
    </ContentLayout>
  );
}

const CUSTOMER_FIELDS = [
  "name",
  "status",
  "notes",
  "reference",
  "starts_on",
  "ends_on",
  "hours_per_month",
  "contract_notes",
  "recipients",
] as const;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const checkDate = (v: string) => (!v.trim() || DATE.test(v.trim()) ? undefined : "A date as YYYY-MM-DD.");

/** The customer's details; keyed by version, so a reload after a conflict starts from the latest. */
function CustomerForm({
  customer,
  onReload,
  saved,
  setSaved,
}: {
  customer: Customer;
  onReload: () => Promise<unknown>;
} & SavedFlag) {
  const update = useUpdateCustomer(customer.code);
  const contract = customer.contract;
  const { values: v, errors, setErrors, set, dirty } = useFieldForm(
    {
      name: customer.name,
      status: customer.status,
      notes: customer.notes,
      hasContract: !!contract,
      reference: contract?.reference ?? "",
      starts_on: contract?.starts_on ?? "",
      ends_on: contract?.ends_on ?? "",
      hours_per_month: contract?.hours_per_month != null ? String(contract.hours_per_month) : "",
      contract_notes: contract?.notes ?? "",
      reportEnabled: !!customer.report.enabled,
      recipients: (customer.report.recipients ?? []).join("\n"),
    },
    () => setSaved(false),
  );

  const submit = () => {
    const recipients = splitEmails(v.recipients);
    const found = collect({
      name: checkName(v.name),
      starts_on: v.hasContract ? checkDate(v.starts_on) : undefined,
      ends_on: v.hasContract ? checkDate(v.ends_on) : undefined,
      hours_per_month:
        v.hasContract && v.hours_per_month.trim() ? checkIntRange(v.hours_per_month, 0, 10_000, "Hours per month") : undefined,
      recipients: recipients.map(checkEmail).find(Boolean),
    });
    setErrors(found);
    if (Object.keys(found).length) return;
    const body: CustomerPatch = {
      version: customer.version ?? 0,
      name: v.name.trim(),
      status: v.status,
      notes: v.notes,
      contract: v.hasContract
        ? {
            reference: v.reference.trim() || null,
            starts_on: v.starts_on.trim() || null,
            ends_on: v.ends_on.trim() || null,
            hours_per_month: v.hours_per_month.trim() ? Number(v.hours_per_month) : null,
            notes: v.contract_notes,
          }
        : null,
      report: { enabled: v.reportEnabled, recipients },
    };
    setSaved(false);
    update.mutate(body, {
      onSuccess: () => setSaved(true),
      onError: (err) => {
        const mapped = apiFieldErrors(err, CUSTOMER_FIELDS);
        // The API names the contract's notes `contract.notes`: that is this form's contract_notes.
        if ((err as { field?: string }).field === "contract.notes") mapped.contract_notes = (err as Error).message;
        setErrors(mapped);
      },
    });
  };

  return (
    <SaveForm
      onSubmit={submit}
      saveText="Save details"
      savedText="Saved."
      saved={saved}
      saving={update.isPending}
      error={update.error}
      onReload={onReload}
      dirty={dirty}
    >
      <Container header={<Header variant="h2">Customer</Header>}>
        <SpaceBetween size="m">
          <ColumnLayout columns={2}>
            <FormField label="Name" errorText={errors.name}>
              <Input value={v.name} onChange={({ detail }) => set("name", detail.value)} />
            </FormField>
            <FormField label="Status" errorText={errors.status}>
              <Select
                selectedOption={CUSTOMER_STATUS_OPTIONS.find((o) => o.value === v.status) ?? null}
                options={CUSTOMER_STATUS_OPTIONS}
                onChange={({ detail }) => set("status", detail.selectedOption.value as CustomerStatus)}
              />
            </FormField>
          </ColumnLayout>
          <FormField label="Notes" errorText={errors.notes} stretch>
            <Textarea value={v.notes} onChange={({ detail }) => set("notes", detail.value)} rows={3} />
          </FormField>
        </SpaceBetween>
      </Container>
      <Container header={<Header variant="h2">Contract</Header>}>
        <SpaceBetween size="m">
          <Checkbox checked={v.hasContract} onChange={({ detail }) => set("hasContract", detail.checked)}>
            A contract is on file
          </Checkbox>
          {v.hasContract ? (
            <ColumnLayout columns={2}>
              <FormField label="Reference" errorText={errors.reference}>
                <Input value={v.reference} onChange={({ detail }) => set("reference", detail.value)} />
              </FormField>
              <FormField label="Hours per month" errorText={errors.hours_per_month}>
                <Input
                  type="number"
                  inputMode="numeric"
                  value={v.hours_per_month}
                  onChange={({ detail }) => set("hours_per_month", detail.value)}
                />
              </FormField>
              <FormField label="Starts on" constraintText="YYYY-MM-DD" errorText={errors.starts_on}>
                <Input value={v.starts_on} placeholder="2026-01-01" onChange={({ detail }) => set("starts_on", detail.value)} />
              </FormField>
              <FormField label="Ends on" constraintText="YYYY-MM-DD" errorText={errors.ends_on}>
                <Input value={v.ends_on} placeholder="2027-12-31" onChange={({ detail }) => set("ends_on", detail.value)} />
              </FormField>
              <FormField label="Contract notes" errorText={errors.contract_notes}>
                <Textarea value={v.contract_notes} onChange={({ detail }) => set("contract_notes", detail.value)} rows={2} />
              </FormField>
            </ColumnLayout>
          ) : null}
        </SpaceBetween>
      </Container>
      <Container header={<Header variant="h2">Monthly report</Header>}>
        <SpaceBetween size="m">
          <Checkbox checked={v.reportEnabled} onChange={({ detail }) => set("reportEnabled", detail.checked)}>
            Send the monthly report
          </Checkbox>
          <FormField label="Recipients" constraintText="One e-mail address per line (split on line breaks only)." errorText={errors.recipients}>
            <Textarea value={v.recipients} onChange={({ detail }) => set("recipients", detail.value)} rows={3} />
          </FormField>
        </SpaceBetween>
      </Container>
    </SaveForm>
  );
}
