import { describe, expect, it } from "vitest";
import { countLines, EMPTY_CONTROLS, selectionOf, shellQuote, syncCommand, templateProblem } from "./profiles";

describe("selectionOf", () => {
  it("sends nothing for the defaults", () => {
    expect(selectionOf(EMPTY_CONTROLS, { template: "{customer}-{account}-{role}" })).toEqual({});
  });
  it("sorts and de-duplicates customers, orders kinds, trims text", () => {
    expect(
      selectionOf({
        ...EMPTY_CONTROLS,
        customers: ["fjord-banking", "acme-retail", "fjord-banking"],
        kinds: ["sso", "read"],
        environment: "prod",
        region: " eu-west-1 ",
        all: true,
      }),
    ).toEqual({ customer: "acme-retail,fjord-banking", kind: "read,sso", environment: "prod", region: "eu-west-1", all: "true" });
  });
  it("leaves out all three kinds (the same as no filter)", () => {
    expect(selectionOf({ ...EMPTY_CONTROLS, kinds: ["sso", "read", "breakglass"] }).kind).toBeUndefined();
  });
  it("sends a template or hub profile only when it differs from the stored preference", () => {
    const prefs = { template: "{customer}-{account}-{role}", hubProfile: "hub" };
    expect(selectionOf({ ...EMPTY_CONTROLS, template: "{customer}-{account}-{role}", hubProfile: "hub" }, prefs)).toEqual({});
    expect(selectionOf({ ...EMPTY_CONTROLS, template: "{alias}-{role}", hubProfile: "other" }, prefs)).toEqual({
      template: "{alias}-{role}",
      hub_profile: "other",
    });
  });
});

describe("syncCommand", () => {
  it("is the bare command for the defaults", () => {
    expect(syncCommand({})).toBe("cc profiles sync");
  });
  it("passes every flag the CLI knows, quoting what the shell would change", () => {
    expect(
      syncCommand({
        customer: "acme-retail,fjord-banking",
        environment: "non-prod",
        kind: "read,sso",
        region: "eu-west-1",
        template: "{customer}-{account}-{role}",
        hub_profile: "my hub",
        all: "true",
      }),
    ).toBe(
      "cc profiles sync --customer acme-retail,fjord-banking --environment non-prod --kind read,sso " +
        "--region eu-west-1 --template '{customer}-{account}-{role}' --hub-profile 'my hub' --all",
    );
  });
});

describe("shellQuote", () => {
  it("leaves plain words alone and escapes single quotes", () => {
    expect(shellQuote("acme-retail")).toBe("acme-retail");
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("it's {role}")).toBe(`'it'\\''s {role}'`);
    expect(shellQuote("$(rm -rf ~)")).toBe("'$(rm -rf ~)'");
  });
});

describe("templateProblem", () => {
  it("accepts the documented placeholders", () => {
    expect(templateProblem("{customer}-{account}-{role}")).toBeUndefined();
    expect(templateProblem("{env}/{alias}/{id}")).toBeUndefined();
    expect(templateProblem("")).toBeUndefined();
  });
  it("names an unknown placeholder, a template without any, and one too long", () => {
    expect(templateProblem("{customer}-{acount}")).toMatch(/Unknown placeholder \{acount\}/);
    expect(templateProblem("static")).toMatch(/at least one placeholder/);
    expect(templateProblem("{id}" + "x".repeat(200))).toMatch(/1-200/);
  });
});

describe("countLines", () => {
  it("counts with or without a final line break", () => {
    expect(countLines("")).toBe(0);
    expect(countLines("a")).toBe(1);
    expect(countLines("a\nb\n")).toBe(2);
    expect(countLines("a\nb")).toBe(2);
  });
});

import { runsBareCc } from "./profiles";

describe("the CLI path", () => {
  it("is sent as cli_path and runs the sync command, never as a sync flag", () => {
    const selection = selectionOf({ ...EMPTY_CONTROLS, cliPath: " /opt/cc/bin/cc " });
    expect(selection).toEqual({ cli_path: "/opt/cc/bin/cc" });
    expect(syncCommand(selection, "/opt/cc/bin/cc")).toBe("/opt/cc/bin/cc profiles sync");
    expect(syncCommand({}, "/home/me/my tools/cc")).toBe("'/home/me/my tools/cc' profiles sync");
  });
  it("finds profiles that would run the C compiler", () => {
    expect(runsBareCc("[profile x]\ncredential_process = cc credentials --account 100000013943\n")).toBe(true);
    expect(runsBareCc("[profile x]\ncredential_process = /usr/local/bin/cc credentials --account 1\n")).toBe(false);
    expect(runsBareCc("[profile x]\nsso_session = a\n")).toBe(false);
  });
});
