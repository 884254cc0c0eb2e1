import { credentialProcessLine } from "./grants";
import { describe, expect, it } from "vitest";
import {
  durationHint,
  showsDecideBy,
  approvalProgress,
  approvalsText,
  breakglassTargets,
  canCancel,
  canDecide,
  canRevoke,
  clampDuration,
  durationChoices,
  envExports,
  formatMinutes,
  isCommonTicketReference,
  JUSTIFICATION_RULE,
  requestBody,
  seesEveryone,
  ticketError,
  ticketRuleText,
  validateRequest,
  type AccessRequest,
  type Account,
  type ApprovalPolicy,
  type RequestForm,
} from "./breakglass";

const policy: ApprovalPolicy = {
  approvals_required: 1,
  approver_roles: ["senior", "lead"],
  max_duration_minutes: 240,
  approval_window_minutes: 120,
  ticket_required: false,
  ticket_pattern: null,
  requester_roles: ["engineer"],
  approvers_off_team: ["lead", "admin"],
  version: 0,
};

const roleAccount = {
  id: "012345678901",
  customer: "acme",
  name: "acme prod",
  environment: "prod",
  region: "eu-west-1",
  management_account: false,
  delegated_admin_services: [],
  access: {
    method: "role",
    read_role_arn: "arn:aws:iam::012345678901:role/Read",
    breakglass_role_arn: "arn:aws:iam::012345678901:role/Breakglass",
    external_id: "x",
    max_session_seconds: 3600,
  },
  created_at: "",
  updated_at: "",
} as unknown as Account;

const ssoAccount = {
  ...roleAccount,
  access: {
    method: "sso",
    start_url: "https://x.awsapps.com/start",
    sso_region: "eu-west-1",
    permission_sets: ["ReadOnlyAccess"],
    breakglass_permission_sets: ["SRE-Breakglass", "DBA-Breakglass"],
  },
} as unknown as Account;

const form: RequestForm = {
  accountId: "012345678901",
  permissionSet: "",
  durationMinutes: 60,
  justification: "Restart the stuck payment workers",
  ticket: "",
  startsAt: "",
};
const now = Date.parse("2026-01-01T10:00:00Z");

describe("policy in words", () => {
  it("says how many approvals and from whom", () => {
    expect(approvalsText(policy)).toBe("1 approval (senior or lead); you cannot approve your own request");
    expect(approvalsText({ approvals_required: 2, approver_roles: ["senior", "lead", "admin"] })).toBe(
      "2 approvals from different people (senior, lead or admin); you cannot approve your own request",
    );
  });
  it("says whether a ticket is needed and its format", () => {
    expect(ticketRuleText(policy)).toMatch(/^Optional: a key like OPS-1234/);
    expect(ticketRuleText({ ticket_required: true, ticket_pattern: "OPS-[0-9]+" })).toBe("Required: must match OPS-[0-9]+");
  });
  it("formats minutes", () => {
    expect(formatMinutes(15)).toBe("15 minutes");
    expect(formatMinutes(60)).toBe("1 hour");
    expect(formatMinutes(150)).toBe("2 hours 30 minutes");
  });
});

describe("duration", () => {
  it("clamps to 15 minutes and the policy's maximum", () => {
    expect(clampDuration(480, 240)).toBe(240);
    expect(clampDuration(5, 240)).toBe(15);
    expect(clampDuration(90, 240)).toBe(90);
    expect(clampDuration(Number.NaN, 30)).toBe(30);
  });
  it("offers steps up to the maximum, the maximum included", () => {
    expect(durationChoices(240)).toEqual([15, 30, 60, 90, 120, 180, 240]);
    expect(durationChoices(100)).toEqual([15, 30, 60, 90, 100]);
  });
  it("refuses more than the maximum and less than 15 minutes", () => {
    expect(validateRequest({ ...form, durationMinutes: 300 }, { policy, nowMs: now }).duration_minutes).toBe(
      "300 minutes is longer than the maximum of 240 minutes",
    );
    expect(validateRequest({ ...form, durationMinutes: 10 }, { policy, nowMs: now }).duration_minutes).toMatch(/15 minutes/);
  });
});

describe("ticket", () => {
  it("is required when the policy says so", () => {
    expect(ticketError("", { ...policy, ticket_required: true }, "acme")).toBe("customer acme requires a ticket reference");
    expect(ticketError("", policy, "acme")).toBeUndefined();
  });
  it("accepts the API's common forms without a pattern", () => {
    for (const t of ["OPS-1234", "ops-1", "INC0012345", "CHG0034567", "https://jira.example.com/browse/OPS-1"]) {
      expect(isCommonTicketReference(t), t).toBe(true);
    }
    for (const t of ["1234", "OPS-", "ticket please", "ftp://x", "A1234567"]) {
      expect(isCommonTicketReference(t), t).toBe(false);
    }
    expect(ticketError("nope", policy, "acme")).toMatch(/not a ticket reference/);
  });
  it("matches a pattern as a whole reference, case-insensitively", () => {
    const p = { ...policy, ticket_required: true, ticket_pattern: "OPS-[0-9]+" };
    expect(ticketError("ops-42", p, "acme")).toBeUndefined();
    expect(ticketError("XOPS-42", p, "acme")).toMatch(/ticket pattern OPS-\[0-9\]\+/);
    expect(ticketError("OPS-42 and more", p, "acme")).toMatch(/ticket pattern/);
  });
  it("leaves a pattern JavaScript cannot read to the API", () => {
    expect(ticketError("anything", { ...policy, ticket_pattern: "(?P<x>OPS)" }, "acme")).toBeUndefined();
  });
  it("is at most 200 characters", () => {
    expect(ticketError(`https://x.example/${"a".repeat(200)}`, policy, "acme")).toMatch(/at most 200/);
  });
});

describe("validateRequest", () => {
  it("passes a good request", () => {
    expect(validateRequest(form, { policy, account: roleAccount, nowMs: now })).toEqual({});
  });
  it("wants a sentence of justification, as the API does", () => {
    expect(validateRequest({ ...form, justification: "fix it" }, { policy, nowMs: now }).justification).toBe(JUSTIFICATION_RULE);
    expect(validateRequest({ ...form, justification: "a                         b   c" }, { policy, nowMs: now }).justification).toBe(
      JUSTIFICATION_RULE,
    );
    expect(validateRequest({ ...form, justification: "fix - - - - - - - - - - - it" }, { policy, nowMs: now }).justification).toBe(
      JUSTIFICATION_RULE,
    );
    expect(validateRequest({ ...form, justification: "averyveryverylongword x" }, { policy, nowMs: now }).justification).toBeDefined();
    expect(validateRequest({ ...form, justification: "a".repeat(1000) + " b c " + "d".repeat(1000) }, { policy, nowMs: now }).justification).toBe(
      "at most 2000 characters",
    );
  });
  it("needs an account of 12 digits", () => {
    expect(validateRequest({ ...form, accountId: "" }, { policy, nowMs: now }).account_id).toBe("choose an account");
  });
  it("asks which permission set when an SSO account has several", () => {
    expect(validateRequest(form, { policy, account: ssoAccount, nowMs: now }).permission_set).toBeDefined();
    expect(validateRequest({ ...form, permissionSet: "DBA-Breakglass" }, { policy, account: ssoAccount, nowMs: now })).toEqual({});
  });
  it("schedules a start in the next 30 days only", () => {
    const at = (ms: number) => new Date(ms).toISOString();
    expect(validateRequest({ ...form, startsAt: at(now - 5 * 60_000) }, { policy, nowMs: now }).starts_at).toMatch(/past/);
    expect(validateRequest({ ...form, startsAt: at(now + 31 * 86_400_000) }, { policy, nowMs: now }).starts_at).toMatch(/30 days/);
    expect(validateRequest({ ...form, startsAt: at(now + 3600_000) }, { policy, nowMs: now }).starts_at).toBeUndefined();
  });
});

describe("requestBody", () => {
  it("sends what NewRequest documents, the only permission set chosen for you", () => {
    const oneSet = { ...ssoAccount, access: { ...ssoAccount.access, breakglass_permission_sets: ["SRE-Breakglass"] } } as Account;
    expect(requestBody({ ...form, ticket: " OPS-1 " }, oneSet)).toEqual({
      account_id: "012345678901",
      duration_minutes: 60,
      justification: "Restart the stuck payment workers",
      ticket: "OPS-1",
      starts_at: null,
      permission_set: "SRE-Breakglass",
    });
    expect(requestBody(form, roleAccount)).not.toHaveProperty("permission_set");
  });
  it("knows each account's breakglass targets", () => {
    expect(breakglassTargets(roleAccount)).toEqual({ kind: "role", names: ["arn:aws:iam::012345678901:role/Breakglass"] });
    expect(breakglassTargets(ssoAccount).kind).toBe("sso");
  });
});

const request = {
  id: "r1",
  customer: "acme",
  requester: "erin@x.dev",
  status: "pending",
  approvals_required: 2,
  approver_roles: ["senior", "lead"],
  approvers_off_team: ["lead", "admin"],
  decisions: [{ by: "sam@x.dev", verdict: "approve", comment: "", at: "" }],
} as unknown as AccessRequest;

describe("who may do what", () => {
  it("never offers the requester an approve button", () => {
    expect(canDecide({ email: "Erin@x.dev", roles: ["engineer", "senior", "lead"], customers: ["acme"] }, request)).toBe(false);
  });
  it("offers it to a second, different approver on the team", () => {
    expect(canDecide({ email: "sasha@x.dev", roles: ["senior"], customers: ["acme"] }, request)).toBe(true);
    expect(canDecide({ email: "sam@x.dev", roles: ["senior"], customers: ["acme"] }, request)).toBe(false);
    expect(canDecide({ email: "sasha@x.dev", roles: ["senior"], customers: ["other"] }, request)).toBe(false);
    expect(canDecide({ email: "lee@x.dev", roles: ["lead"], customers: [] }, request)).toBe(true);
  });
  it("needs an approver role and a pending request", () => {
    expect(canDecide({ email: "ada@x.dev", roles: ["admin"], customers: [] }, request)).toBe(false);
    expect(canDecide({ email: "lee@x.dev", roles: ["lead"] }, { ...request, status: "active" })).toBe(false);
  });
  it("lets the requester cancel before access starts, and revoke while active", () => {
    expect(canCancel({ email: "erin@x.dev", roles: ["engineer"] }, request)).toBe(true);
    expect(canCancel({ email: "sam@x.dev", roles: ["senior"] }, request)).toBe(false);
    expect(canRevoke({ email: "erin@x.dev", roles: ["engineer"] }, { ...request, status: "active" })).toBe(true);
    expect(canRevoke({ email: "lee@x.dev", roles: ["lead"] }, { ...request, status: "active" })).toBe(true);
    expect(canRevoke({ email: "sam@x.dev", roles: ["senior"] }, { ...request, status: "active" })).toBe(false);
    expect(canRevoke({ email: "erin@x.dev", roles: ["engineer"] }, request)).toBe(false);
  });
  it("lets leads and admins see everyone's requests and sessions", () => {
    expect(seesEveryone(["lead"])).toBe(true);
    expect(seesEveryone(["engineer", "admin"])).toBe(true);
    expect(seesEveryone(["engineer", "senior"])).toBe(false);
    expect(seesEveryone([])).toBe(false);
    expect(seesEveryone(undefined)).toBe(false);
  });
  it("counts approvals", () => {
    expect(approvalProgress(request)).toBe("1 of 2 approvals");
  });
});

describe("credentials to copy", () => {
  it("builds the credential_process line and export commands", () => {
    expect(credentialProcessLine("012345678901")).toBe("credential_process = cc credentials --account 012345678901");
    expect(
      envExports({ Version: 1, AccessKeyId: "AKIA1", SecretAccessKey: "s'ecret", SessionToken: "tok;en", Expiration: "" }),
    ).toBe(
      "export AWS_ACCESS_KEY_ID='AKIA1'\nexport AWS_SECRET_ACCESS_KEY='s'\\''ecret'\nexport AWS_SESSION_TOKEN='tok;en'",
    );
  });
});

describe("hints tied to a request or policy", () => {
  it("states a duration limit only for a chosen account's policy", () => {
    expect(durationHint(undefined)).toBe("Choose an account to see its customer's limit.");
    expect(durationHint({ max_duration_minutes: 240 })).toBe("At most 4 hours for this customer.");
  });

  it("shows the approval deadline only while pending", () => {
    expect(showsDecideBy({ status: "pending" })).toBe(true);
    for (const status of ["approved", "active", "ended", "rejected", "cancelled", "timed_out"] as const) {
      expect(showsDecideBy({ status })).toBe(false);
    }
  });
});
