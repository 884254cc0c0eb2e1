import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useParams } from "react-router-dom";
import { useCustomerOverview, useMe } from "../../api/hub";
import { useCustomerUtilisation } from "../../api/utilisation";
import { Breadcrumbs, detailState } from "../../components/DetailPage";
import RefreshButton from "../../components/RefreshButton";
import { isAdmin } from "../../components/RequireAdmin";
import RouterLink from "../../components/RouterLink";
import TableEmpty from "../../components/TableEmpty";
import { LONG_TOKENS } from "../../components/Wrap";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import ContractsTable from "../../utilisation/ContractsTable";

/** One customer's contracts and where each stands (`/customers/{code}/utilisation`). */
export default function CustomerUtilisation() {
  const { code = "" } = useParams();
  const customer = useCustomerOverview(code);
  const name = customer.data?.customer.name;
  useDocumentTitle(name ? `${name}: utilisation` : code);
  const crumbs = [
    { text: "Customers", href: "/customers" },
    { text: name ?? code, href: `/customers/${encodeURIComponent(code)}` },
    { text: "Utilisation", href: `/customers/${encodeURIComponent(code)}/utilisation` },
  ];
  if (customer.isPending || customer.isError) {
    return detailState(customer, {
      crumbs,
      loading: "Loading the customer",
      title: code,
      back: { text: "Back to utilisation", href: "/utilisation" },
    });
  }
  return <Contracts code={code} name={customer.data.customer.name} breadcrumbs={<Breadcrumbs items={crumbs} />} />;
}

function Contracts({ code, name, breadcrumbs }: { code: string; name: string; breadcrumbs: React.ReactNode }) {
  const utilisation = useCustomerUtilisation(code);
  const me = useMe();
  const admin = isAdmin(me.data?.roles);
  const contracts = utilisation.data?.contracts ?? [];
  return (
    <ContentLayout
      breadcrumbs={breadcrumbs}
      header={
        <Header
          variant="h1"
          description={
            utilisation.data
              ? `As of ${utilisation.data.as_of} (UTC): hours logged on the contracts' task codes against what each contract entitles ${name} to. Current contracts first.`
              : "Hours logged against what each contract entitles the customer to."
          }
          actions={
            <SpaceBetween direction="horizontal" size="m" alignItems="center">
              <RouterLink href={`/customers/${encodeURIComponent(code)}`}>Customer details</RouterLink>
              <RouterLink href="/utilisation/task-codes">Task codes</RouterLink>
              <RefreshButton query={utilisation} />
            </SpaceBetween>
          }
        >
          <span style={LONG_TOKENS}>{name}: utilisation</span>
        </Header>
      }
    >
      <ContractsTable
        items={contracts}
        loading={utilisation.isPending}
        ariaLabel={`${name}'s contracts`}
        header={
          <Header
            variant="h2"
            counter={utilisation.isSuccess ? `(${contracts.length})` : undefined}
            description={
              <>
                From Salesforce or a CSV import, with the hours each entitles {name} to. The commercial contract recorded in the hub
                is on <RouterLink href={`/customers/${encodeURIComponent(code)}`}>{name}'s page</RouterLink>.
              </>
            }
          >
            Utilisation contracts
          </Header>
        }
        empty={
          <TableEmpty query={utilisation}>
            <SpaceBetween size="xxs">
              <b>No contracts for {name}</b>
              <span>
                Contracts come from Salesforce with the daily sync
                {admin ? (
                  <>
                    , or from a <RouterLink href="/utilisation/imports">contracts CSV import</RouterLink>
                  </>
                ) : (
                  ", or from an admin's CSV import"
                )}
                .
              </span>
            </SpaceBetween>
          </TableEmpty>
        }
      />
    </ContentLayout>
  );
}
