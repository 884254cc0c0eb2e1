import { checkRegion } from "./admin";
// The profiles page's controls, as the API's query and as the matching `cc profiles sync` command.
// One normalised selection feeds both, so the preview and the command can never disagree.

export type ProfileKind = "read" | "breakglass" | "sso";
export type EnvironmentChoice = "" | "prod" | "non-prod";

export const PROFILE_KINDS: Array<{ value: ProfileKind; label: string; description: string }> = [
  { value: "read", label: "read", description: "Role accounts: the standing read role" },
  { value: "breakglass", label: "breakglass", description: "Role accounts: the breakglass role (credentials while granted)" },
  { value: "sso", label: "sso", description: "SSO accounts: standing permission sets" },
];

export const DEFAULT_TEMPLATE = "{customer}-{account}-{role}";
export const TEMPLATE_PLACEHOLDERS = ["{customer}", "{account}", "{alias}", "{id}", "{env}", "{role}"];
export const DOWNLOAD_FILENAME = "customer-central.aws-config";

export interface ProfileControls {
  /** Naming template as typed; blank means "my stored preference". */
  template: string;
  /** Customer codes; empty means every customer I may see. */
  customers: string[];
  environment: EnvironmentChoice;
  /** Kinds; empty means all kinds. */
  kinds: ProfileKind[];
  /** Region for every profile; blank means each account's own region. */
  region: string;
  /** Hub profile role chains start from; blank means my stored preference. */
  hubProfile: string;
  /** Every customer, not only my teams' (leads and admins). */
  all: boolean;
  /** Full path of the Customer Central CLI, for breakglass profiles' `credential_process`; blank: the API's default. */
  cliPath: string;
}

export const EMPTY_CONTROLS: ProfileControls = {
  template: "",
  customers: [],
  environment: "",
  kinds: [],
  region: "",
  hubProfile: "",
  all: false,
  cliPath: "",
};

/** The stored preferences the API falls back on when a value is not sent. */
export interface ProfileDefaults {
  template?: string;
  hubProfile?: string;
}

/** The selection as query parameters: only what differs from the defaults, in a stable order. */
export interface Selection {
  customer?: string;
  environment?: "prod" | "non-prod";
  kind?: string;
  region?: string;
  template?: string;
  hub_profile?: string;
  /**
   * Not a `cc profiles sync` flag: sync sends its own full path. A command line, as the API wants it
   * (credential_process = <cli_path> credentials ...): the path quoted, see `processPath`.
   */
  cli_path?: string;
  all?: "true";
}

const KIND_ORDER: ProfileKind[] = ["read", "breakglass", "sso"];

export function selectionOf(controls: ProfileControls, defaults: ProfileDefaults = {}): Selection {
  const out: Selection = {};
  const customers = [...new Set(controls.customers.map((c) => c.trim()).filter(Boolean))].sort();
  if (customers.length) out.customer = customers.join(",");
  if (controls.environment) out.environment = controls.environment;
  const kinds = KIND_ORDER.filter((k) => controls.kinds.includes(k));
  // All three kinds is the same as no filter: leave it out so the command stays short.
  if (kinds.length && kinds.length < KIND_ORDER.length) out.kind = kinds.join(",");
  const region = controls.region.trim();
  if (region) out.region = region;
  const template = controls.template.trim();
  if (template && template !== (defaults.template ?? DEFAULT_TEMPLATE)) out.template = template;
  const hub = controls.hubProfile.trim();
  if (hub && hub !== defaults.hubProfile) out.hub_profile = hub;
  const cli = controls.cliPath.trim();
  if (cli) out.cli_path = processPath(cli);
  if (controls.all) out.all = "true";
  return out;
}

/**
 * Quotes a word, only when it needs it, the way a POSIX shell and Python's `shlex.split` (which
 * botocore uses on `credential_process`) both read it back: single quotes, each ' written '\''.
 */
export function shellQuote(word: string): string {
  if (word !== "" && /^[A-Za-z0-9_,.:/=@+%-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A program's path as a word of a shell command: quoted as needed, a leading `~/` left outside the quotes so the shell expands it. */
export function shellPath(path: string): string {
  const p = path.trim();
  if (p.startsWith("~/")) return p === "~/" ? p : `~/${shellQuote(p.slice(2))}`;
  return shellQuote(p);
}

/**
 * A program's path as `credential_process` runs it: botocore splits the line with `shlex.split` and
 * starts it without a shell, so the path is quoted and a `~` is not expanded (see `tildeInProcessPath`).
 */
export function processPath(path: string): string {
  return shellQuote(path.trim());
}

/** Whether a CLI path starts with `~`, which credential_process (no shell) does not expand. */
export function tildeInProcessPath(path: string): boolean {
  return path.trim().startsWith("~");
}

/**
 * `cc profiles sync` with the flags that give the same selection as the preview. `program` is the
 * CLI as the person runs it, as a shell command word (`shellPath` of its full path, or a saved
 * command line): a bare `cc` is the C compiler on many machines.
 */
export function syncCommand(selection: Selection, program = "cc"): string {
  const parts = [program.trim() || "cc", "profiles", "sync"];
  const flag = (name: string, value: string | undefined) => {
    if (value !== undefined) parts.push(`--${name}`, shellQuote(value));
  };
  flag("customer", selection.customer);
  flag("environment", selection.environment);
  flag("kind", selection.kind);
  flag("region", selection.region);
  flag("template", selection.template);
  flag("hub-profile", selection.hub_profile);
  if (selection.all) parts.push("--all");
  return parts.join(" ");
}

/** Problems with a template the API would refuse (its documented rules), found before asking it. */
export function templateProblem(template: string): string | undefined {
  const t = template.trim();
  if (!t) return undefined;
  if (t.length > 200) return "The template must be 1-200 characters.";
  const placeholders = [...t.matchAll(/\{[^}]*\}/g)].map((m) => m[0]);
  const unknown = placeholders.filter((p) => !TEMPLATE_PLACEHOLDERS.includes(p));
  if (unknown.length) return `Unknown placeholder ${unknown[0]}; use ${TEMPLATE_PLACEHOLDERS.join(", ")}.`;
  if (!placeholders.length) return "The template needs at least one placeholder, e.g. {account}.";
  return undefined;
}

/**
 * What is wrong with the controls as typed, field by field (template, region): while any is set, no
 * preview or command built from them is offered (the API would refuse them too).
 */
export function controlProblems(controls: Pick<ProfileControls, "template" | "region">): { template?: string; region?: string } {
  const out: { template?: string; region?: string } = {};
  const template = templateProblem(controls.template);
  if (template) out.template = template;
  if (controls.region.trim() && checkRegion(controls.region)) out.region = checkRegion(controls.region);
  return out;
}

/** Counts lines without splitting a large text into an array. */
export function countLines(text: string): number {
  if (!text) return 0;
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return text.endsWith("\n") ? n : n + 1;
}

/** Whether rendered profiles run a bare `cc` (the C compiler on many machines) from `credential_process`. */
export function runsBareCc(ini: string): boolean {
  return /^credential_process\s*=\s*cc\s/m.test(ini);
}
