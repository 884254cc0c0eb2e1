// /auth/callback: the identity provider sends the browser back here with ?code=&state=; finish the
// sign-in and go back to the page the person came from.
import Alert from "@cloudscape-design/components/alert";
import Link from "@cloudscape-design/components/link";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router-dom";
import { thrownMessage } from "../api/errors";
import { uiConfigQuery } from "../auth/config";
import { completeSignInOnce, userManager } from "../auth/oidc";
import AuthFrame from "../components/AuthFrame";
import { useDocumentTitle } from "../components/useDocumentTitle";

export default function AuthCallback() {
  useDocumentTitle("Signing in");
  const config = useQuery(uiConfigQuery);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (config.isError) {
      setError(thrownMessage(config.error));
      return;
    }
    if (!config.data) return;
    const oidc = config.data.oidc;
    if (!oidc) {
      setError("This server has no identity provider configured.");
      return;
    }
    let active = true;
    userManager(oidc)
      .then((m) => completeSignInOnce(m, window.location.href))
      .then((returnTo) => {
        if (!active) return;
        queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== "ui-config" });
        navigate(returnTo, { replace: true });
      })
      .catch((e: unknown) => active && setError(thrownMessage(e)));
    return () => {
      active = false;
    };
  }, [config.data, config.isError, config.error, navigate, queryClient]);

  return (
    <AuthFrame>
      {error ? (
        <Alert type="error" header="Sign-in did not complete">
          {error} <Link href="/sign-in">Sign in again</Link>
        </Alert>
      ) : (
        <StatusIndicator type="loading">Signing you in</StatusIndicator>
      )}
    </AuthFrame>
  );
}
