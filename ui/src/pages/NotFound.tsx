import Box from "@cloudscape-design/components/box";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import RouterLink from "../components/RouterLink";
import { useDocumentTitle } from "../components/useDocumentTitle";

export default function NotFound() {
  useDocumentTitle("Not found");
  return (
    <ContentLayout header={<Header variant="h1">Page not found</Header>}>
      <Box>
        There is no page at this address. Go to the <RouterLink href="/customers">customers</RouterLink>{" "}
        or press Ctrl+K to find a customer or account.
      </Box>
    </ContentLayout>
  );
}
