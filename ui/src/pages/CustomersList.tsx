import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Header from "@cloudscape-design/components/header";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import TextFilter from "@cloudscape-design/components/text-filter";
import { useState } from "react";
import { useSearchParams } from "react-router-dom";
import type { Customer } from "../api/client";
import { useCustomers } from "../api/hub";
import CustomerStatusIndicator from "../components/CustomerStatusIndicator";
import ErrorAlert from "../components/ErrorAlert";
import { loadMoreFooter } from "../components/loadMoreFooter";
import RouterLink from "../components/RouterLink";
import { useDebounced } from "../components/useDebounced";
import { NOT_SEARCHABLE, searchable } from "../lib/search";
import { useDocumentTitle } from "../components/useDocumentTitle";
import { usePagedItems } from "../components/usePagedItems";
import { contractPeriod, parseStatus, STATUS_OPTIONS } from "../lib/customers";

export default function CustomersList() {
  useDocumentTitle("Customers");
  const [params, setParams] = useSearchParams();
  const status = parseStatus(params.get("status"));
  const [text, setText] = useState(params.get("q") ?? "");
  const q = useDebounced(text.trim(), 250);

  // The filter lives in the address, so a filtered list can be shared and survives a reload. The
  // address changes with each keystroke, never later: a delayed update could land after the person
  // has opened a customer (the list stays mounted while the next page loads) and send them back.
  const changeText = (value: string) => {
    setText(value);
    setParams(
      (prev) => {
        const nextParams = new URLSearchParams(prev);
        if (value.trim()) nextParams.set("q", value.trim());
        else nextParams.delete("q");
        return nextParams;
      },
      { replace: true },
    );
  };

  const setStatus = (value: string) =>
    setParams(
      (prev) => {
        const nextParams = new URLSearchParams(prev);
        if (value) nextParams.set("status", value);
        else nextParams.delete("status");
        return nextParams;
      },
      { replace: true },
    );

  const customers = useCustomers(q, status);
  const items = usePagedItems(customers.data);
  const filtered = q !== "" || status !== "";
  const clear = () => {
    setText("");
    setParams(new URLSearchParams(), { replace: true });
  };
  const statusOption = STATUS_OPTIONS.find((o) => o.value === status) ?? STATUS_OPTIONS[0]!;

  return (
    <SpaceBetween size="m">
      {customers.isError ? (
        <ErrorAlert
          header="The customers could not be loaded"
          error={customers.error}
          onRetry={() => customers.refetch()}
        />
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
            counter={
              customers.isSuccess
                ? `(${items.length}${customers.hasNextPage ? "+" : ""})`
                : undefined
            }
            description="Everyone we run AWS accounts for. Open a customer for its contacts, contract and accounts."
          >
            Customers
          </Header>
        }
        filter={
          <SpaceBetween direction="horizontal" size="xs">
            <div style={{ minWidth: 320 }}>
              <TextFilter
                filteringText={text}
                filteringPlaceholder="Find customers by name or code"
                filteringAriaLabel="Find customers by name or code"
                filteringClearAriaLabel="Clear filter text"
                countText={
                  filtered && customers.isSuccess
                    ? `${items.length}${customers.hasNextPage ? "+" : ""} ${items.length === 1 ? "match" : "matches"}`
                    : undefined
                }
                onChange={({ detail }) => changeText(detail.filteringText)}
              />
            </div>
            <Select
              selectedOption={statusOption}
              options={STATUS_OPTIONS}
              ariaLabel="Filter by status"
              onChange={({ detail }) => setStatus(detail.selectedOption.value ?? "")}
            />
          </SpaceBetween>
        }
        columnDefinitions={[
          {
            id: "name",
            header: "Name",
            isRowHeader: true,
            cell: (c) => <RouterLink href={`/customers/${encodeURIComponent(c.code)}`}>{c.name}</RouterLink>,
          },
          { id: "code", header: "Code", cell: (c) => c.code },
          { id: "status", header: "Status", cell: (c) => <CustomerStatusIndicator status={c.status} /> },
          { id: "accounts", header: "Accounts", cell: (c) => c.account_count },
          {
            id: "contract",
            header: "Contract",
            cell: (c) =>
              c.contract
                ? [c.contract.reference, contractPeriod(c.contract.starts_on, c.contract.ends_on)]
                    .filter(Boolean)
                    .join(" · ") || "Yes"
                : "—",
          },
          {
            id: "hours",
            header: "Hours / month",
            cell: (c) => c.contract?.hours_per_month ?? "—",
          },
        ]}
        empty={
          customers.isError ? (
            <Box textAlign="center" color="text-body-secondary">
              No customers to show.
            </Box>
          ) : filtered ? (
            <Box textAlign="center" color="inherit">
              <SpaceBetween size="xs">
                <Box variant="strong" color="inherit">
                  No matching customers
                </Box>
                <Box color="text-body-secondary">
                  {q && !searchable(q) ? `No customer matches this filter. ${NOT_SEARCHABLE}` : "No customer matches this filter."}
                </Box>
                <Button formAction="none" onClick={clear}>Clear filters</Button>
              </SpaceBetween>
            </Box>
          ) : (
            <Box textAlign="center" color="inherit">
              <SpaceBetween size="xs">
                <Box variant="strong" color="inherit">
                  No customers yet
                </Box>
                <Box color="text-body-secondary">An admin adds customers through the API or the CLI.</Box>
              </SpaceBetween>
            </Box>
          )
        }
        footer={loadMoreFooter(customers, "Load more customers")}
      />
    </SpaceBetween>
  );
}
