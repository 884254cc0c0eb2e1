// Plain functions behind the customer page's account views (tested without a browser).
import type { AccessMethod, Account, Environment } from "../api/client";

export const ENVIRONMENT_ORDER: Environment[] = ["prod", "non-prod"];

export const ENVIRONMENT_LABEL: Record<Environment, string> = {
  prod: "Production",
  "non-prod": "Non-production",
};

export interface EnvironmentGroup {
  environment: Environment;
  label: string;
  accounts: Account[];
}

/**
 * Accounts grouped by environment (production first), each group sorted with the management
 * account first, then delegated administrators, then by name; empty groups are left out.
 */
export function groupByEnvironment(accounts: Account[]): EnvironmentGroup[] {
  const known = new Set<string>(ENVIRONMENT_ORDER);
  const extra = [...new Set(accounts.map((a) => a.environment))].filter((e) => !known.has(e));
  return [...ENVIRONMENT_ORDER, ...extra]
    .map((environment) => ({
      environment,
      label: ENVIRONMENT_LABEL[environment] ?? environment,
      accounts: accounts.filter((a) => a.environment === environment).sort(compareAccounts),
    }))
    .filter((group) => group.accounts.length > 0);
}

function rank(account: Account): number {
  if (account.management_account) return 0;
  if (account.delegated_admin_services.length > 0) return 1;
  return 2;
}

export function compareAccounts(a: Account, b: Account): number {
  return rank(a) - rank(b) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

export interface AccessSummary {
  /** "SSO" or "IAM role". */
  method: string;
  /** What a person gets by default: permission sets, or the read role's name. */
  standing: string[];
  /** Breakglass: permission sets or the breakglass role's name. */
  breakglass: string[];
}

/** The last path segment of a role ARN (`arn:aws:iam::1:role/path/Name` → `Name`). */
export function roleName(arn: string): string {
  const resource = arn.split(":").slice(5).join(":");
  const name = resource.split("/").pop();
  return name && name !== resource ? name : arn;
}

export function describeAccess(access: AccessMethod): AccessSummary {
  if (access.method === "sso") {
    return {
      method: "SSO",
      standing: access.permission_sets,
      breakglass: access.breakglass_permission_sets,
    };
  }
  return {
    method: "IAM role",
    standing: [roleName(access.read_role_arn)],
    breakglass: [roleName(access.breakglass_role_arn)],
  };
}

/** Labels for the account's badges (management, delegated administrator). */
export function accountBadges(account: Account): string[] {
  const badges: string[] = [];
  if (account.management_account) badges.push("Management");
  if (account.delegated_admin_services.length > 0) {
    badges.push(`Delegated admin: ${account.delegated_admin_services.join(", ")}`);
  }
  return badges;
}
