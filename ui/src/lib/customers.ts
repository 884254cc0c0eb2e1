import type { CustomerStatus } from "../api/client";

export const STATUS_OPTIONS: Array<{ value: CustomerStatus | ""; label: string }> = [
  { value: "", label: "Any status" },
  { value: "active", label: "Active" },
  { value: "onboarding", label: "Onboarding" },
  { value: "offboarded", label: "Offboarded" },
];

export const STATUS_INDICATOR: Record<
  CustomerStatus,
  { type: "success" | "in-progress" | "stopped"; label: string }
> = {
  active: { type: "success", label: "Active" },
  onboarding: { type: "in-progress", label: "Onboarding" },
  offboarded: { type: "stopped", label: "Offboarded" },
};

export function parseStatus(value: string | null): CustomerStatus | "" {
  return value === "active" || value === "onboarding" || value === "offboarded" ? value : "";
}

/** `2025-01-01 – 2027-12-31`, `from 2025-01-01`, `until 2027-12-31`, or empty. */
export function contractPeriod(startsOn?: string | null, endsOn?: string | null): string {
  if (startsOn && endsOn) return `${startsOn} – ${endsOn}`;
  if (startsOn) return `from ${startsOn}`;
  if (endsOn) return `until ${endsOn}`;
  return "";
}

/** The policy summary of the customer overview, as the API documents it. */
export interface PolicyFacts {
  approvals_required: number;
  approver_roles: string[];
  max_duration_minutes: number;
  approval_window_minutes: number;
  ticket_required: boolean;
  ticket_pattern?: string | null;
  requester_roles: string[];
  customised: boolean;
  version: number;
}

/** `lead`, `senior or lead`, `senior, lead or admin`. */
export function orList(words: string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** `45 min`, `4 h`, `1 h 30 min`. */
export function minutesText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (!h) return `${m} min`;
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** The approval policy in force, as label/value lines for the customer page. */
export function policyLines(p: PolicyFacts): Array<{ label: string; value: string }> {
  const approvals = `${p.approvals_required} ${p.approvals_required === 1 ? "approval" : "approvals"}`;
  return [
    { label: "Approvals required", value: `${approvals} (${orList(p.approver_roles)})` },
    { label: "Longest grant", value: minutesText(p.max_duration_minutes) },
    {
      label: "Ticket",
      value: p.ticket_required
        ? `Required: ${p.ticket_pattern ? `matching ${p.ticket_pattern}` : "a key, number or URL"}`
        : "Not required",
    },
    { label: "Who may ask", value: `${orList(p.requester_roles.map((r) => `${r}s`))} on the team` },
    { label: "Policy", value: p.customised ? `Customised (version ${p.version})` : "The standard policy" },
  ];
}

/** The account counts of the customer overview. */
export interface AccountFacts {
  total: number;
  by_environment: { prod: number; non_prod: number };
  by_access: { sso: number; role: number };
  management: number;
  delegated_admin: number;
}

/** The account counts as label/value lines for the customer page. */
export function accountLines(a: AccountFacts): Array<{ label: string; value: string }> {
  return [
    { label: "Accounts", value: String(a.total) },
    { label: "By environment", value: `${a.by_environment.prod} production · ${a.by_environment.non_prod} non-production` },
    { label: "By access", value: `${a.by_access.sso} SSO · ${a.by_access.role} role` },
    { label: "Management", value: String(a.management) },
    { label: "Delegated admin", value: String(a.delegated_admin) },
  ];
}
