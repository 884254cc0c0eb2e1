import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useMe } from "../../api/hub";
import { useCustomerUtilisation } from "../../api/utilisation";
import CustomerSection from "../../components/CustomerSection";
import RefreshButton from "../../components/RefreshButton";
import { isAdmin } from "../../components/RequireAdmin";
import RouterLink from "../../components/RouterLink";
import TableEmpty from "../../components/TableEmpty";
import { LONG_TOKENS } from "../../components/Wrap";
import ContractsTable from "../../utilisation/ContractsTable";

/** One customer's contracts and where each stands (`/customers/{code}/utilisation`). */
export default function CustomerUtilisation() {
  return (
    <CustomerSection label="Utilisation" segment="utilisation" back={{ text: "Back to utilisation", href: "/utilisation" }}>
      {(code, name, breadcrumbs) => <Contracts code={code} name={name} breadcrumbs={breadcrumbs} />}
    </CustomerSection>
  );
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
