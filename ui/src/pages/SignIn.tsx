import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import RadioGroup from "@cloudscape-design/components/radio-group";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router-dom";
import { useDemoSignIn, useDemoUsers } from "../api/dev";
import { ApiError, errorText, thrownMessage } from "../api/errors";
import { uiConfigQuery } from "../auth/config";
import { startSignIn, userManager } from "../auth/oidc";
import { safeReturnTo } from "../auth/returnTo";
import { sessionExpired, useSession } from "../auth/session";
import AuthFrame from "../components/AuthFrame";
import ErrorAlert from "../components/ErrorAlert";
import { useDocumentTitle } from "../components/useDocumentTitle";

/** "Sign in with your organisation": authorization code + PKCE at the team's identity provider. */
function OrganisationSignIn({ issuer, start }: { issuer: string; start: () => Promise<void> }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <SpaceBetween size="s">
      <Button
        variant="primary"
        loading={pending}
        onClick={() => {
          setPending(true);
          setError(null);
          start().catch((e: unknown) => {
            setPending(false);
            setError(thrownMessage(e));
          });
        }}
      >
        Sign in with your organisation
      </Button>
      <Box color="text-body-secondary" fontSize="body-s">
        Through {new URL(issuer).host}.
      </Box>
      {error ? (
        <Alert type="error" header="Could not reach the identity provider">
          {error}
        </Alert>
      ) : null}
    </SpaceBetween>
  );
}

export default function SignIn() {
  useDocumentTitle("Sign in");
  const session = useSession();
  const [params] = useSearchParams();
  const next = safeReturnTo(params.get("next"));
  const config = useQuery(uiConfigQuery);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const users = useDemoUsers();
  const signIn = useDemoSignIn();
  const [email, setEmail] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);

  if (session) return <Navigate to={next} replace />;

  const noDemo = users.error instanceof ApiError && users.error.status === 404;
  const oidc = config.data?.oidc ?? null;
  const expired = sessionExpired();

  let body: React.ReactNode;
  if (users.isPending || config.isPending) {
    body = <StatusIndicator type="loading">Loading the demo users</StatusIndicator>;
  } else if (config.isError) {
    body = (
      <Alert type="error" header="Sign-in is not configured correctly">
        {config.error.message}
      </Alert>
    );
  } else if (noDemo && !oidc) {
    body = (
      <Alert type="info" header="Demo sign-in is not available here">
        This server does not offer the demo users (they exist only with{" "}
        <code>cc serve --demo</code>), and no identity provider is configured (the deployed stack
        writes one into <code>/config.json</code>).
      </Alert>
    );
  } else if (noDemo && oidc) {
    body = <OrganisationSignIn issuer={oidc.issuer} start={async () => startSignIn(await userManager(oidc), next)} />;
  } else if (users.isError) {
    body = <ErrorAlert error={users.error} onRetry={() => users.refetch()} />;
  } else if (users.data.length === 0) {
    body = <Box color="text-body-secondary">There are no demo users.</Box>;
  } else {
    body = (
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setTouched(true);
          if (!email) return;
          signIn.mutate(email, {
            onSuccess: () => {
              queryClient.clear();
              navigate(next, { replace: true });
            },
          });
        }}
      >
        <Form
          actions={
            <Button variant="primary" formAction="submit" loading={signIn.isPending}>
              Sign in
            </Button>
          }
          errorText={signIn.isError ? errorText(signIn.error) : undefined}
        >
          <FormField
            label="Demo user"
            description="Local demo only: pick who you want to be. Every tab of this browser shares the sign-in until you sign out or it expires."
            errorText={touched && !email ? "Choose a demo user." : undefined}
          >
            <RadioGroup
              value={email}
              onChange={({ detail }) => setEmail(detail.value)}
              items={users.data.map((user) => ({
                value: user.email,
                label: user.email,
                description: `Roles: ${user.roles.join(", ")}`,
              }))}
            />
          </FormField>
        </Form>
      </form>
    );
  }

  return (
    <AuthFrame>
      {expired ? (
        <Alert type="warning" header="Your session has expired">
          Sign in again to carry on.
        </Alert>
      ) : null}
      <Container header={<Header variant="h2">Sign in</Header>}>
        <SpaceBetween size="l">
          {oidc && !noDemo && !users.isPending ? (
            <OrganisationSignIn issuer={oidc.issuer} start={async () => startSignIn(await userManager(oidc), next)} />
          ) : null}
          {body}
        </SpaceBetween>
      </Container>
    </AuthFrame>
  );
}
