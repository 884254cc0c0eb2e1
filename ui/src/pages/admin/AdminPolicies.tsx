import Box from "@cloudscape-design/components/box";
import Header from "@cloudscape-design/components/header";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { useQueries } from "@tanstack/react-query";
import { useMemo } from "react";
import { adminKeys } from "../../api/admin";
import { api, unwrap, type Customer } from "../../api/client";
import { errorText } from "../../api/errors";
import { useCustomers } from "../../api/hub";
import ErrorAlert from "../../components/ErrorAlert";
import RouterLink from "../../components/RouterLink";
import { useDocumentTitle } from "../../components/useDocumentTitle";

const minutes = (m: number) => (m % 60 === 0 ? `${m / 60} h` : `${m} min`);

/** Every customer's approval policy at a glance (one request per customer: there is no list route). */
export default function AdminPolicies() {
  useDocumentTitle("Admin: approval policies");
  const customers = useCustomers("", "");
  const items = useMemo(() => customers.data?.pages.flatMap((p) => p.items) ?? [], [customers.data]);
  const policies = useQueries({
    queries: items.map((c) => ({
      queryKey: adminKeys.policy(c.code),
      queryFn: async ({ signal }: { signal: AbortSignal }) =>
        unwrap(await api.GET("/api/v1/customers/{code}/approval-policy", { params: { path: { code: c.code } }, signal })),
    })),
  });
  const byCode = new Map(items.map((c, i) => [c.code, policies[i]]));
  const cell = (c: Customer, render: (p: NonNullable<(typeof policies)[number]["data"]>) => React.ReactNode) => {
    const q = byCode.get(c.code);
    if (!q || q.isPending) return <StatusIndicator type="loading">Loading</StatusIndicator>;
    if (q.isError) return <StatusIndicator type="error">{errorText(q.error)}</StatusIndicator>;
    return render(q.data);
  };

  return (
    <>
      {customers.isError ? <ErrorAlert error={customers.error} onRetry={() => customers.refetch()} /> : null}
      <Table<Customer>
        variant="full-page"
        trackBy="code"
        items={items}
        loading={customers.isPending}
        loadingText="Loading customers"
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={customers.data ? `(${items.length})` : undefined}
            description="How breakglass requests are approved for each customer. Open one to change it."
          >
            Admin: approval policies
          </Header>
        }
        empty={<Box textAlign="center" color="text-body-secondary">No customers yet.</Box>}
        columnDefinitions={[
          {
            id: "customer",
            header: "Customer",
            isRowHeader: true,
            cell: (c) => (
              <RouterLink href={`/admin/customers/${encodeURIComponent(c.code)}?tab=policy`} ariaLabel={`${c.name}: change the approval policy`}>
                {c.name}
              </RouterLink>
            ),
          },
          { id: "approvals", header: "Approvals needed", cell: (c) => cell(c, (p) => p.approvals_required) },
          { id: "roles", header: "Approver roles", cell: (c) => cell(c, (p) => p.approver_roles.join(", ")) },
          { id: "max", header: "Longest grant", cell: (c) => cell(c, (p) => minutes(p.max_duration_minutes)) },
          { id: "window", header: "Approval window", cell: (c) => cell(c, (p) => minutes(p.approval_window_minutes)) },
          {
            id: "ticket",
            header: "Ticket",
            cell: (c) => cell(c, (p) => (p.ticket_required ? `Required${p.ticket_pattern ? ` (${p.ticket_pattern})` : ""}` : "Optional")),
          },
          { id: "source", header: "Policy", cell: (c) => cell(c, (p) => ((p.version ?? 0) === 0 ? "Defaults" : `Version ${p.version}`)) },
        ]}
      />
    </>
  );
}
