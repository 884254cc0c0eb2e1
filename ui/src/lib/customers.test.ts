import { describe, expect, it } from "vitest";
import { accountLines, minutesText, orList, policyLines, type PolicyFacts } from "./customers";

const standard: PolicyFacts = {
  approvals_required: 1,
  approver_roles: ["senior", "lead"],
  max_duration_minutes: 240,
  approval_window_minutes: 120,
  ticket_required: false,
  ticket_pattern: null,
  requester_roles: ["engineer"],
  customised: false,
  version: 0,
};

describe("policyLines", () => {
  it("says what the standard policy takes", () => {
    expect(policyLines(standard)).toEqual([
      { label: "Approvals required", value: "1 approval (senior or lead)" },
      { label: "Longest grant", value: "4 h" },
      { label: "Ticket", value: "Not required" },
      { label: "Who may ask", value: "engineers on the team" },
      { label: "Policy", value: "The standard policy" },
    ]);
  });

  it("names a customised policy's ticket pattern and version", () => {
    const lines = policyLines({
      ...standard,
      approvals_required: 2,
      approver_roles: ["senior", "lead", "admin"],
      max_duration_minutes: 90,
      ticket_required: true,
      ticket_pattern: "CHG[0-9]{7}",
      requester_roles: ["engineer", "senior"],
      customised: true,
      version: 3,
    });
    expect(lines.map((l) => l.value)).toEqual([
      "2 approvals (senior, lead or admin)",
      "1 h 30 min",
      "Required: matching CHG[0-9]{7}",
      "engineers or seniors on the team",
      "Customised (version 3)",
    ]);
    expect(policyLines({ ...standard, ticket_required: true })[2]?.value).toBe("Required: a key, number or URL");
  });
});

describe("small words", () => {
  it("joins lists and minutes", () => {
    expect(orList([])).toBe("");
    expect(orList(["lead"])).toBe("lead");
    expect(minutesText(45)).toBe("45 min");
    expect(minutesText(720)).toBe("12 h");
  });
});

describe("accountLines", () => {
  it("breaks the accounts down", () => {
    expect(
      accountLines({
        total: 3,
        by_environment: { prod: 2, non_prod: 1 },
        by_access: { sso: 1, role: 2 },
        management: 1,
        delegated_admin: 0,
      }).map((l) => l.value),
    ).toEqual(["3", "2 production · 1 non-production", "1 SSO · 2 role", "1", "0"]);
  });
});
