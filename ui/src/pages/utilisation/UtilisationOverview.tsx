import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useMemo } from "react";
import { useNavigate } from "react-router-dom";
import { useCustomers } from "../../api/hub";
import { useCustomersUtilisation, useTaskCodes } from "../../api/utilisation";
import CustomerSelect from "../../components/CustomerSelect";
import ErrorAlert from "../../components/ErrorAlert";
import RouterLink from "../../components/RouterLink";
import TableEmpty from "../../components/TableEmpty";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import { attentionSummary, byAttention } from "../../lib/utilisation";
import ContractsTable from "../../utilisation/ContractsTable";

/** At most this many customers' contracts are fetched for the overview (one request each). */
const MAX_CUSTOMERS = 40;

/**
 * Utilisation at a glance (`/utilisation`): pick a customer for its contracts, or read the contracts
 * of the customers whose hours are tracked (those with task code mappings), those most in need of a
 * look first.
 */
export default function UtilisationOverview() {
  useDocumentTitle("Utilisation");
  const navigate = useNavigate();
  const taskCodes = useTaskCodes();
  const tracked = useMemo(
    () => [...new Set((taskCodes.data?.mappings ?? []).map((m) => m.customer))].sort(),
    [taskCodes.data],
  );
  const shown = tracked.slice(0, MAX_CUSTOMERS);
  const queries = useCustomersUtilisation(shown);
  const customers = useCustomers("", "");
  const names = useMemo(
    () => new Map((customers.data?.pages ?? []).flatMap((p) => p.items).map((c) => [c.code, c.name])),
    [customers.data],
  );
  const loading = taskCodes.isPending || queries.some((q) => q.isPending);
  const failed = queries.find((q) => q.isError);
  const contracts = useMemo(
    () => byAttention(queries.flatMap((q) => q.data?.contracts ?? [])),
    // The queries array is new on every render; their data is what matters.
    [queries.map((q) => q.dataUpdatedAt).join(",")],
  );
  const asOf = queries.find((q) => q.data)?.data?.as_of;
  const summary = attentionSummary(contracts.map((c) => c.usage));

  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="What each customer's contract entitles it to, against the hours the team logged on its task codes."
        >
          Utilisation
        </Header>
      }
    >
      <SpaceBetween size="l">
        <Container header={<Header variant="h2">A customer's contracts</Header>}>
          <FormField label="Customer" description="Any customer, by name or code: opens its contracts.">
            <div style={{ maxWidth: 480 }}>
              <CustomerSelect
                selected={null}
                invalid={false}
                empty="No matching customer"
                ariaLabel="Customer"
                onChange={(o) => o.value && navigate(`/customers/${encodeURIComponent(o.value)}/utilisation`)}
              />
            </div>
          </FormField>
        </Container>
        {failed ? <ErrorAlert error={failed.error} onRetry={() => failed.refetch()} /> : null}
        {tracked.length > MAX_CUSTOMERS ? (
          <Alert type="info">
            Showing the first {MAX_CUSTOMERS} of {tracked.length} customers with task code mappings; pick a customer above for the
            others.
          </Alert>
        ) : null}
        <ContractsTable
          items={contracts}
          loading={loading}
          customerNames={names}
          ariaLabel="Contracts of the customers with task code mappings"
          header={
            <Header
              variant="h2"
              counter={loading ? undefined : `(${contracts.length})`}
              description={
                loading
                  ? "Customers whose task codes are mapped."
                  : `${asOf ? `As of ${asOf} (UTC). ` : ""}Customers whose task codes are mapped; most in need of a look first.${summary ? ` ${summary}.` : ""}`
              }
            >
              Contracts
            </Header>
          }
          empty={
            <TableEmpty query={taskCodes}>
              <SpaceBetween size="xxs">
                <b>No contracts to show</b>
                <span>
                  Hours count for a customer once its task codes are mapped: see <RouterLink href="/utilisation/task-codes">Task codes</RouterLink>{" "}
                  and <RouterLink href="/utilisation/unmapped">Unmapped hours</RouterLink>.
                </span>
              </SpaceBetween>
            </TableEmpty>
          }
        />
        <Box variant="small" color="text-body-secondary">
          The burn rate is the hours a week over the last 90 days; the forecast and the day the hours run out assume it goes on.
          An allocation is consistently exceeded when 3 of the last 4 complete months went over it.
        </Box>
      </SpaceBetween>
    </ContentLayout>
  );
}
