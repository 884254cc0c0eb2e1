import { describe, expect, it } from "vitest";
import { controlProblems, countLines, EMPTY_CONTROLS, selectionOf, shellQuote, syncCommand, templateProblem } from "./profiles";

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

import { execFileSync } from "node:child_process";
import { runsBareCc, shellPath, tildeInProcessPath } from "./profiles";

/** POSIX word splitting as shlex.split(s) (posix=True) does it: whitespace, '...', "...", backslash. */
function shlexSplit(s: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error("unclosed '");
      word = (word ?? "") + s.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let out = "";
      for (i++; i < s.length && s[i] !== '"'; i++) {
        if (s[i] === "\\" && i + 1 < s.length && '"\\$`'.includes(s[i + 1]!)) i++;
        out += s[i];
      }
      if (i >= s.length) throw new Error('unclosed "');
      word = (word ?? "") + out;
    } else if (c === "\\") {
      word = (word ?? "") + (s[++i] ?? "");
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** Python's own shlex.split when python3 is on the machine (the same answer as shlexSplit otherwise). */
function python(line: string): string[] {
  try {
    const out = execFileSync("python3", ["-c", "import json, shlex, sys; print(json.dumps(shlex.split(sys.argv[1])))", line], {
      encoding: "utf8",
    });
    return JSON.parse(out) as string[];
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return shlexSplit(line);
    throw err;
  }
}

describe("the CLI path", () => {
  it("is sent as cli_path and runs the sync command, never as a sync flag", () => {
    const selection = selectionOf({ ...EMPTY_CONTROLS, cliPath: " /opt/cc/bin/cc " });
    expect(selection).toEqual({ cli_path: "/opt/cc/bin/cc" });
    expect(syncCommand(selection, shellPath("/opt/cc/bin/cc"))).toBe("/opt/cc/bin/cc profiles sync");
    expect(syncCommand({}, shellPath("/home/me/my tools/cc"))).toBe("'/home/me/my tools/cc' profiles sync");
  });

  // A path with a space and a quote, read back as POSIX sh and Python's shlex.split (botocore's
  // reading of credential_process) read it.
  const PATH = "/home/o'brien/my tools/cc";

  it("is sent quoted, so credential_process = <cli_path> credentials ... splits back to the path", () => {
    const selection = selectionOf({ ...EMPTY_CONTROLS, cliPath: PATH });
    expect(selection.cli_path).toBe(`'/home/o'\\''brien/my tools/cc'`);
    const line = `${selection.cli_path} credentials --account 100000013943`;
    expect(shlexSplit(line)).toEqual([PATH, "credentials", "--account", "100000013943"]);
    expect(python(line)).toEqual([PATH, "credentials", "--account", "100000013943"]);
  });

  it("runs the sync command as the shell reads it, a leading ~/ still expanded", () => {
    const command = syncCommand({ template: "{env} {account}" }, shellPath(PATH));
    expect(shlexSplit(command)).toEqual([PATH, "profiles", "sync", "--template", "{env} {account}"]);
    expect(python(command)).toEqual([PATH, "profiles", "sync", "--template", "{env} {account}"]);
    expect(shellPath("~/my tools/cc")).toBe("~/'my tools/cc'");
    expect(shellPath("~/.cargo/bin/cc")).toBe("~/.cargo/bin/cc");
    expect(tildeInProcessPath("~/.cargo/bin/cc")).toBe(true);
    expect(tildeInProcessPath("/usr/local/bin/cc")).toBe(false);
  });
  it("finds profiles that would run the C compiler", () => {
    expect(runsBareCc("[profile x]\ncredential_process = cc credentials --account 100000013943\n")).toBe(true);
    expect(runsBareCc("[profile x]\ncredential_process = /usr/local/bin/cc credentials --account 1\n")).toBe(false);
    expect(runsBareCc("[profile x]\nsso_session = a\n")).toBe(false);
  });
});

describe("controlProblems", () => {
  it("names every invalid control, none for valid or empty ones", () => {
    expect(controlProblems({ template: "", region: "" })).toEqual({});
    expect(controlProblems({ template: "{customer}-{role}", region: "eu-west-1" })).toEqual({});
    expect(controlProblems({ template: "{foo}-{role}", region: "not a region" })).toEqual({
      template: expect.stringContaining("{foo}"),
      region: "Not a region code like eu-west-1.",
    });
    expect(controlProblems({ template: "{account}".padEnd(300, "x"), region: "" }).template).toMatch(/1-200/);
  });
});
