import { describe, expect, it } from "vitest";
import {
  credentialProcessLine,
  isFullPath,
  navAccess,
  safeHttpUrl,
  savedCliCommand,
  shorten,
  shownEnd,
  ssoConsoleUrl,
  ticketLabel,
} from "./grants";

describe("ssoConsoleUrl", () => {
  it("builds the portal deep link", () => {
    expect(ssoConsoleUrl("https://acme.awsapps.com/start/", "100000480863", "SRE-Breakglass")).toBe(
      "https://acme.awsapps.com/start/#/console?account_id=100000480863&role_name=SRE-Breakglass",
    );
  });
});

describe("the CLI command", () => {
  it("never takes the bare default cc as a saved command", () => {
    expect(savedCliCommand("cc")).toBeUndefined();
    expect(savedCliCommand("")).toBeUndefined();
    expect(savedCliCommand(undefined)).toBeUndefined();
    expect(savedCliCommand("/home/erin/.cargo/bin/cc")).toBe("/home/erin/.cargo/bin/cc");
  });
  it("writes the saved command into the credential_process line", () => {
    expect(credentialProcessLine("100000013943", "/opt/cc/bin/cc")).toBe(
      "credential_process = /opt/cc/bin/cc credentials --account 100000013943",
    );
    expect(credentialProcessLine("100000013943")).toBe("credential_process = cc credentials --account 100000013943");
  });
  it("knows a full path", () => {
    expect(isFullPath("/usr/local/bin/cc")).toBe(true);
    expect(isFullPath("~/bin/cc")).toBe(true);
    expect(isFullPath("C:\\tools\\cc.exe")).toBe(true);
    expect(isFullPath("cc")).toBe(false);
    expect(isFullPath("bin/cc")).toBe(false);
  });
});

describe("shownEnd", () => {
  it("shows when a revoked grant actually ended, not its planned end", () => {
    expect(
      shownEnd({ status: "ended", ends_at: "2026-11-29T23:21:00Z", ended_at: "2026-11-29T22:23:00Z", end_reason: "revoked" }),
    ).toEqual({ label: "Ended", at: "2026-11-29T22:23:00Z", note: "revoked" });
  });
  it("shows the planned end while active", () => {
    expect(shownEnd({ status: "active", ends_at: "2026-11-29T23:21:00Z", ended_at: null })).toEqual({ label: "Ends", at: "2026-11-29T23:21:00Z" });
  });
});

describe("tickets", () => {
  it("links only http(s) URLs", () => {
    expect(safeHttpUrl("https://jira.example.com/browse/OPS-1")).toBe("https://jira.example.com/browse/OPS-1");
    expect(safeHttpUrl("javascript:alert(1)")).toBeNull();
    expect(safeHttpUrl("OPS-1234")).toBeNull();
    expect(safeHttpUrl("data:text/html,x")).toBeNull();
  });
  it("shortens visibly", () => {
    expect(shorten("short", 10)).toEqual({ text: "short", cut: false });
    const s = shorten("a".repeat(50), 10);
    expect(s.cut).toBe(true);
    expect(s.text.endsWith("…")).toBe(true);
    expect([...s.text]).toHaveLength(10);
    expect(ticketLabel("https://jira.example.com/browse/OPS-1?x=" + "y".repeat(100), 30).endsWith("…")).toBe(true);
  });
});

describe("navAccess", () => {
  const policies = [
    { customer: "acme", policy: { requester_roles: ["engineer"], approver_roles: ["senior", "lead"], approvers_off_team: ["lead", "admin"] } },
    { customer: "fjord", policy: { requester_roles: ["engineer", "senior"], approver_roles: ["senior", "lead", "admin"], approvers_off_team: [] } },
  ];
  it("hides both from an admin-only person whom no policy names", () => {
    expect(navAccess({ roles: ["admin"], customers: [] }, policies.slice(0, 1))).toEqual({ request: false, approve: false });
    expect(navAccess({ roles: ["admin"], customers: [] }, undefined)).toEqual({ request: false, approve: false });
  });
  it("shows approving to an admin when a policy makes admin an approver on their team", () => {
    expect(navAccess({ roles: ["admin"], customers: ["fjord"] }, policies)).toEqual({ request: false, approve: true });
  });
  it("engineers request, seniors on the team approve", () => {
    expect(navAccess({ roles: ["engineer"], customers: ["acme"] }, policies)).toEqual({ request: true, approve: false });
    expect(navAccess({ roles: ["engineer", "senior"], customers: ["acme"] }, policies)).toEqual({ request: true, approve: true });
  });
  it("leads approve off the team", () => {
    expect(navAccess({ roles: ["lead"], customers: [] }, policies)).toEqual({ request: false, approve: true });
  });
});

import { ssoProfileSnippet } from "./grants";

describe("ssoProfileSnippet", () => {
  const set = {
    profiles: [
      {
        account_id: "100000480863",
        customer: "acme-retail",
        environment: "prod" as const,
        kind: "breakglass" as const,
        name: "acme-retail-payments-prod-sre-breakglass",
        settings: [
          ["sso_session", "acme-retail"],
          ["sso_account_id", "100000480863"],
          ["sso_role_name", "SRE-Breakglass"],
          ["region", "us-east-1"],
        ],
      },
    ],
    sso_sessions: [{ name: "acme-retail", region: "eu-west-1", start_url: "https://acme-retail.awsapps.com/start" }],
  };
  it("writes the SSO session and the grant's profile", () => {
    expect(ssoProfileSnippet(set, "100000480863", "SRE-Breakglass")).toBe(
      [
        "[sso-session acme-retail]",
        "sso_start_url = https://acme-retail.awsapps.com/start",
        "sso_region = eu-west-1",
        "sso_registration_scopes = sso:account:access",
        "",
        "[profile acme-retail-payments-prod-sre-breakglass]",
        "sso_session = acme-retail",
        "sso_account_id = 100000480863",
        "sso_role_name = SRE-Breakglass",
        "region = us-east-1",
      ].join("\n"),
    );
  });
  it("is null when the API offers no such profile", () => {
    expect(ssoProfileSnippet(set, "100000480863", "Other")).toBeNull();
    expect(ssoProfileSnippet(undefined, "1", "x")).toBeNull();
  });
});

import { shortenedDurationText } from "./grants";
import { formatMinutes } from "./breakglass";

describe("shortenedDurationText", () => {
  it("says so when a lower maximum shortened the chosen duration", () => {
    expect(shortenedDurationText(240, 60, "fjord-banking", formatMinutes)).toBe(
      "Shortened from 4 hours to 1 hour: fjord-banking allows at most 1 hour.",
    );
  });
  it("says nothing when the choice stands", () => {
    expect(shortenedDurationText(60, 60, "acme", formatMinutes)).toBeUndefined();
  });
});
