import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import ExpandableSection from "@cloudscape-design/components/expandable-section";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useMemo } from "react";
import { useNavigate } from "react-router-dom";
import { usePortfolio } from "../../api/utilisation";
import CustomerSelect from "../../components/CustomerSelect";
import RefreshButton from "../../components/RefreshButton";
import RouterLink from "../../components/RouterLink";
import TableEmpty from "../../components/TableEmpty";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import { count } from "../../lib/plural";
import { attentionSummary, splitPortfolio } from "../../lib/utilisation";
import PortfolioTable from "../../utilisation/PortfolioTable";

/**
 * Utilisation at a glance (`/utilisation`): pick a customer for its contracts, or read every
 * customer's current contracts (one request: the portfolio), those most in need of a look first;
 * the customers without a current contract are named apart, folded away.
 */
export default function UtilisationOverview() {
  useDocumentTitle("Utilisation");
  const navigate = useNavigate();
  const portfolio = usePortfolio();
  const { current, without } = useMemo(() => splitPortfolio(portfolio.data?.customers ?? []), [portfolio.data]);
  const contracts = current.flatMap((c) => c.contracts);
  const summary = attentionSummary(contracts);
  const asOf = portfolio.data?.as_of;

  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="What each customer's contract entitles it to, against the hours the team logged on its task codes."
          actions={
            <SpaceBetween direction="horizontal" size="m" alignItems="center">
              <RouterLink href="/utilisation/team">Team</RouterLink>
              <RefreshButton query={portfolio} />
            </SpaceBetween>
          }
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
        <PortfolioTable
          customers={current}
          loading={portfolio.isPending}
          header={
            <Header
              variant="h2"
              counter={portfolio.data ? `(${contracts.length})` : undefined}
              description={
                portfolio.data
                  ? `As of ${asOf} (UTC). Every customer's contracts not yet ended; most in need of a look first.${summary ? ` ${summary}.` : ""}`
                  : "Every customer's contracts not yet ended."
              }
            >
              Current contracts
            </Header>
          }
          empty={
            <TableEmpty query={portfolio}>
              <SpaceBetween size="xxs">
                <b>No current contracts</b>
                <span>Contracts come from Salesforce with the daily sync, or from an admin's CSV import.</span>
              </SpaceBetween>
            </TableEmpty>
          }
        />
        {without.length ? (
          <ExpandableSection variant="container" headerText={`${count(without.length, "customer")} without a current contract`}>
            <SpaceBetween size="xs">
              <Box color="text-body-secondary">None of their contracts runs today or starts later; open one for its past contracts, if any.</Box>
              <Box>
                {without.map((c, i) => (
                  <span key={c.customer}>
                    {i > 0 ? " · " : null}
                    <RouterLink href={`/customers/${encodeURIComponent(c.customer)}/utilisation`}>{c.name}</RouterLink>
                  </span>
                ))}
              </Box>
            </SpaceBetween>
          </ExpandableSection>
        ) : null}
        <Box variant="small" color="text-body-secondary">
          The burn rate is the hours a week over the last 90 days; the forecast and the day the hours run out assume it goes on.
          An allocation is consistently exceeded when 3 of the last 4 complete months went over it. Hours count once their task
          codes are mapped: see <RouterLink href="/utilisation/task-codes">Task codes</RouterLink> and{" "}
          <RouterLink href="/utilisation/unmapped">Unmapped hours</RouterLink>.
        </Box>
      </SpaceBetween>
    </ContentLayout>
  );
}
