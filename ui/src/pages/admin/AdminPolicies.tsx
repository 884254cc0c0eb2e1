import Box from "@cloudscape-design/components/box";
import Header from "@cloudscape-design/components/header";
import Table from "@cloudscape-design/components/table";
import { usePolicies, type CustomerPolicy } from "../../api/admin";
import ErrorAlert from "../../components/ErrorAlert";
import { loadMoreFooter } from "../../components/loadMoreFooter";
import RouterLink from "../../components/RouterLink";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import { usePagedItems } from "../../components/usePagedItems";

const minutes = (m: number) => (m % 60 === 0 ? `${m / 60} h` : `${m} min`);

/** Every customer's approval policy at a glance (`GET /approval-policies`, 200 customers a page). */
export default function AdminPolicies() {
  useDocumentTitle("Admin: approval policies");
  const policies = usePolicies();
  const items = usePagedItems(policies.data);

  return (
    <>
      {policies.isError ? <ErrorAlert error={policies.error} onRetry={() => policies.refetch()} /> : null}
      <Table<CustomerPolicy>
        wrapLines
        variant="full-page"
        trackBy="customer"
        items={items}
        loading={policies.isPending}
        loadingText="Loading approval policies"
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={policies.data ? `(${items.length}${policies.hasNextPage ? "+" : ""})` : undefined}
            description="How breakglass requests are approved for each customer. Open one to change it."
          >
            Admin: approval policies
          </Header>
        }
        empty={<Box textAlign="center" color="text-body-secondary">No customers yet.</Box>}
        footer={loadMoreFooter(policies, "Load more customers")}
        columnDefinitions={[
          {
            id: "customer",
            header: "Customer",
            isRowHeader: true,
            cell: (c) => (
              <RouterLink
                href={`/admin/customers/${encodeURIComponent(c.customer)}?tab=policy`}
                ariaLabel={`${c.customer_name}: change the approval policy`}
              >
                {c.customer_name}
              </RouterLink>
            ),
          },
          { id: "approvals", header: "Approvals needed", cell: ({ policy: p }) => p.approvals_required },
          { id: "roles", header: "Approver roles", cell: ({ policy: p }) => p.approver_roles.join(", ") },
          { id: "max", header: "Longest grant", cell: ({ policy: p }) => minutes(p.max_duration_minutes) },
          { id: "window", header: "Approval window", cell: ({ policy: p }) => minutes(p.approval_window_minutes) },
          {
            id: "ticket",
            header: "Ticket",
            cell: ({ policy: p }) => (p.ticket_required ? `Required${p.ticket_pattern ? ` (${p.ticket_pattern})` : ""}` : "Optional"),
          },
          { id: "source", header: "Policy", cell: ({ policy: p }) => ((p.version ?? 0) === 0 ? "Defaults" : `Version ${p.version}`) },
        ]}
      />
    </>
  );
}
