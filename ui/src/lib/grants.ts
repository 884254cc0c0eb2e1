// How a grant is used and shown: SSO or role, which end to show, the CLI command credential_process
// runs, ticket links, and which navigation items a person's roles can use. Plain functions (Vitest).
import type { Schemas } from "../api/client";

type AccessRequest = Schemas["AccessRequest"];

// ---- SSO grants ----

/** The portal deep link that opens the console in this account with this permission set. */
export function ssoConsoleUrl(startUrl: string, accountId: string, permissionSet: string): string {
  const base = startUrl.replace(/\/+$/, "");
  return `${base}/#/console?account_id=${encodeURIComponent(accountId)}&role_name=${encodeURIComponent(permissionSet)}`;
}

// ---- the Customer Central CLI ----

/** Whether a command names a program by its full path (so it cannot be the C compiler `cc`). */
export function isFullPath(command: string | null | undefined): boolean {
  const c = (command ?? "").trim();
  return c.startsWith("/") || c.startsWith("~/") || /^[A-Za-z]:[\\/]/.test(c);
}

/**
 * The command to show for the Customer Central CLI: the person's saved `cli_command` when it is
 * anything but the bare default `cc` (which is the C compiler on many machines), else undefined.
 */
export function savedCliCommand(cliCommand: string | null | undefined): string | undefined {
  const c = (cliCommand ?? "").trim();
  return c && c !== "cc" ? c : undefined;
}

/** The `~/.aws/config` line that fetches fresh credentials for this account with the CLI. */
export function credentialProcessLine(accountId: string, cliCommand?: string): string {
  return `credential_process = ${cliCommand?.trim() || "cc"} credentials --account ${accountId}`;
}

// ---- which end to show ----

export interface ShownEnd {
  label: string;
  at: string | null | undefined;
  /** Set when the grant ended before its planned end. */
  note?: string;
}

const END_WORDS: Record<string, string> = { expired: "expired", revoked: "revoked" };

/** The end a person cares about: when it actually ended once it did, else when it is planned to. */
export function shownEnd(r: Pick<AccessRequest, "status" | "ends_at" | "ended_at" | "end_reason">): ShownEnd {
  if (r.ended_at) {
    const reason = r.end_reason ? (END_WORDS[r.end_reason] ?? r.end_reason.replace(/_/g, " ")) : undefined;
    return { label: "Ended", at: r.ended_at, note: reason };
  }
  return { label: "Ends", at: r.ends_at };
}

// ---- long text in tables ----

/** The URL when `raw` is an http(s) URL (safe to link), else null. */
export function safeHttpUrl(raw: string | null | undefined): string | null {
  const t = (raw ?? "").trim();
  if (!/^https?:\/\//i.test(t)) return null;
  try {
    const url = new URL(t);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname ? url.href : null;
  } catch {
    return null;
  }
}

/** `text` cut to `max` characters with an ellipsis, and whether it was cut. */
export function shorten(text: string, max: number): { text: string; cut: boolean } {
  const chars = [...text];
  if (chars.length <= max) return { text, cut: false };
  return { text: `${chars.slice(0, Math.max(1, max - 1)).join("").trimEnd()}…`, cut: true };
}

/** A ticket URL as a short label: host and the start of the path. */
export function ticketLabel(url: string, max = 40): string {
  try {
    const u = new URL(url);
    return shorten(`${u.host}${u.pathname === "/" ? "" : u.pathname}${u.search}${u.hash}`, max).text;
  } catch {
    return shorten(url, max).text;
  }
}

// ---- navigation by role ----

export interface NavCaller {
  roles: readonly string[];
  customers: readonly string[];
}

export interface PolicyItem {
  customer: string;
  policy: {
    requester_roles: readonly string[];
    approver_roles: readonly string[];
    approvers_off_team?: readonly string[] | null;
  };
}

/** The defaults the API applies to a customer without a policy of its own. */
export const DEFAULT_POLICY: PolicyItem["policy"] = {
  requester_roles: ["engineer"],
  approver_roles: ["senior", "lead"],
  approvers_off_team: ["lead", "admin"],
};

/**
 * Which breakglass items a person's roles can use: asking needs a requester role of some customer
 * on their team; deciding needs an approver role, on the team or off-team for that role. Without
 * the policies (still loading, or refused) the defaults are used. The API stays the authority.
 */
export function navAccess(
  me: NavCaller | undefined,
  policies: readonly PolicyItem[] | undefined,
): { request: boolean; approve: boolean } {
  if (!me) return { request: false, approve: false };
  const has = (roles: readonly string[]) => roles.some((r) => me.roles.includes(r));
  const items: PolicyItem[] = policies?.length
    ? [...policies]
    : (me.customers.length ? me.customers : ["*"]).map((customer) => ({ customer, policy: DEFAULT_POLICY }));
  const onTeam = (customer: string) => customer === "*" || me.customers.includes(customer);
  const request = items.some((p) => onTeam(p.customer) && has(p.policy.requester_roles));
  const approve = items.some((p) => {
    const roles = p.policy.approver_roles.filter((r) => me.roles.includes(r));
    if (!roles.length) return false;
    return onTeam(p.customer) || roles.some((r) => (p.policy.approvers_off_team ?? []).includes(r));
  });
  return { request, approve };
}

// ---- the SSO profile of a grant ----

type ProfileSet = Schemas["ProfileSet"];

/**
 * The `~/.aws/config` sections for an SSO grant, from the API's profiles (`GET /profiles?format=json`):
 * its `[sso-session]` and the breakglass profile for this account and permission set; null when the
 * API does not offer one (yet).
 */
export function ssoProfileSnippet(set: ProfileSet | undefined, accountId: string, permissionSet: string): string | null {
  const profile = set?.profiles.find(
    (p) =>
      p.account_id === accountId &&
      p.settings.some(([k, v]) => k === "sso_role_name" && v === permissionSet),
  );
  if (!profile) return null;
  const sessionName = profile.settings.find(([k]) => k === "sso_session")?.[1];
  const session = set?.sso_sessions.find((s) => s.name === sessionName);
  const lines: string[] = [];
  if (session) {
    lines.push(
      `[sso-session ${session.name}]`,
      `sso_start_url = ${session.start_url}`,
      `sso_region = ${session.region}`,
      "sso_registration_scopes = sso:account:access",
      "",
    );
  }
  lines.push(`[profile ${profile.name}]`, ...profile.settings.map(([k, v]) => `${k} = ${v}`));
  return lines.join("\n");
}

// ---- changes the form makes on its own ----

/** Said next to the duration when a lower maximum (another customer's policy) shortened the choice. */
export function shortenedDurationText(chosenMinutes: number, effectiveMinutes: number, customer: string | undefined, format: (m: number) => string): string | undefined {
  if (effectiveMinutes >= chosenMinutes) return undefined;
  return `Shortened from ${format(chosenMinutes)} to ${format(effectiveMinutes)}: ${customer ?? "this customer"} allows at most ${format(effectiveMinutes)}.`;
}
