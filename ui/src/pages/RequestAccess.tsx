import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Checkbox from "@cloudscape-design/components/checkbox";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import DatePicker from "@cloudscape-design/components/date-picker";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Grid from "@cloudscape-design/components/grid";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import Select, { type SelectProps } from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Textarea from "@cloudscape-design/components/textarea";
import TimeInput from "@cloudscape-design/components/time-input";
import { useMemo, useState } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { useAccount, useAccountSearch, useApprovalPolicy, useCreateRequest } from "../api/breakglass";
import { ApiError } from "../api/errors";
import { useMe } from "../api/hub";
import ErrorAlert from "../components/ErrorAlert";
import { useFocusFirstError } from "../components/useFocusFirstError";
import { localZoneText } from "../breakglass/format";
import { shortenedDurationText } from "../lib/grants";
import { freshOptions } from "../lib/search";
import { useUnsavedChanges } from "../components/unsaved";
import { useDocumentTitle } from "../components/useDocumentTitle";
import {
  approvalsText,
  breakglassTargets,
  clampDuration,
  DEFAULT_MAX_DURATION_MINUTES,
  durationChoices,
  formatMinutes,
  requestBody,
  roleList,
  ticketFormatText,
  ticketRuleText,
  validateRequest,
  type Account,
  type ApprovalPolicy,
  type FieldErrors,
  type RequestForm,
  durationHint,
} from "../lib/breakglass";

function accountLabel(a: Account) {
  return `${a.name} (${a.id})`;
}

/** Local date + time inputs to an ISO date-time, or "" when not both given. */
function localStart(date: string, time: string): string {
  if (!date || !/^\d{2}:\d{2}$/.test(time)) return "";
  const d = new Date(`${date}T${time}:00`);
  return Number.isNaN(d.getTime()) ? "invalid" : d.toISOString();
}

export default function RequestAccess() {
  useDocumentTitle("Request breakglass access");
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const me = useMe();
  const [accountId, setAccountId] = useState(params.get("account") ?? "");
  // `typed`: the search box's text now (every keystroke); `filter`: the text Cloudscape hands to
  // onLoadItems, which it delays while typing. Options show only once the query for `typed` answered.
  const [typed, setTyped] = useState("");
  const [filter, setFilter] = useState("");
  const q = filter;
  const search = useAccountSearch(q);
  const account = useAccount(accountId);
  const policy = useApprovalPolicy(account.data?.customer);
  const [permissionSet, setPermissionSet] = useState("");
  const [duration, setDuration] = useState(60);
  const [justification, setJustification] = useState("");
  const [ticket, setTicket] = useState("");
  const [scheduled, setScheduled] = useState(false);
  const [startDate, setStartDate] = useState("");
  const [startTime, setStartTime] = useState("");
  const [tried, setTried] = useState(false);
  const zone = useMemo(() => localZoneText(), []);
  const create = useCreateRequest();
  // What a person typed is worth asking about before leaving; the chosen account alone is not.
  const saved = useUnsavedChanges(!!(justification.trim() || ticket.trim()));

  const max = policy.data?.max_duration_minutes ?? DEFAULT_MAX_DURATION_MINUTES;
  const effectiveDuration = clampDuration(duration, max);
  const targets = breakglassTargets(account.data);
  const form: RequestForm = {
    accountId,
    permissionSet,
    durationMinutes: effectiveDuration,
    justification,
    ticket,
    startsAt: scheduled ? localStart(startDate, startTime) || (startDate || startTime ? "invalid" : "") : "",
  };
  const errors: FieldErrors = validateRequest(form, {
    policy: policy.data,
    account: account.data,
    nowMs: Date.now(),
  });
  if (scheduled && !form.startsAt) errors.starts_at = "choose a date and time, or start on approval";
  const shown = (field: keyof FieldErrors) => (tried ? errors[field] : undefined);
  const apiError = create.error instanceof ApiError ? create.error : undefined;
  const apiFieldError = (field: string) => (apiError?.field === field ? apiError.message : undefined);

  // Only results for the text now in the box: never the previous query's while this one runs.
  const fresh = freshOptions(typed, q, {
    data: search.data?.items,
    isPlaceholderData: search.isPlaceholderData,
    isError: search.isError,
  });
  const options: SelectProps.Option[] = fresh.items.map((a) => ({
        value: a.id,
        label: accountLabel(a),
        description: `${a.customer} · ${a.environment} · ${a.access.method === "sso" ? "SSO" : "role"}`,
    tags: a.alias ? [a.alias] : undefined,
  }));
  const selectedOption: SelectProps.Option | null = account.data
    ? { value: account.data.id, label: accountLabel(account.data) }
    : accountId
      ? { value: accountId, label: accountId }
      : null;

  const [formRef, invalidSubmit] = useFocusFirstError<HTMLFormElement>();
  const submit = () => {
    setTried(true);
    if (Object.keys(errors).length) {
      invalidSubmit();
      return;
    }
    if (!account.data || !policy.data) return;
    create.mutate(requestBody(form, account.data), {
      onSuccess: (created) => {
        saved();
        navigate(`/breakglass/requests/${encodeURIComponent(created.id)}`);
      },
    });
  };

  const onTeam = !account.data || !me.data || me.data.customers.includes(account.data.customer);
  const mayRequest = !policy.data || !me.data || policy.data.requester_roles.some((r) => me.data.roles.includes(r));

  return (
    <ContentLayout
      header={
        <Header variant="h1" description="Temporary write access to a customer's account, after approval.">
          Request breakglass access
        </Header>
      }
    >
      <Grid gridDefinition={[{ colspan: { default: 12, s: 8 } }, { colspan: { default: 12, s: 4 } }]}>
        <form
          ref={formRef}
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
          noValidate
        >
          <Form
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button formAction="none" variant="link" onClick={() => navigate("/breakglass/requests")}>
                  Cancel
                </Button>
                <Button variant="primary" loading={create.isPending}>
                  Submit request
                </Button>
              </SpaceBetween>
            }
            errorText={
              tried && Object.keys(errors).length ? "Some fields need attention before this can be sent." : undefined
            }
          >
            <SpaceBetween size="l">
              {create.isError ? <ErrorAlert error={create.error} header="The API refused the request" /> : null}
              <Container header={<Header variant="h2">Access</Header>}>
                <SpaceBetween size="l">
                  <FormField
                    label="Account"
                    description="Find it by id, name, alias or customer."
                    errorText={shown("account_id") ?? apiFieldError("account_id") ?? (account.isError ? account.error.message : undefined)}
                  >
                    <div
                      onInput={(event) => {
                        const target = event.target;
                        if (target instanceof HTMLInputElement) setTyped(target.value);
                      }}
                    >
                    <Select
                      selectedOption={selectedOption}
                      onChange={({ detail }) => {
                        setAccountId(detail.selectedOption.value ?? "");
                        setPermissionSet("");
                        create.reset();
                      }}
                      options={options}
                      filteringType="manual"
                      filteringPlaceholder="Search accounts"
                      filteringAriaLabel="Search accounts"
                      onLoadItems={({ detail }) => {
                        setFilter(detail.filteringText);
                        // Opening the list (or clearing the box) starts from no text.
                        if (!detail.filteringText) setTyped("");
                      }}
                      statusType={fresh.status}
                      loadingText="Finding accounts"
                      errorText={search.isError ? search.error.message : undefined}
                      recoveryText="Retry"
                      empty="No matching accounts"
                      placeholder="Choose an account"
                      ariaRequired
                      virtualScroll={false}
                    />
                    </div>
                  </FormField>
                  {account.data && !onTeam ? (
                    <Alert type="warning">
                      You are not on {account.data.customer}'s team; the API will refuse the request. Ask an admin to add you.
                    </Alert>
                  ) : null}
                  {!mayRequest && policy.data ? (
                    <Alert type="warning">
                      Asking for access to {account.data?.customer}'s accounts needs one of the roles:{" "}
                      {roleList(policy.data.requester_roles)}.
                    </Alert>
                  ) : null}
                  {account.data ? (
                    targets.kind === "sso" ? (
                      <FormField
                        label="Breakglass permission set"
                        errorText={shown("permission_set") ?? apiFieldError("permission_set")}
                      >
                        <Select
                          selectedOption={
                            permissionSet || targets.names.length === 1
                              ? { value: permissionSet || targets.names[0], label: permissionSet || targets.names[0] }
                              : null
                          }
                          onChange={({ detail }) => setPermissionSet(detail.selectedOption.value ?? "")}
                          options={targets.names.map((n) => ({ value: n, label: n }))}
                          placeholder="Choose a permission set"
                        />
                      </FormField>
                    ) : targets.kind === "role" ? (
                      <FormField label="Breakglass role" description="The account's breakglass role, assumed for you while the grant lasts.">
                        <Box variant="code">{targets.names[0]}</Box>
                      </FormField>
                    ) : (
                      <Alert type="error">This account has no breakglass role or permission set.</Alert>
                    )
                  ) : null}
                  <FormField
                    label="Duration"
                    description={durationHint(account.data ? policy.data : undefined)}
                    errorText={shown("duration_minutes") ?? apiFieldError("duration_minutes")}
                    warningText={shortenedDurationText(duration, effectiveDuration, account.data?.customer, formatMinutes)}
                  >
                    <Select
                      selectedOption={{ value: String(effectiveDuration), label: formatMinutes(effectiveDuration) }}
                      onChange={({ detail }) => setDuration(Number(detail.selectedOption.value))}
                      options={durationChoices(max).map((m) => ({ value: String(m), label: formatMinutes(m) }))}
                    />
                  </FormField>
                  <FormField
                    label="Start"
                    errorText={shown("starts_at") ?? apiFieldError("starts_at")}
                    description={`Access starts when approved, or at a time you choose (at most 30 days ahead). Times are in your time zone, ${zone}.`}
                  >
                    <SpaceBetween size="xs">
                      <Checkbox checked={scheduled} onChange={({ detail }) => setScheduled(detail.checked)}>
                        Schedule a start time
                      </Checkbox>
                      {scheduled ? (
                        <SpaceBetween direction="horizontal" size="xs">
                          <DatePicker
                            value={startDate}
                            onChange={({ detail }) => setStartDate(detail.value)}
                            format="iso"
                            placeholder="YYYY-MM-DD"
                            ariaLabel="Start date"
                            openCalendarAriaLabel={(d) => "Choose the start date" + (d ? `, selected date is ${d}` : "")}
                          />
                          <TimeInput
                            value={startTime}
                            onChange={({ detail }) => setStartTime(detail.value)}
                            format="hh:mm"
                            placeholder="hh:mm"
                            ariaLabel={`Start time (${zone})`}
                          />
                          <Box variant="small" color="text-body-secondary" padding={{ top: "xs" }}>
                            Your time zone: {zone}
                          </Box>
                        </SpaceBetween>
                      ) : null}
                    </SpaceBetween>
                  </FormField>
                </SpaceBetween>
              </Container>
              <Container header={<Header variant="h2">Why</Header>}>
                <SpaceBetween size="l">
                  <FormField
                    label="Justification"
                    description="At least a sentence: 3+ words, 15+ characters. Approvers read this."
                    errorText={shown("justification") ?? apiFieldError("justification")}
                  >
                    <Textarea
                      value={justification}
                      onChange={({ detail }) => setJustification(detail.value)}
                      placeholder="e.g. Restart the stuck payment workers during incident INC0012345"
                      rows={3}
                      ariaRequired
                    />
                  </FormField>
                  <FormField
                    label={policy.data?.ticket_required ? "Ticket" : "Ticket (optional)"}
                    description={policy.data ? ticketFormatText(policy.data) : ticketFormatText({ ticket_pattern: null })}
                    errorText={shown("ticket") ?? apiFieldError("ticket")}
                  >
                    <Input
                      value={ticket}
                      onChange={({ detail }) => setTicket(detail.value)}
                      placeholder="OPS-1234"
                      ariaRequired={!!policy.data?.ticket_required}
                    />
                  </FormField>
                </SpaceBetween>
              </Container>
            </SpaceBetween>
          </Form>
        </form>
        <PolicyPanel account={account.data} policy={policy.data} loading={!!account.data && policy.isPending} error={policy.error} />
      </Grid>
    </ContentLayout>
  );
}

function PolicyPanel({
  account,
  policy,
  loading,
  error,
}: {
  account?: Account;
  policy?: ApprovalPolicy;
  loading: boolean;
  error: unknown;
}) {
  return (
    <Container
      header={
        <Header variant="h2" description={account ? `Customer ${account.customer}` : undefined}>
          Approval policy
        </Header>
      }
    >
      {!account ? (
        <Box color="text-body-secondary">Choose an account to see its customer's policy.</Box>
      ) : loading ? (
        <StatusIndicator type="loading">Loading the policy</StatusIndicator>
      ) : error ? (
        <ErrorAlert error={error} />
      ) : policy ? (
        <ColumnLayout columns={1}>
          <KeyValuePairs
            items={[
              { label: "Approvals needed", value: approvalsText(policy) },
              { label: "Maximum duration", value: formatMinutes(policy.max_duration_minutes) },
              { label: "Ticket", value: ticketRuleText(policy) },
              {
                label: "Approval window",
                value: `Times out after ${formatMinutes(policy.approval_window_minutes)} without a decision`,
              },
              { label: "Who may ask", value: roleList(policy.requester_roles) || "—" },
              {
                label: "Approvers off the team",
                value: policy.approvers_off_team.length ? roleList(policy.approvers_off_team) : "None: only the customer's team",
              },
            ]}
          />
        </ColumnLayout>
      ) : null}
    </Container>
  );
}
