import Box from "@cloudscape-design/components/box";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import RadioGroup from "@cloudscape-design/components/radio-group";
import Select, { type SelectProps } from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useState } from "react";
import { useCustomerUtilisation, usePutTaskCodes, type TaskCodeMapping, type TaskCodes } from "../api/utilisation";
import CustomerSelect from "../components/CustomerSelect";
import FormModal from "../components/FormModal";
import SaveError from "../components/SaveError";
import { useAttemptError } from "../components/useAttemptError";
import { useFocusFirstError } from "../components/useFocusFirstError";
import { csvPlace, checkCode, mappingCode, mappingProblems, normaliseCode, withMapping } from "../lib/utilisation";

const NO_CONTRACT: SelectProps.Option = {
  value: "",
  label: "No contract",
  description: "The customer's hours, outside any contract",
};

/**
 * Adds or edits one task code mapping (admin): the whole list is sent with the change, at the
 * version read; a stale version says "Changed by someone else — reload" and Reload refetches the
 * list, so saving again applies the change to the latest one.
 */
export default function MappingModal({
  taskCodes,
  editing,
  initial,
  customerNames,
  onReload,
  onClose,
  onSaved,
}: {
  /** The list and version as the page has them now (after a Reload, the fresh ones). */
  taskCodes: TaskCodes;
  /** The mapping being edited; none: a new one. */
  editing?: TaskCodeMapping;
  /** A new mapping's values (from the unmapped hours' "Map"). */
  initial?: Partial<TaskCodeMapping>;
  customerNames?: Map<string, string>;
  onReload: () => Promise<unknown>;
  onClose: () => void;
  onSaved: (mapping: TaskCodeMapping) => void;
}) {
  const start = editing ?? initial ?? {};
  const [code, setCode] = useState(start.code ?? "");
  const [prefix, setPrefix] = useState(!!start.prefix);
  const [customer, setCustomer] = useState<SelectProps.Option | null>(
    start.customer ? { value: start.customer, label: customerNames?.get(start.customer) ?? start.customer, description: start.customer } : null,
  );
  const [contract, setContract] = useState(start.contract ?? "");
  const [tried, setTried] = useState(false);
  const [listProblem, setListProblem] = useState<string>();
  const [row, setRow] = useState(0);
  const put = usePutTaskCodes();
  const [shownError, edited] = useAttemptError(put.error);
  const [formRef, invalidSubmit] = useFocusFirstError<HTMLFormElement>();
  const contracts = useCustomerUtilisation(customer?.value ?? "", !!customer?.value);
  const contractOptions: SelectProps.Option[] = [
    NO_CONTRACT,
    ...(contracts.data?.contracts ?? []).map((c) => ({
      value: c.contract.id,
      label: c.contract.name ? `${c.contract.name} (${c.contract.id})` : c.contract.id,
      description: `${c.contract.start} – ${c.contract.end}`,
    })),
  ];
  const selectedContract =
    contractOptions.find((o) => o.value === contract) ?? (contract ? { value: contract, label: contract } : NO_CONTRACT);
  const server = shownError ? mappingProblems(shownError, row) : { fields: {}, others: [] };
  const errors = {
    code: (tried ? checkCode(code) : undefined) ?? listProblem ?? server.fields.code,
    customer: (tried && !customer?.value ? "Choose a customer." : undefined) ?? server.fields.customer,
    contract: server.fields.contract,
  };
  const dirty = editing
    ? normaliseCode(code) !== editing.code ||
      prefix !== !!editing.prefix ||
      customer?.value !== editing.customer ||
      (contract || null) !== (editing.contract ?? null)
    : !!code.trim() && code !== (initial?.code ?? "") || !!customer;
  const change = () => {
    edited();
    setListProblem(undefined);
  };

  const submit = () => {
    setTried(true);
    if (checkCode(code) || !customer?.value) {
      invalidSubmit();
      return;
    }
    const next: TaskCodeMapping = { code: normaliseCode(code), prefix, customer: customer.value, contract: contract || null };
    const list = withMapping(taskCodes.mappings, next, editing);
    if ("problem" in list) {
      setListProblem(list.problem);
      invalidSubmit();
      return;
    }
    setRow(list.row);
    put.mutate({ mappings: list.mappings, version: taskCodes.version ?? 0 }, { onSuccess: () => onSaved(next) });
  };

  return (
    <FormModal
      header={editing ? `Edit the mapping of ${mappingCode(editing)}` : "Add a task code mapping"}
      onClose={onClose}
      onSubmit={submit}
      submitText={editing ? "Save mapping" : "Add mapping"}
      submitting={put.isPending}
      formRef={formRef}
      dirty={dirty}
    >
      <SpaceBetween size="m">
        <SaveError
          error={shownError}
          onReload={async () => {
            await onReload();
            // The latest list is here: the next save applies this change to it.
            put.reset();
          }}
        />
        {server.others.length ? (
          <Box color="text-status-error">
            Other mappings were refused too:{" "}
            {server.others.map((p) => `${csvPlace(p.row)}${p.field ? ` (${p.field})` : ""}: ${p.message}`).join("; ")}
          </Box>
        ) : null}
        <FormField
          label="Task code"
          description="A JIRA issue key or project prefix, as logged on the timesheets (kept in upper case)."
          errorText={errors.code}
        >
          <Input
            value={code}
            onChange={({ detail }) => {
              change();
              setCode(detail.value);
            }}
            placeholder="OPS-1234 or ACME-"
            ariaRequired
          />
        </FormField>
        <FormField label="Match" description="An exact mapping wins over any prefix; among prefixes, the longest wins.">
          <RadioGroup
            value={prefix ? "prefix" : "exact"}
            onChange={({ detail }) => {
              change();
              setPrefix(detail.value === "prefix");
            }}
            items={[
              { value: "exact", label: "This code exactly", description: "OPS-1234 maps OPS-1234 only." },
              { value: "prefix", label: "Every code starting with it", description: "ACME- maps ACME-1, ACME-22, ..." },
            ]}
            ariaLabel="Match"
          />
        </FormField>
        <FormField label="Customer" errorText={errors.customer}>
          <CustomerSelect
            selected={customer}
            invalid={!!errors.customer}
            empty="No matching customer"
            ariaLabel="Customer"
            onChange={(o) => {
              change();
              setCustomer(o);
              setContract("");
            }}
          />
        </FormField>
        <FormField
          label="Contract"
          description="Which of the customer's contracts the hours count for."
          errorText={errors.contract}
        >
          <Select
            selectedOption={selectedContract}
            options={contractOptions}
            onChange={({ detail }) => {
              change();
              setContract(detail.selectedOption.value ?? "");
            }}
            disabled={!customer?.value}
            statusType={contracts.isFetching ? "loading" : contracts.isError ? "error" : "finished"}
            loadingText="Loading the customer's contracts"
            errorText={contracts.isError ? contracts.error.message : undefined}
            ariaLabel="Contract"
          />
        </FormField>
      </SpaceBetween>
    </FormModal>
  );
}
