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
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router-dom";
import { useDemoSignIn, useDemoUsers } from "../api/dev";
import { ApiError, errorText } from "../api/errors";
import { useSession } from "../auth/session";
import ErrorAlert from "../components/ErrorAlert";
import { useDocumentTitle } from "../components/useDocumentTitle";

/** Where to go after signing in: the page asked for, if it is one of ours. */
function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/customers";
}

export default function SignIn() {
  useDocumentTitle("Sign in");
  const session = useSession();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const users = useDemoUsers();
  const signIn = useDemoSignIn();
  const [email, setEmail] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);

  if (session) return <Navigate to={next} replace />;

  const noDemo = users.error instanceof ApiError && users.error.status === 404;

  let body: React.ReactNode;
  if (users.isPending) {
    body = <StatusIndicator type="loading">Loading the demo users</StatusIndicator>;
  } else if (noDemo) {
    body = (
      <Alert type="info" header="Demo sign-in is not available here">
        This server does not offer the demo users (they exist only with{" "}
        <code>cc serve --demo</code>). Sign-in through your identity provider is not built into the
        web UI yet.
      </Alert>
    );
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
            description="Local demo only: pick who you want to be. The token lasts for this browser tab."
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
    <main style={{ maxWidth: 560, margin: "10vh auto", padding: "0 16px" }}>
      <SpaceBetween size="l">
        <Box variant="h1" fontSize="display-l">
          Customer Central
        </Box>
        <Container header={<Header variant="h2">Sign in</Header>}>{body}</Container>
      </SpaceBetween>
    </main>
  );
}
