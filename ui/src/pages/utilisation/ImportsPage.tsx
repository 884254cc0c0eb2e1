import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import RequireAdmin from "../../components/RequireAdmin";
import RouterLink from "../../components/RouterLink";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import ImportCard from "../../utilisation/ImportCard";

/** CSV imports of contracts and worklogs (admin), when Salesforce or JIRA cannot be read (`/utilisation/imports`). */
export default function ImportsPage() {
  useDocumentTitle("Utilisation imports");
  return (
    <RequireAdmin>
      <ContentLayout
        header={
          <Header
            variant="h1"
            description="Contracts and timesheet hours from CSV files, for when Salesforce or JIRA cannot be read. The daily sync reads them otherwise."
            actions={<RouterLink href="/utilisation/runs">Sync runs</RouterLink>}
          >
            Utilisation imports
          </Header>
        }
      >
        <SpaceBetween size="l">
          <ImportCard kind="contracts" />
          <ImportCard kind="worklogs" />
        </SpaceBetween>
      </ContentLayout>
    </RequireAdmin>
  );
}
