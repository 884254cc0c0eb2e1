import Alert from "@cloudscape-design/components/alert";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useMe } from "../api/hub";
import ErrorAlert from "./ErrorAlert";
import PageLoading from "./PageLoading";
import RouterLink from "./RouterLink";
import { useDocumentTitle } from "./useDocumentTitle";

export function isAdmin(roles: readonly string[] | undefined): boolean {
  return !!roles?.includes("admin");
}

function NotAllowed({ email, roles }: { email: string; roles: string[] }) {
  useDocumentTitle("Not allowed");
  return (
    <SpaceBetween size="m">
      <Header variant="h1">Not allowed</Header>
      <Alert type="error" header="Not allowed: the admin pages need the admin role">
        You are signed in as {email}
        {roles.length ? ` with the ${roles.join(", ")} role${roles.length === 1 ? "" : "s"}` : " without any role"}. Ask an
        admin if you need to change customers, accounts, teams or approval policies.
      </Alert>
      <RouterLink href="/customers">Back to the customers</RouterLink>
    </SpaceBetween>
  );
}

/** Shows the admin pages to admins only (the API refuses everyone else's changes anyway). */
export default function RequireAdmin({ children }: { children: React.ReactNode }) {
  const me = useMe();
  if (me.isPending) return <PageLoading text="Checking your roles" />;
  if (me.isError) return <ErrorAlert error={me.error} onRetry={() => me.refetch()} />;
  if (!isAdmin(me.data.roles)) return <NotAllowed email={me.data.email ?? ""} roles={me.data.roles ?? []} />;
  return children;
}
