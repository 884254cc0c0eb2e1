import { describe, expect, it } from "vitest";
import type { Account } from "../api/client";
import { accountBadges, describeAccess, groupByEnvironment, roleName } from "./accounts";

function acc(over: Partial<Account>): Account {
  return {
    id: "100000000000",
    name: "x",
    customer: "c",
    environment: "prod",
    region: "eu-west-1",
    management_account: false,
    delegated_admin_services: [],
    access: {
      method: "sso",
      start_url: "https://c.awsapps.com/start",
      sso_region: "eu-west-1",
      permission_sets: ["ReadOnlyAccess"],
      breakglass_permission_sets: ["SRE-Breakglass"],
    },
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...over,
  };
}

describe("groupByEnvironment", () => {
  it("puts production first, management then delegated admins then by name, and drops empty groups", () => {
    const groups = groupByEnvironment([
      acc({ id: "1", name: "b", environment: "non-prod" }),
      acc({ id: "2", name: "z", delegated_admin_services: ["guardduty"] }),
      acc({ id: "3", name: "a" }),
      acc({ id: "4", name: "mgmt", management_account: true }),
    ]);
    expect(groups.map((g) => [g.label, g.accounts.map((a) => a.id)])).toEqual([
      ["Production", ["4", "2", "3"]],
      ["Non-production", ["1"]],
    ]);
    expect(groupByEnvironment([acc({ environment: "non-prod" })]).map((g) => g.environment)).toEqual([
      "non-prod",
    ]);
    expect(groupByEnvironment([])).toEqual([]);
  });
});

describe("describeAccess", () => {
  it("summarises SSO and role access", () => {
    expect(describeAccess(acc({}).access)).toEqual({
      method: "SSO",
      standing: ["ReadOnlyAccess"],
      breakglass: ["SRE-Breakglass"],
    });
    expect(
      describeAccess({
        method: "role",
        read_role_arn: "arn:aws:iam::100000000000:role/ops/CustomerCentralRead",
        breakglass_role_arn: "arn:aws:iam::100000000000:role/CustomerCentralBreakglass",
        external_id: "e",
        max_session_seconds: 3600,
      }),
    ).toEqual({ method: "IAM role", standing: ["CustomerCentralRead"], breakglass: ["CustomerCentralBreakglass"] });
  });

  it("keeps a value that is not a role ARN as it is", () => {
    expect(roleName("not-an-arn")).toBe("not-an-arn");
  });
});

describe("accountBadges", () => {
  it("names management and delegated-admin services", () => {
    expect(accountBadges(acc({ management_account: true }))).toEqual(["Management"]);
    expect(accountBadges(acc({ delegated_admin_services: ["guardduty", "securityhub"] }))).toEqual([
      "Delegated admin: guardduty, securityhub",
    ]);
    expect(accountBadges(acc({}))).toEqual([]);
  });
});
