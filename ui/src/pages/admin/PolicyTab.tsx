import Box from "@cloudscape-design/components/box";
import Checkbox from "@cloudscape-design/components/checkbox";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Multiselect from "@cloudscape-design/components/multiselect";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { usePolicy, usePutPolicy, type ApprovalPolicy, type Role } from "../../api/admin";
import SaveForm from "../../components/SaveForm";
import { useFieldForm } from "../../components/useFieldForm";
import VersionedForm, { type SavedFlag } from "../../components/VersionedForm";
import { apiFieldErrors, checkIntRange, checkTicketPattern, collect } from "../../lib/admin";

const ALL_ROLES: Role[] = ["engineer", "senior", "lead", "admin"];
const APPROVER_ROLES: Role[] = ["senior", "lead", "admin"];
const roleOptions = (roles: Role[]) => roles.map((r) => ({ value: r, label: r }));
const APPROVALS = [1, 2, 3].map((n) => ({ value: String(n), label: n === 1 ? "1 approver" : `${n} approvers` }));
const POLICY_FIELDS = [
  "approvals_required",
  "approver_roles",
  "max_duration_minutes",
  "approval_window_minutes",
  "ticket_required",
  "ticket_pattern",
  "requester_roles",
  "approvers_off_team",
] as const;

export default function PolicyTab({ code }: { code: string }) {
  const policy = usePolicy(code);
  return (
    <VersionedForm
      query={policy}
      loading="Loading the approval policy"
      form={({ data, ...rest }) => <PolicyForm code={code} policy={data} {...rest} />}
    />
  );
}

function PolicyForm({
  code,
  policy,
  onReload,
  saved,
  setSaved,
}: {
  code: string;
  policy: ApprovalPolicy;
  onReload: () => Promise<unknown>;
} & SavedFlag) {
  const put = usePutPolicy(code);
  const { values: v, errors, setErrors, set, dirty } = useFieldForm(
    {
      approvals_required: String(policy.approvals_required),
      approver_roles: policy.approver_roles,
      max_duration_minutes: String(policy.max_duration_minutes),
      approval_window_minutes: String(policy.approval_window_minutes),
      ticket_required: policy.ticket_required,
      ticket_pattern: policy.ticket_pattern ?? "",
      requester_roles: policy.requester_roles,
      approvers_off_team: policy.approvers_off_team,
    },
    () => setSaved(false),
  );

  const submit = () => {
    const found = collect({
      approvals_required: checkIntRange(v.approvals_required, 1, 3, "Approvals needed"),
      approver_roles: v.approver_roles.length ? undefined : "Choose at least one approver role.",
      max_duration_minutes: checkIntRange(v.max_duration_minutes, 15, 720, "The longest grant"),
      approval_window_minutes: checkIntRange(v.approval_window_minutes, 5, 1440, "The approval window"),
      ticket_pattern: checkTicketPattern(v.ticket_pattern),
      requester_roles: v.requester_roles.length ? undefined : "Choose at least one role that may ask.",
    });
    setErrors(found);
    if (Object.keys(found).length) return;
    setSaved(false);
    put.mutate(
      {
        version: policy.version ?? 0,
        approvals_required: Number(v.approvals_required),
        approver_roles: v.approver_roles,
        max_duration_minutes: Number(v.max_duration_minutes),
        approval_window_minutes: Number(v.approval_window_minutes),
        ticket_required: v.ticket_required,
        ticket_pattern: v.ticket_pattern.trim() || null,
        requester_roles: v.requester_roles,
        approvers_off_team: v.approvers_off_team,
      },
      { onSuccess: () => setSaved(true), onError: (err) => setErrors(apiFieldErrors(err, POLICY_FIELDS)) },
    );
  };

  return (
    <SaveForm
      onSubmit={submit}
      saveText="Save policy"
      savedText="Policy saved."
      saved={saved}
      saving={put.isPending}
      error={put.error}
      onReload={onReload}
      dirty={dirty}
    >
      <Container
        header={
          <Header
            variant="h2"
            description={
              (policy.version ?? 0) === 0
                ? "This customer uses the defaults; saving stores its own policy. New requests use it at once; pending ones when they are next decided."
                : `Version ${policy.version}. New requests use it at once; pending ones when they are next decided.`
            }
          >
            Breakglass approval policy
          </Header>
        }
      >
        <SpaceBetween size="m">
          <ColumnLayout columns={3}>
            <FormField
              label="Approvals needed"
              description="Distinct approvers besides the requester."
              errorText={errors.approvals_required}
            >
              <Select
                selectedOption={APPROVALS.find((o) => o.value === v.approvals_required) ?? null}
                options={APPROVALS}
                onChange={({ detail }) => set("approvals_required", detail.selectedOption.value ?? "1")}
              />
            </FormField>
            <FormField label="Longest grant (minutes)" constraintText="15-720 minutes." errorText={errors.max_duration_minutes}>
              <Input
                type="number"
                inputMode="numeric"
                value={v.max_duration_minutes}
                onChange={({ detail }) => set("max_duration_minutes", detail.value)}
              />
            </FormField>
            <FormField
              label="Approval window (minutes)"
              description="A request not decided by then times out."
              constraintText="5-1440 minutes."
              errorText={errors.approval_window_minutes}
            >
              <Input
                type="number"
                inputMode="numeric"
                value={v.approval_window_minutes}
                onChange={({ detail }) => set("approval_window_minutes", detail.value)}
              />
            </FormField>
          </ColumnLayout>
          <ColumnLayout columns={3}>
            <FormField label="Approver roles" description="Holders of these roles may approve." errorText={errors.approver_roles}>
              <Multiselect
                deselectAriaLabel={(o) => `Remove ${o.label ?? o.value}`}
                selectedOptions={roleOptions(v.approver_roles)}
                options={roleOptions(APPROVER_ROLES)}
                onChange={({ detail }) => set("approver_roles", detail.selectedOptions.map((o) => o.value as Role))}
                placeholder="Choose roles"
              />
            </FormField>
            <FormField
              label="Approvers off the team"
              description="Approver roles that may decide without being on this customer's team."
              errorText={errors.approvers_off_team}
            >
              <Multiselect
                deselectAriaLabel={(o) => `Remove ${o.label ?? o.value}`}
                selectedOptions={roleOptions(v.approvers_off_team)}
                options={roleOptions(APPROVER_ROLES)}
                onChange={({ detail }) => set("approvers_off_team", detail.selectedOptions.map((o) => o.value as Role))}
                placeholder="Nobody off the team"
              />
            </FormField>
            <FormField
              label="Requester roles"
              description="Holders may ask for access (besides being on the team)."
              errorText={errors.requester_roles}
            >
              <Multiselect
                deselectAriaLabel={(o) => `Remove ${o.label ?? o.value}`}
                selectedOptions={roleOptions(v.requester_roles)}
                options={roleOptions(ALL_ROLES)}
                onChange={({ detail }) => set("requester_roles", detail.selectedOptions.map((o) => o.value as Role))}
                placeholder="Choose roles"
              />
            </FormField>
          </ColumnLayout>
          <ColumnLayout columns={2}>
            <FormField label="Ticket reference" errorText={errors.ticket_required}>
              <Checkbox checked={v.ticket_required} onChange={({ detail }) => set("ticket_required", detail.checked)}>
                A ticket reference is required
              </Checkbox>
            </FormField>
            <FormField
              label="Ticket pattern (optional)"
              description="A regular expression the whole reference must match, e.g. OPS-[0-9]+. Empty: the common forms."
              constraintText="At most 200 characters; case-insensitive."
              errorText={errors.ticket_pattern}
            >
              <Input value={v.ticket_pattern} onChange={({ detail }) => set("ticket_pattern", detail.value)} placeholder="OPS-[0-9]+" />
            </FormField>
          </ColumnLayout>
          <Box variant="small" color="text-body-secondary">
            Always true, whatever the policy: the requester never approves their own request, one person counts once, and
            nothing is granted past the longest grant.
          </Box>
        </SpaceBetween>
      </Container>
    </SaveForm>
  );
}
