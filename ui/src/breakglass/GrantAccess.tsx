import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import CopyToClipboard from "@cloudscape-design/components/copy-to-clipboard";
import Link from "@cloudscape-design/components/link";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useConsoleSignIn, useCredentials } from "../api/breakglass";
import ErrorAlert from "../components/ErrorAlert";
import { credentialProcessLine, envExports, processJson } from "../lib/breakglass";
import { when } from "./format";

function CodeBlock({ label, text, copyLabel }: { label: string; text: string; copyLabel: string }) {
  return (
    <SpaceBetween size="xxs">
      <SpaceBetween direction="horizontal" size="xs" alignItems="center">
        <Box variant="h4" tagOverride="h3">
          {label}
        </Box>
        <CopyToClipboard
          variant="button"
          textToCopy={text}
          copyButtonText={copyLabel}
          copyButtonAriaLabel={copyLabel}
          copySuccessText="Copied"
          copyErrorText="Could not copy; select the text instead"
        />
      </SpaceBetween>
      <Box variant="code">
        <pre style={{ margin: 0, whiteSpace: "pre-wrap", wordBreak: "break-all" }} aria-label={label} tabIndex={0}>
          {text}
        </pre>
      </Box>
    </SpaceBetween>
  );
}

/** Credentials (minted on demand) and a console sign-in link for the caller's active grant. */
export default function GrantAccess({ requestId, accountId, label }: { requestId: string; accountId: string; label: string }) {
  const credentials = useCredentials();
  const consoleLink = useConsoleSignIn();
  return (
    <SpaceBetween size="m">
      <SpaceBetween direction="horizontal" size="xs">
        <Button
          iconName="key"
          loading={credentials.isPending}
          onClick={() => credentials.mutate(requestId)}
          ariaLabel={`${credentials.data ? "Get new credentials" : "Get credentials"} for ${label}`}
        >
          {credentials.data ? "Get new credentials" : "Get credentials"}
        </Button>
        <Button
          iconName="external"
          loading={consoleLink.isPending}
          onClick={() => consoleLink.mutate(requestId)}
          ariaLabel={`Console sign-in link for ${label}`}
        >
          Console sign-in link
        </Button>
      </SpaceBetween>
      {consoleLink.isError ? <ErrorAlert error={consoleLink.error} header="No console link" /> : null}
      {consoleLink.data ? (
        <Box>
          <Link href={consoleLink.data.url} external target="_blank" externalIconAriaLabel="(opens in a new tab)">
            Open the AWS console for {label}
          </Link>{" "}
          <Box variant="small" display="inline">
            (a sign-in link: use it soon, get a new one later)
          </Box>
        </Box>
      ) : null}
      {credentials.isError ? <ErrorAlert error={credentials.error} header="No credentials" /> : null}
      <CodeBlock
        label="AWS config (credential_process)"
        text={credentialProcessLine(accountId)}
        copyLabel="Copy credential_process line"
      />
      {credentials.data ? (
        <>
          <CodeBlock label="Shell environment" text={envExports(credentials.data)} copyLabel="Copy export commands" />
          <CodeBlock label="credential_process JSON" text={processJson(credentials.data)} copyLabel="Copy JSON" />
          <Box variant="small">
            These credentials expire at {when(credentials.data.Expiration)}; get new ones while the grant lasts.
          </Box>
        </>
      ) : null}
    </SpaceBetween>
  );
}
