import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import CopyToClipboard from "@cloudscape-design/components/copy-to-clipboard";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import Multiselect from "@cloudscape-design/components/multiselect";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Toggle from "@cloudscape-design/components/toggle";
import * as tokens from "@cloudscape-design/design-tokens";
import { useMemo, useState } from "react";
import { ApiError } from "../api/errors";
import { useCustomers, useMe } from "../api/hub";
import { usePreferences, useProfileIni, useProfileSet } from "../api/profiles";
import { CliPathNote } from "../breakglass/GrantAccess";
import ErrorAlert from "../components/ErrorAlert";
import { useDebounced } from "../components/useDebounced";
import { useDocumentTitle } from "../components/useDocumentTitle";
import {
  countLines,
  DEFAULT_TEMPLATE,
  DOWNLOAD_FILENAME,
  EMPTY_CONTROLS,
  PROFILE_KINDS,
  selectionOf,
  runsBareCc,
  shellPath,
  syncCommand,
  tildeInProcessPath,
  templateProblem,
  controlProblems,
  type EnvironmentChoice,
  type ProfileControls,
  type ProfileKind,
} from "../lib/profiles";
import { isFullPath, savedCliCommand } from "../lib/grants";

const ENVIRONMENTS: Array<{ value: EnvironmentChoice; label: string }> = [
  { value: "", label: "Every environment" },
  { value: "prod", label: "Production" },
  { value: "non-prod", label: "Non-production" },
];

const KIND_LABELS: Record<ProfileKind, string> = {
  read: "Read roles",
  breakglass: "Breakglass roles",
  sso: "SSO permission sets",
};

function download(text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = DOWNLOAD_FILENAME;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/** The control an API refusal names, if any. */
function fieldErrorOf(error: unknown): string | undefined {
  return error instanceof ApiError ? error.field : undefined;
}

export default function ProfilesPage() {
  useDocumentTitle("AWS profiles");
  const me = useMe();
  const prefs = usePreferences();
  const [controls, setControls] = useState<ProfileControls>(EMPTY_CONTROLS);
  const set = <K extends keyof ProfileControls>(key: K, value: ProfileControls[K]) =>
    setControls((c) => ({ ...c, [key]: value }));

  const mayAll = !!me.data?.roles.some((r) => r === "lead" || r === "admin");
  const debounced = useDebounced(controls, 400);
  const problem = templateProblem(debounced.template) ?? controlProblems(debounced).region;
  // Any control invalid as typed now: the preview and the command would not match them.
  const problems = controlProblems(controls);
  const prefTemplate = prefs.data?.template;
  const prefHub = prefs.data?.hub_profile;
  const selection = useMemo(
    () => selectionOf(debounced, { template: prefTemplate, hubProfile: prefHub }),
    [debounced, prefTemplate, prefHub],
  );
  // Without the stored preferences the API still applies them: preview anyway.
  const ready = !prefs.isPending && !problem;
  const set_ = useProfileSet(selection, ready);
  const ini = useProfileIni(selection, ready);
  const savedCli = savedCliCommand(prefs.data?.cli_command);
  const cliPath = controls.cliPath.trim();
  const command = syncCommand(selection, cliPath ? shellPath(cliPath) : savedCli || "cc");

  // Customers to choose from: my teams', or (with "every customer") all of them.
  const allCustomers = useCustomers("", "");
  const customerOptions = useMemo(() => {
    const codes = controls.all
      ? (allCustomers.data?.pages.flatMap((p) => p.items.map((c) => c.code)) ?? [])
      : (me.data?.customers ?? []);
    return [...new Set([...codes, ...controls.customers])].sort().map((c) => ({ value: c, label: c }));
  }, [controls.all, controls.customers, allCustomers.data, me.data?.customers]);

  const error = set_.error ?? ini.error;
  const fieldError = (field: string) => (fieldErrorOf(error) === field ? (error as ApiError).message : undefined);

  // A refusal of one control (the API's field error) counts as invalid too.
  const invalid = !!(problems.template || problems.region || fieldErrorOf(error));
  const text = invalid ? "" : (ini.data ?? "");
  const lines = useMemo(() => countLines(text), [text]);
  const profiles = set_.data?.profiles ?? [];
  const byKind = useMemo(() => {
    const counts: Record<string, number> = {};
    for (const p of profiles) counts[p.kind] = (counts[p.kind] ?? 0) + 1;
    return counts;
  }, [profiles]);
  const refused = set_.data?.refused ?? [];
  const fetching = set_.isFetching || ini.isFetching;

  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="Every account and role you may use, as ~/.aws/config profiles. Preview them here, then download them or sync them with the Customer Central CLI (cc, run by its full path)."
        >
          AWS profiles
        </Header>
      }
    >
      <SpaceBetween size="l">
        {prefs.isError ? <ErrorAlert header="Your profile preferences could not be loaded" error={prefs.error} onRetry={() => prefs.refetch()} /> : null}
        <Container header={<Header variant="h2">Choose profiles</Header>}>
          <SpaceBetween size="m">
            <ColumnLayout columns={3}>
              <FormField
                label="Naming template"
                description="Placeholders: {customer}, {account}, {alias}, {id}, {env}, {role}."
                constraintText={`Leave empty for your preference (${prefs.data?.template ?? DEFAULT_TEMPLATE}).`}
                errorText={problems.template ?? fieldError("template")}
              >
                <Input
                  value={controls.template}
                  placeholder={prefs.data?.template ?? DEFAULT_TEMPLATE}
                  onChange={({ detail }) => set("template", detail.value)}
                  ariaLabel="Naming template"
                />
              </FormField>
              <FormField label="Customers" description="None chosen: every customer you may see." errorText={fieldError("customer")}>
                <Multiselect
                  deselectAriaLabel={(o) => `Remove ${o.label ?? o.value}`}
                  selectedOptions={controls.customers.map((c) => ({ value: c, label: c }))}
                  options={customerOptions}
                  onChange={({ detail }) => set("customers", detail.selectedOptions.map((o) => o.value ?? ""))}
                  placeholder="Every customer"
                  filteringType="auto"
                  tokenLimit={3}
                  ariaLabel="Customers"
                  empty="No customers"
                />
              </FormField>
              <FormField label="Environment" errorText={fieldError("environment")}>
                <Select
                  selectedOption={ENVIRONMENTS.find((e) => e.value === controls.environment) ?? ENVIRONMENTS[0]!}
                  options={ENVIRONMENTS}
                  onChange={({ detail }) => set("environment", (detail.selectedOption.value ?? "") as EnvironmentChoice)}
                  ariaLabel="Environment"
                />
              </FormField>
              <FormField label="Kinds" description="None chosen: every kind." errorText={fieldError("kind")}>
                <Multiselect
                  deselectAriaLabel={(o) => `Remove ${o.label ?? o.value}`}
                  selectedOptions={PROFILE_KINDS.filter((k) => controls.kinds.includes(k.value))}
                  options={PROFILE_KINDS}
                  onChange={({ detail }) => set("kinds", detail.selectedOptions.map((o) => o.value as ProfileKind))}
                  placeholder="Every kind"
                  ariaLabel="Kinds"
                />
              </FormField>
              <FormField label="Region" constraintText="Empty: each account's own region." errorText={problems.region ?? fieldError("region")}>
                <Input value={controls.region} placeholder="eu-west-1" onChange={({ detail }) => set("region", detail.value)} ariaLabel="Region" />
              </FormField>
              <FormField
                label="Hub profile"
                constraintText={`Role chains start here. Empty: ${prefs.data?.hub_profile ?? "your preference"}.`}
                errorText={fieldError("hub_profile")}
              >
                <Input
                  value={controls.hubProfile}
                  placeholder={prefs.data?.hub_profile ?? ""}
                  onChange={({ detail }) => set("hubProfile", detail.value)}
                  ariaLabel="Hub profile"
                />
              </FormField>
              <FormField
                label="Customer Central CLI (full path)"
                description="What breakglass profiles' credential_process runs."
                constraintText={
                  savedCli
                    ? `Your saved CLI command ${savedCli} is used.`
                    : "Empty: a bare cc, which is the C compiler on many machines. E.g. /usr/local/bin/cc."
                }
                warningText={
                  cliPath && tildeInProcessPath(cliPath)
                    ? "credential_process runs without a shell, so ~ is not expanded there: give the path from /, e.g. /home/you/.cargo/bin/cc."
                    : cliPath && !isFullPath(cliPath)
                      ? "Give the full path, e.g. /usr/local/bin/cc or /home/you/.cargo/bin/cc."
                      : undefined
                }
                errorText={fieldError("cli_path")}
              >
                <Input
                  value={controls.cliPath}
                  placeholder={savedCli ?? "/usr/local/bin/cc"}
                  onChange={({ detail }) => set("cliPath", detail.value)}
                  ariaLabel="Customer Central CLI (full path)"
                />
              </FormField>
            </ColumnLayout>
            {mayAll ? (
              <Toggle checked={controls.all} onChange={({ detail }) => set("all", detail.checked)}>
                Every customer, not only my teams' (leads and admins)
              </Toggle>
            ) : null}
          </SpaceBetween>
        </Container>

        <Container
          header={
            <Header variant="h2" description="Merges these profiles into ~/.aws/config inside its own managed block; your own profiles and settings stay exactly as they are.">
              Sync with the command line
            </Header>
          }
        >
          <SpaceBetween size="xs">
            {invalid ? (
              <Box color="text-body-secondary">Fix the fields marked above to get the command: it would fail with them.</Box>
            ) : (
              <SpaceBetween direction="horizontal" size="xs" alignItems="center">
                <Box variant="code" fontSize="body-m">
                  <span data-testid="sync-command">{command}</span>
                </Box>
                <CopyToClipboard
                  variant="icon"
                  textToCopy={command}
                  copyButtonAriaLabel="Copy the sync command"
                  copySuccessText="Command copied"
                  copyErrorText="The command could not be copied"
                />
              </SpaceBetween>
            )}
            <Box variant="small" color="text-body-secondary">
              Add <Box variant="code">--dry-run</Box> to see the change as a diff first. Sync writes the full path of the CLI it runs as
              into credential_process.
            </Box>
            {cliPath || savedCli ? null : <CliPathNote />}
          </SpaceBetween>
        </Container>

        {error ? <ErrorAlert header="The profiles could not be generated" error={error} onRetry={() => { void set_.refetch(); void ini.refetch(); }} /> : null}
        {runsBareCc(text) ? (
          <Alert type="warning" header="These profiles run a bare cc">
            The breakglass profiles' <Box variant="code">credential_process</Box> runs <Box variant="code">cc</Box>, which is the C compiler
            on many machines. Enter the full path of the Customer Central CLI under “Customer Central CLI (full path)” before you copy or
            download them, or sync with the CLI run by its full path (the command above), which writes its own path.
          </Alert>
        ) : null}
        {refused.length ? (
          <Alert type="warning" header={`${refused.length} ${refused.length === 1 ? "profile was" : "profiles were"} left out`}>
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {refused.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          </Alert>
        ) : null}

        <Container
          header={
            <Header
              variant="h2"
              counter={set_.data ? `(${profiles.length})` : undefined}
              description={
                set_.data
                  ? `${profiles.length} ${profiles.length === 1 ? "profile" : "profiles"} · ${set_.data.sso_sessions.length} SSO sessions · ${lines} lines`
                  : undefined
              }
              actions={
                <SpaceBetween direction="horizontal" size="xs">
                  <CopyToClipboard
                    variant="button"
                    textToCopy={text}
                    copyButtonText="Copy to clipboard"
                    copySuccessText="Profiles copied"
                    copyErrorText="The profiles could not be copied"
                    disabled={!text}
                  />
                  <Button iconName="download" disabled={!text} onClick={() => download(text)}>
                    Download
                  </Button>
                </SpaceBetween>
              }
            >
              Preview
            </Header>
          }
        >
          <SpaceBetween size="s">
            {set_.data && !invalid ? (
              <KeyValuePairs
                columns={4}
                items={[
                  { label: "Profiles", value: String(profiles.length) },
                  ...PROFILE_KINDS.map((k) => ({ label: KIND_LABELS[k.value], value: String(byKind[k.value] ?? 0) })),
                ]}
              />
            ) : null}
            <div aria-live="polite">
              {fetching ? <StatusIndicator type="loading">Generating</StatusIndicator> : null}
            </div>
            {invalid ? (
              <Box color="text-body-secondary">Fix the fields marked above to see the profiles: the last preview does not match them.</Box>
            ) : !ini.data && (ini.isPending || !ready) && !error ? (
              problem ? (
                <Box color="text-body-secondary">Fix the fields marked above to see the profiles.</Box>
              ) : (
                <StatusIndicator type="loading">Generating your profiles</StatusIndicator>
              )
            ) : text ? (
              <pre
                tabIndex={0}
                role="region"
                aria-label="Profiles preview (AWS config)"
                style={{
                  margin: 0,
                  maxHeight: "60vh",
                  overflow: "auto",
                  padding: "12px",
                  fontFamily: tokens.fontFamilyMonospace,
                  fontSize: 13,
                  lineHeight: "20px",
                  background: tokens.colorBackgroundLayoutMain,
                  border: `1px solid ${tokens.colorBorderDividerDefault}`,
                  borderRadius: 8,
                  whiteSpace: "pre",
                  opacity: fetching ? 0.6 : 1,
                }}
              >
                {text}
              </pre>
            ) : ini.isSuccess ? (
              <Box textAlign="center" color="text-body-secondary">
                {mayAll && !controls.all
                  ? "No profiles match. You see your teams' customers: choose fewer filters, or turn on “Every customer”."
                  : "No profiles match. Choose fewer filters, or ask to be added to a customer's team."}
              </Box>
            ) : null}
          </SpaceBetween>
        </Container>
      </SpaceBetween>
    </ContentLayout>
  );
}
