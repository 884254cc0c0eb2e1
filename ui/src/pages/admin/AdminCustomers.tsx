import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import Textarea from "@cloudscape-design/components/textarea";
import TextFilter from "@cloudscape-design/components/text-filter";
import { useEffect, useRef, useState } from "react";
import { useLocation, useNavigate } from "react-router-dom";
import { useCreateCustomer } from "../../api/admin";
import type { Customer, CustomerStatus } from "../../api/client";
import { useCustomers } from "../../api/hub";
import CustomerStatusIndicator from "../../components/CustomerStatusIndicator";
import ErrorAlert from "../../components/ErrorAlert";
import FormModal from "../../components/FormModal";
import { useUnsavedChanges } from "../../components/unsaved";
import { loadMoreFooter } from "../../components/loadMoreFooter";
import RouterLink from "../../components/RouterLink";
import { useDebounced } from "../../components/useDebounced";
import { NOT_SEARCHABLE, searchable } from "../../lib/search";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import { usePagedItems } from "../../components/usePagedItems";
import {
  apiFieldErrors,
  checkCustomerCode,
  checkName,
  collect,
  CUSTOMER_STATUS_OPTIONS,
  type FieldErrors,
} from "../../lib/admin";
import { useAttemptError } from "../../components/useAttemptError";
import { count } from "../../lib/plural";

export default function AdminCustomers() {
  useDocumentTitle("Admin: customers");
  const [text, setText] = useState("");
  const q = useDebounced(text.trim(), 250);
  const customers = useCustomers(q, "");
  const items = usePagedItems(customers.data);
  const [adding, setAdding] = useState(false);
  // Arrived from a delete: say what happened, and start keyboard focus there.
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  const noticeRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (notice) setTimeout(() => noticeRef.current?.focus(), 0);
  }, [notice]);

  return (
    <SpaceBetween size="m">
      {notice ? (
        <div ref={noticeRef} tabIndex={-1} role="status">
          <Alert type="success">{notice}</Alert>
        </div>
      ) : null}
      {customers.isError ? (
        <ErrorAlert header="The customers could not be loaded" error={customers.error} onRetry={() => customers.refetch()} />
      ) : null}
      <Table<Customer>
        wrapLines
        variant="full-page"
        trackBy="code"
        items={items}
        loading={customers.isPending}
        loadingText="Loading customers"
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={customers.data ? `(${items.length}${customers.hasNextPage ? "+" : ""})` : undefined}
            description="Add and change customers; open one to change its accounts, contacts, team and approval policy."
            actions={
              <Button variant="primary" onClick={() => setAdding(true)}>
                Add customer
              </Button>
            }
          >
            Admin: customers
          </Header>
        }
        filter={
          <TextFilter
            filteringText={text}
            filteringPlaceholder="Find customers by name or code"
            filteringAriaLabel="Find customers by name or code"
            onChange={({ detail }) => setText(detail.filteringText)}
            countText={customers.data ? count(items.length, "match", "matches") : undefined}
          />
        }
        empty={
          <Box textAlign="center" color="text-body-secondary">
            {q ? (searchable(q) ? "No matching customers." : `No matching customers. ${NOT_SEARCHABLE}`) : "No customers yet. Add the first one."}
          </Box>
        }
        columnDefinitions={[
          {
            id: "name",
            header: "Customer",
            isRowHeader: true,
            cell: (c) => <RouterLink href={`/admin/customers/${encodeURIComponent(c.code)}`}>{c.name}</RouterLink>,
          },
          { id: "code", header: "Code", cell: (c) => c.code },
          { id: "status", header: "Status", cell: (c) => <CustomerStatusIndicator status={c.status} /> },
          { id: "accounts", header: "Accounts", cell: (c) => c.account_count },
          { id: "version", header: "Version", cell: (c) => c.version ?? "—" },
        ]}
        footer={loadMoreFooter(customers, "Show more")}
      />
      {adding ? <AddCustomer onClose={() => setAdding(false)} /> : null}
    </SpaceBetween>
  );
}

const NEW_CUSTOMER_FIELDS = ["code", "name", "status", "notes"] as const;

function AddCustomer({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const create = useCreateCustomer();
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [status, setStatus] = useState<CustomerStatus>("onboarding");
  const [notes, setNotes] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [createError, edited] = useAttemptError(create.error);
  // An edit makes the last attempt's server error stale.
  const edit =
    <T,>(setter: (value: T) => void) =>
    (value: T) => {
      edited();
      setter(value);
    };
  const dirty = !!(code.trim() || name.trim() || notes.trim()) || status !== "onboarding";
  // Added: the next page is the new customer's, which is no reason to ask.
  const saved = useUnsavedChanges(dirty);

  const submit = () => {
    const found = collect({ code: checkCustomerCode(code), name: checkName(name) });
    setErrors(found);
    if (Object.keys(found).length) return;
    create.mutate(
      { code: code.trim(), name: name.trim(), status, notes },
      {
        onSuccess: (c) => {
          saved();
          navigate(`/admin/customers/${encodeURIComponent(c.code)}`);
        },
        onError: (err) => setErrors(apiFieldErrors(err, NEW_CUSTOMER_FIELDS)),
      },
    );
  };

  return (
    <FormModal
      header="Add customer"
      onClose={onClose}
      onSubmit={submit}
      submitText="Add customer"
      submitting={create.isPending}
      dirty={dirty}
    >
      <Form>
        <SpaceBetween size="m">
          {createError ? <ErrorAlert header="Not added" error={createError} /> : null}
          <FormField label="Code" description="A short lower-case slug; it cannot be changed later." errorText={errors.code}>
            <Input value={code} onChange={({ detail }) => edit(setCode)(detail.value)} placeholder="acme-retail" />
          </FormField>
          <FormField label="Name" errorText={errors.name}>
            <Input value={name} onChange={({ detail }) => edit(setName)(detail.value)} placeholder="Acme Retail" />
          </FormField>
          <FormField label="Status" errorText={errors.status}>
            <Select
              selectedOption={CUSTOMER_STATUS_OPTIONS.find((o) => o.value === status) ?? null}
              options={CUSTOMER_STATUS_OPTIONS}
              onChange={({ detail }) => edit(setStatus)(detail.selectedOption.value as CustomerStatus)}
            />
          </FormField>
          <FormField label="Notes" errorText={errors.notes}>
            <Textarea value={notes} onChange={({ detail }) => edit(setNotes)(detail.value)} rows={3} />
          </FormField>
        </SpaceBetween>
      </Form>
    </FormModal>
  );
}
