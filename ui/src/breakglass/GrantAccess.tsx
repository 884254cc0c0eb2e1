import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import CopyToClipboard from "@cloudscape-design/components/copy-to-clipboard";
import Link from "@cloudscape-design/components/link";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import { useAccount, useConsoleSignIn, useCredentials } from "../api/breakglass";
import { usePreferences, useProfileSet } from "../api/profiles";
import ErrorAlert from "../components/ErrorAlert";
import { envExports, processJson } from "../lib/breakglass";
import { credentialProcessLine, savedCliCommand, ssoProfileSnippet } from "../lib/grants";
import { when } from "./format";

export function CodeBlock({ label, text, copyLabel }: { label: string; text: string; copyLabel: string }) {
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

/** What `cc` in a command means, next to every command that runs the Customer Central CLI. */
export function CliPathNote({ saved }: { saved?: string }) {
  return saved ? (
    <Box variant="small" color="text-body-secondary">
      Runs <Box variant="code">{saved}</Box>, your saved CLI command (profile preferences).
    </Box>
  ) : (
    <Alert type="info" header="Use the full path of the Customer Central CLI">
      Replace <Box variant="code">cc</Box> with the full path of the Customer Central CLI (where you installed it, e.g.{" "}
      <Box variant="code">/usr/local/bin/cc</Box>): a bare <Box variant="code">cc</Box> is the C compiler on many machines.{" "}
      Syncing profiles with the CLI (<Box variant="code">profiles sync</Box>) writes its full path for you, and{" "}
      <Box variant="code">profiles doctor</Box> warns about a bare <Box variant="code">cc</Box>. To have it filled in here, save the path as <Box variant="code">cli_command</Box> in your profile preferences.
    </Alert>
  );
}

export interface SsoTarget {
  permissionSet: string;
  /** The customer's AWS access portal, when already known (a request carries it). */
  startUrl?: string;
  customer: string;
}

/**
 * How to use the caller's active grant. Role grants: credentials minted on demand, the
 * credential_process line and a console sign-in link. SSO grants (a temporary permission set
 * assignment): there are no credentials to mint, so the access portal, the permission set, the
 * console deep link and the SSO profile instead.
 */
export default function GrantAccess({
  requestId,
  accountId,
  label,
  sso,
}: {
  requestId: string;
  accountId: string;
  label: string;
  sso?: SsoTarget | null;
}) {
  return sso ? (
    <SsoGrantAccess requestId={requestId} accountId={accountId} label={label} sso={sso} />
  ) : (
    <RoleGrantAccess requestId={requestId} accountId={accountId} label={label} />
  );
}

function ConsoleLinkButton({ requestId, label }: { requestId: string; label: string }) {
  const consoleLink = useConsoleSignIn();
  return (
    <SpaceBetween size="xs">
      <Box>
        <Button
          iconName="external"
          loading={consoleLink.isPending}
          onClick={() => consoleLink.mutate(requestId)}
          ariaLabel={`Console sign-in link for ${label}`}
        >
          Console sign-in link
        </Button>
      </Box>
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
    </SpaceBetween>
  );
}

function SsoGrantAccess({ requestId, accountId, label, sso }: { requestId: string; accountId: string; label: string; sso: SsoTarget }) {
  const account = useAccount(accountId);
  const accountStartUrl = account.data?.access.method === "sso" ? account.data.access.start_url : undefined;
  const startUrl = accountStartUrl ?? sso.startUrl;
  const profiles = useProfileSet({ customer: sso.customer, kind: "breakglass" }, true);
  const snippet = ssoProfileSnippet(profiles.data, accountId, sso.permissionSet);
  return (
    <SpaceBetween size="m">
      <Box>
        This grant is an IAM Identity Center assignment of the permission set{" "}
        <Box variant="code">{sso.permissionSet}</Box> on {label}. There are no credentials to mint here: sign in through the
        customer's AWS access portal instead.
      </Box>
      <ol style={{ margin: 0, paddingInlineStart: 20 }}>
        <li>
          Open the AWS access portal{" "}
          {startUrl ? (
            <Link href={startUrl} external target="_blank" externalIconAriaLabel="(opens in a new tab)">
              {startUrl}
            </Link>
          ) : account.isPending ? (
            <StatusIndicator type="loading">Loading the start URL</StatusIndicator>
          ) : (
            "(the account's start URL)"
          )}{" "}
          and sign in.
        </li>
        <li>
          Find account {label} and choose the permission set <Box variant="code">{sso.permissionSet}</Box>. (The assignment may
          take up to a minute to show.)
        </li>
        <li>Or use the console link below, or the AWS CLI with the profile below.</li>
      </ol>
      {account.isError ? <ErrorAlert error={account.error} header="The account's start URL could not be loaded" /> : null}
      <ConsoleLinkButton requestId={requestId} label={label} />
      {profiles.isPending ? (
        <StatusIndicator type="loading">Loading the SSO profile</StatusIndicator>
      ) : profiles.isError ? (
        <ErrorAlert error={profiles.error} header="The SSO profile could not be loaded" onRetry={() => profiles.refetch()} />
      ) : snippet ? (
        <SpaceBetween size="xs">
          <CodeBlock label="AWS config (SSO profile)" text={snippet} copyLabel="Copy SSO profile" />
          <Box variant="small">
            Then <Box variant="code">aws sso login --sso-session {snippet.match(/^\[sso-session (.+)\]$/m)?.[1] ?? "NAME"}</Box>. The
            profile works only while the grant lasts; syncing profiles with the Customer Central CLI adds it and later removes it for you.
          </Box>
        </SpaceBetween>
      ) : (
        <Box color="text-body-secondary">
          The API offers no SSO profile for this grant yet; syncing profiles with the Customer Central CLI adds it once it does.
        </Box>
      )}
    </SpaceBetween>
  );
}

function RoleGrantAccess({ requestId, accountId, label }: { requestId: string; accountId: string; label: string }) {
  const credentials = useCredentials();
  const prefs = usePreferences();
  const saved = savedCliCommand(prefs.data?.cli_command);
  return (
    <SpaceBetween size="m">
      <Box>
        <Button
          iconName="key"
          loading={credentials.isPending}
          onClick={() => credentials.mutate(requestId)}
          ariaLabel={`${credentials.data ? "Get new credentials" : "Get credentials"} for ${label}`}
        >
          {credentials.data ? "Get new credentials" : "Get credentials"}
        </Button>
      </Box>
      <ConsoleLinkButton requestId={requestId} label={label} />
      {credentials.isError ? <ErrorAlert error={credentials.error} header="No credentials" /> : null}
      <SpaceBetween size="xs">
        <CodeBlock
          label="AWS config (credential_process)"
          text={credentialProcessLine(accountId, saved)}
          copyLabel="Copy credential_process line"
        />
        {prefs.isPending ? null : <CliPathNote saved={saved} />}
      </SpaceBetween>
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
