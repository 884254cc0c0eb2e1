// Breakglass rules the UI applies before the API does: the same ones the API documents
// (OpenAPI `NewRequest`, `ApprovalPolicy`; DOMAIN.md), so a person hears about a mistake while
// typing. The API stays the authority: its 4xx message and field are always shown too.
import type { Schemas } from "../api/client";

export type ApprovalPolicy = Schemas["ApprovalPolicy"];
export type AccessRequest = Schemas["AccessRequest"];
export type RequestStatus = Schemas["Status"];
export type Role = Schemas["Role"];
export type Account = Schemas["Account"];

/** The API's shortest grant (`duration_minutes` below this is a 400). */
export const MIN_DURATION_MINUTES = 15;
/** Policies allow 15-720 minutes; used before the policy has loaded. */
export const DEFAULT_MAX_DURATION_MINUTES = 240;
export const MAX_TICKET_CHARS = 200;
export const MAX_JUSTIFICATION_CHARS = 2000;
/** How far ahead a start may be scheduled. */
export const MAX_SCHEDULE_DAYS = 30;

export interface RequestForm {
  accountId: string;
  /** SSO accounts with breakglass permission sets: which one. */
  permissionSet: string;
  durationMinutes: number;
  justification: string;
  ticket: string;
  /** Empty: start as soon as approved. Otherwise an ISO date-time. */
  startsAt: string;
}

export type FieldErrors = Partial<Record<"account_id" | "permission_set" | "duration_minutes" | "justification" | "ticket" | "starts_at", string>>;

/** Durations to offer: common steps up to the policy's maximum, the maximum itself included. */
export function durationChoices(maxMinutes: number): number[] {
  const steps = [15, 30, 60, 90, 120, 180, 240, 360, 480, 720];
  const max = Math.max(MIN_DURATION_MINUTES, maxMinutes);
  const out = steps.filter((m) => m <= max);
  if (!out.includes(max)) out.push(max);
  return out;
}

/** A duration kept within 15 minutes and the policy's maximum (whole minutes). */
export function clampDuration(minutes: number, maxMinutes: number): number {
  const max = Math.max(MIN_DURATION_MINUTES, maxMinutes);
  if (!Number.isFinite(minutes)) return Math.min(60, max);
  return Math.min(max, Math.max(MIN_DURATION_MINUTES, Math.round(minutes)));
}

/**
 * The Duration field's hint: the limit of the chosen account's customer, only once its policy is
 * known (before an account is chosen there is no customer, so no limit to state).
 */
export function durationHint(policy: Pick<ApprovalPolicy, "max_duration_minutes"> | undefined): string {
  return policy
    ? `At most ${formatMinutes(policy.max_duration_minutes)} for this customer.`
    : "Choose an account to see its customer's limit.";
}

/** The approval deadline matters only while a request waits for a decision. */
export function showsDecideBy(r: { status: RequestStatus }): boolean {
  return r.status === "pending";
}

/** `45 minutes`, `1 hour`, `2 hours 30 minutes`. */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const parts: string[] = [];
  if (h) parts.push(`${h} ${h === 1 ? "hour" : "hours"}`);
  if (m || !h) parts.push(`${m} ${m === 1 ? "minute" : "minutes"}`);
  return parts.join(" ");
}

const ROLE_WORDS: Record<string, string> = { engineer: "engineer", senior: "senior", lead: "lead", admin: "admin" };

/** `senior or lead`, `senior, lead or admin`. */
export function roleList(roles: readonly string[]): string {
  const words = roles.map((r) => ROLE_WORDS[r] ?? r);
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** What the approvals rule means for this request, in one sentence. */
export function approvalsText(policy: Pick<ApprovalPolicy, "approvals_required" | "approver_roles">): string {
  const n = policy.approvals_required;
  const who = roleList(policy.approver_roles) || "an approver";
  const count = n === 1 ? "1 approval" : `${n} approvals from different people`;
  return `${count} (${who}); you cannot approve your own request`;
}

/** The accepted ticket format in words. */
export function ticketFormatText(policy: Pick<ApprovalPolicy, "ticket_pattern">): string {
  return policy.ticket_pattern
    ? `Must match ${policy.ticket_pattern} (whole reference, any case).`
    : "A key like OPS-1234, a number like INC0012345 or the ticket's URL.";
}

/** The ticket rule in words: required or optional, and the accepted format. */
export function ticketRuleText(policy: Pick<ApprovalPolicy, "ticket_required" | "ticket_pattern">): string {
  const need = policy.ticket_required ? "Required" : "Optional";
  const format = policy.ticket_pattern
    ? `must match ${policy.ticket_pattern}`
    : "a key like OPS-1234, a number like INC0012345 or the ticket's URL";
  return `${need}: ${format}`;
}

/**
 * The policy's ticket pattern as a JavaScript RegExp (whole reference, case-insensitive, as the API
 * matches it), or null when there is none or JavaScript cannot read it (then only the API checks).
 */
export function ticketPatternRegExp(pattern: string | null | undefined): RegExp | null {
  if (!pattern) return null;
  try {
    return new RegExp(`^(?:${pattern})$`, "i");
  } catch {
    return null;
  }
}

/** The API's default ticket forms (`ticket_reference`): Jira key, ServiceNow number, or an http(s) URL. */
export function isCommonTicketReference(raw: string): boolean {
  const t = raw.trim();
  if (/^[A-Za-z][A-Za-z0-9_]{0,19}-[0-9]{1,10}$/.test(t)) return true;
  if (/^[A-Za-z]{2,6}[0-9]{7,12}$/.test(t)) return true;
  try {
    const url = new URL(t);
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname.length > 0;
  } catch {
    return false;
  }
}

export function ticketError(ticket: string, policy: Pick<ApprovalPolicy, "ticket_required" | "ticket_pattern">, customer: string): string | undefined {
  const t = ticket.trim();
  if (!t) return policy.ticket_required ? `customer ${customer} requires a ticket reference` : undefined;
  if ([...t].length > MAX_TICKET_CHARS) return `a ticket reference has at most ${MAX_TICKET_CHARS} characters`;
  const re = ticketPatternRegExp(policy.ticket_pattern);
  if (policy.ticket_pattern) {
    if (re && !re.test(t)) return `does not match this customer's ticket pattern ${policy.ticket_pattern}`;
    return undefined;
  }
  if (!isCommonTicketReference(t))
    return "not a ticket reference: use a key like OPS-1234, a number like INC0012345 or the ticket's URL";
  return undefined;
}

/** The API's wording of the justification rule. */
export const JUSTIFICATION_RULE = "say why in at least a sentence (3+ words, 15+ characters not counting extra spaces)";

export function justificationError(text: string): string | undefined {
  const t = text.trim();
  const chars = [...t].length;
  // As the API counts: words with a letter or digit, without the spaces between them.
  const words = t.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const counted = words.reduce((n, w) => n + [...w].length, 0) + Math.max(words.length - 1, 0);
  if (words.length < 3 || counted < 15) return JUSTIFICATION_RULE;
  if (chars > MAX_JUSTIFICATION_CHARS) return `at most ${MAX_JUSTIFICATION_CHARS} characters`;
  return undefined;
}

/** The breakglass targets an account offers: its breakglass role, or its breakglass permission sets. */
export function breakglassTargets(account: Account | undefined): { kind: "role" | "sso" | "none"; names: string[] } {
  if (!account) return { kind: "none", names: [] };
  const access = account.access;
  if (access.method === "role") return { kind: "role", names: [access.breakglass_role_arn] };
  const sets = access.breakglass_permission_sets ?? [];
  return sets.length ? { kind: "sso", names: sets } : { kind: "none", names: [] };
}

/** Every rule the API documents for `POST /access-requests`, field by field (empty: fine). */
export function validateRequest(
  form: RequestForm,
  ctx: { policy?: ApprovalPolicy; account?: Account; customer?: string; nowMs: number },
): FieldErrors {
  const errors: FieldErrors = {};
  if (!/^\d{12}$/.test(form.accountId)) errors.account_id = "choose an account";
  const targets = breakglassTargets(ctx.account);
  if (ctx.account && targets.kind === "none") errors.account_id = "this account has no breakglass role or permission set";
  if (targets.kind === "sso" && targets.names.length > 1 && !form.permissionSet)
    errors.permission_set = "choose a breakglass permission set";
  const max = ctx.policy?.max_duration_minutes ?? DEFAULT_MAX_DURATION_MINUTES;
  if (!Number.isInteger(form.durationMinutes) || form.durationMinutes < MIN_DURATION_MINUTES)
    errors.duration_minutes = `the shortest grant is ${MIN_DURATION_MINUTES} minutes`;
  else if (ctx.policy && form.durationMinutes > max)
    errors.duration_minutes = `${form.durationMinutes} minutes is longer than the maximum of ${max} minutes`;
  const j = justificationError(form.justification);
  if (j) errors.justification = j;
  if (ctx.policy) {
    const t = ticketError(form.ticket, ctx.policy, ctx.customer ?? ctx.account?.customer ?? "this");
    if (t) errors.ticket = t;
  }
  if (form.startsAt) {
    const start = Date.parse(form.startsAt);
    if (Number.isNaN(start)) errors.starts_at = "enter a date and time";
    else if (start < ctx.nowMs - 60_000) errors.starts_at = "the start is in the past; leave it empty to start on approval";
    else if (start > ctx.nowMs + MAX_SCHEDULE_DAYS * 86_400_000) errors.starts_at = `schedule at most ${MAX_SCHEDULE_DAYS} days ahead`;
  }
  return errors;
}

/** The JSON body for `POST /access-requests`. */
export function requestBody(form: RequestForm, account: Account | undefined): Schemas["NewRequest"] {
  const targets = breakglassTargets(account);
  const permissionSet =
    targets.kind === "sso" ? form.permissionSet || (targets.names.length === 1 ? targets.names[0] : "") : "";
  return {
    account_id: form.accountId,
    duration_minutes: form.durationMinutes,
    justification: form.justification.trim(),
    ticket: form.ticket.trim() || null,
    starts_at: form.startsAt ? new Date(form.startsAt).toISOString() : null,
    ...(permissionSet ? { permission_set: permissionSet } : {}),
  };
}

// ---- statuses and who may do what ----

export const STATUS_BADGE: Record<RequestStatus, { color: "blue" | "green" | "grey" | "red" | "severity-medium"; label: string }> = {
  pending: { color: "blue", label: "Pending" },
  approved: { color: "severity-medium", label: "Approved" },
  active: { color: "green", label: "Active" },
  ended: { color: "grey", label: "Ended" },
  rejected: { color: "red", label: "Rejected" },
  cancelled: { color: "grey", label: "Cancelled" },
  timed_out: { color: "grey", label: "Timed out" },
};

export interface Caller {
  email: string;
  roles: readonly string[];
  customers?: readonly string[];
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Whether to offer Approve / Reject: pending, not the requester, holds an approver role, has not
 * decided yet, and is on the team unless an off-team approver role. The API decides in the end.
 */
export function canDecide(me: Caller | undefined, r: AccessRequest): boolean {
  if (!me || r.status !== "pending") return false;
  if (same(me.email, r.requester)) return false;
  if (r.decisions.some((d) => same(d.by, me.email))) return false;
  // Only holders of one of the request's approver roles count (admins too need one).
  if (!r.approver_roles.some((role) => me.roles.includes(role))) return false;
  const offTeam = (r.approvers_off_team ?? []).some((role) => me.roles.includes(role) && r.approver_roles.includes(role));
  if (offTeam || !me.customers) return true;
  return me.customers.includes(r.customer);
}

export function canCancel(me: Caller | undefined, r: AccessRequest): boolean {
  return !!me && same(me.email, r.requester) && (r.status === "pending" || r.status === "approved");
}

/** Leads and admins oversee breakglass: they may list everyone's requests and sessions, and revoke any grant. */
export function seesEveryone(roles: readonly string[] | undefined): boolean {
  return !!roles?.some((r) => r === "lead" || r === "admin");
}

export function canRevoke(me: Caller | undefined, r: { requester: string; status?: RequestStatus }): boolean {
  if (!me || (r.status !== undefined && r.status !== "active")) return false;
  return same(me.email, r.requester) || seesEveryone(me.roles);
}

/** Credentials and console links are for the requester of an active grant. */
export function canUseGrant(me: Caller | undefined, r: { requester: string; status?: RequestStatus }): boolean {
  return !!me && same(me.email, r.requester) && (r.status === undefined || r.status === "active");
}

/** `2 of 2 approvals`, counting approvals only. */
export function approvalProgress(r: Pick<AccessRequest, "decisions" | "approvals_required">): string {
  const n = r.decisions.filter((d) => d.verdict === "approve").length;
  return `${n} of ${r.approvals_required} ${r.approvals_required === 1 ? "approval" : "approvals"}`;
}

// ---- credentials as text to copy ----

export type ProcessCredentials = Schemas["ProcessCredentials"];

/** `export AWS_...=` lines for a shell. Values are single-quoted so nothing in them is expanded. */
export function envExports(c: ProcessCredentials): string {
  const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  return [
    `export AWS_ACCESS_KEY_ID=${q(c.AccessKeyId)}`,
    `export AWS_SECRET_ACCESS_KEY=${q(c.SecretAccessKey)}`,
    `export AWS_SESSION_TOKEN=${q(c.SessionToken)}`,
  ].join("\n");
}

/** The JSON `credential_process` prints, as the API returned it. */
export function processJson(c: ProcessCredentials): string {
  return JSON.stringify(c);
}
