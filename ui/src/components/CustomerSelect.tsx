import Select, { type SelectProps } from "@cloudscape-design/components/select";
import { useState } from "react";
import { useCustomers } from "../api/hub";
import { count } from "../lib/plural";
import { freshOptions } from "../lib/search";
import { useDebounced } from "./useDebounced";

/** A customer picked from the API's search (by name or code), never from an older query's answer. */
export default function CustomerSelect({
  exclude,
  empty = "No other matching customer",
  ariaLabel,
  selected,
  onChange,
  invalid,
}: {
  /** A customer not offered (the one an account is moved from). */
  exclude?: string;
  empty?: string;
  ariaLabel?: string;
  selected: SelectProps.Option | null;
  onChange: (option: SelectProps.Option) => void;
  invalid: boolean;
}) {
  const [typed, setTyped] = useState("");
  const q = useDebounced(typed.trim(), 200);
  const customers = useCustomers(q, "");
  const fresh = freshOptions(typed, q, {
    data: customers.data?.pages.flatMap((p) => p.items),
    isPlaceholderData: customers.isPlaceholderData,
    isError: customers.isError,
  });
  const options = fresh.items
    .filter((c) => c.code !== exclude)
    .map((c) => ({ value: c.code, label: c.name, description: `${c.code} · ${c.status} · ${count(c.account_count, "account")}` }));
  return (
    <Select
      selectedOption={selected}
      onChange={({ detail }) => onChange(detail.selectedOption)}
      options={options}
      filteringType="manual"
      filteringPlaceholder="Search customers by name or code"
      filteringAriaLabel="Search customers by name or code"
      onLoadItems={({ detail }) => setTyped(detail.filteringText)}
      statusType={fresh.status}
      loadingText="Finding customers"
      errorText={customers.isError ? customers.error.message : undefined}
      recoveryText="Retry"
      empty={empty}
      ariaLabel={ariaLabel}
      placeholder="Choose a customer"
      ariaRequired
      invalid={invalid}
      virtualScroll={false}
    />
  );
}
