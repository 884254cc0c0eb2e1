// Admin forms: the API's documented rules checked before sending, the API's own refusals mapped
// onto the form's fields, and optimistic-concurrency conflicts recognised.
import { ApiError } from "../api/errors";
import { STATUS_OPTIONS } from "./customers";

/** The statuses a customer can be given (the list filter's "any" left out). */
export const CUSTOMER_STATUS_OPTIONS = STATUS_OPTIONS.filter((o) => o.value !== "");

/** A 409/412 that means "someone changed this since you read it" (not, say, "that code is taken"). */
export function isConflict(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  if (err.status === 412) return true;
  if (err.status !== 409) return false;
  return err.code === "version_conflict" || err.code === "conflict" || err.code === "precondition_failed";
}

export const CONFLICT_MESSAGE = "Changed by someone else — reload";

export type FieldErrors = Record<string, string>;

/**
 * The API names a field like `access.start_url` or `members[0]`; a form knows its own field names.
 * Returns the form field the error belongs to (exact, then the path with indexes dropped, then its last
 * segment), or undefined when the form has no such field.
 */
export function formFieldFor(apiField: string | undefined, formFields: readonly string[]): string | undefined {
  if (!apiField) return undefined;
  const candidates = [apiField, apiField.replace(/\[\d+\]/g, ""), apiField.split(".").pop() ?? ""];
  const withoutIndex = candidates[2]!.replace(/\[\d+\]/g, "");
  candidates.push(withoutIndex);
  return candidates.find((c) => c && formFields.includes(c));
}

/** The form's field errors after an API refusal: its message under the field it names. */
export function apiFieldErrors(err: unknown, formFields: readonly string[]): FieldErrors {
  if (!(err instanceof ApiError)) return {};
  const field = formFieldFor(err.field, formFields);
  return field ? { [field]: err.message } : {};
}

// --- the documented value rules (messages in the API's words where it has them) ---

const ACCOUNT_ID = /^\d{12}$/;
// Any case: the API keeps codes in lower case (ACME-Retail is acme-retail).
const CUSTOMER_CODE = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/i;
const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PERMISSION_SET = /^[\w+=,.@-]{1,32}$/;

export function checkAccountId(v: string): string | undefined {
  return ACCOUNT_ID.test(v.trim()) ? undefined : "An AWS account id is exactly 12 digits (keep leading zeros).";
}
export function checkCustomerCode(v: string): string | undefined {
  const t = v.trim();
  return t.length >= 2 && CUSTOMER_CODE.test(t)
    ? undefined
    : "2-32 characters of a-z, 0-9 and '-', not starting or ending with '-'.";
}
export function checkName(v: string): string | undefined {
  const t = v.trim();
  return t.length >= 1 && t.length <= 120 ? undefined : "Name must be 1-120 characters of text.";
}
export function checkRegion(v: string): string | undefined {
  return REGION.test(v.trim()) ? undefined : "Not a region code like eu-west-1.";
}
export function checkRoleArn(v: string): string | undefined {
  return ROLE_ARN.test(v.trim()) ? undefined : "An IAM role ARN, like arn:aws:iam::123456789012:role/Name.";
}
export function checkExternalId(v: string): string | undefined {
  return EXTERNAL_ID.test(v.trim()) ? undefined : "2-1224 characters of letters, digits and +=,.@:/-";
}
export function checkHttpsUrl(v: string): string | undefined {
  try {
    const url = new URL(v.trim());
    return url.protocol === "https:" && url.hostname ? undefined : "Must be an https:// URL.";
  } catch {
    return "Must be an https:// URL.";
  }
}
export function checkEmail(v: string): string | undefined {
  return EMAIL.test(v.trim()) ? undefined : "Not an e-mail address.";
}
export function checkIntRange(v: string, min: number, max: number, what: string): string | undefined {
  const n = Number(v);
  return v.trim() !== "" && Number.isInteger(n) && n >= min && n <= max ? undefined : `${what} must be ${min}-${max}.`;
}
export function checkPermissionSets(values: string[], required: boolean): string | undefined {
  if (required && !values.length) return "Give at least one permission set.";
  const bad = values.find((v) => !PERMISSION_SET.test(v));
  return bad ? `'${bad}' is not a permission set name (1-32 of letters, digits and +=,.@-).` : undefined;
}
export function checkTicketPattern(v: string): string | undefined {
  const t = v.trim();
  if (!t) return undefined;
  if (t.length > 200) return "At most 200 characters.";
  try {
    new RegExp(t);
    return undefined;
  } catch {
    return "Not a valid regular expression.";
  }
}

/**
 * A "one per line" field's values: split on line breaks only (a space or comma inside a line is part
 * of the value: permission set names may hold commas, and a stray space is then named by the field's
 * check instead of silently making two values), each line trimmed, blank lines and repeats dropped.
 */
export function splitLines(v: string): string[] {
  return [...new Set(v.split(/\r\n|\r|\n/).map((s) => s.trim()).filter(Boolean))];
}

/**
 * A one-per-line list of e-mail addresses: like `splitLines`, but repeats are dropped ignoring case
 * (the API compares e-mails case-insensitively and keeps one), the first spelling kept.
 */
export function splitEmails(v: string): string[] {
  return uniqueEmails(splitLines(v));
}

function uniqueEmails(xs: string[]): string[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const key = x.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The hint every one-per-line field shows. */
export const ONE_PER_LINE = "One per line; spaces and commas inside a line are kept.";

/** The errors without one field's (it was just edited). Same object when there was none. */
export function withoutField(errors: FieldErrors, field: string): FieldErrors {
  if (!(field in errors)) return errors;
  const next = { ...errors };
  delete next[field];
  return next;
}

/** Only the errors that are set. */
export function collect(errors: Record<string, string | undefined>): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(errors)) if (v) out[k] = v;
  return out;
}

/** Added and removed e-mails between two member lists (case-insensitive), for a team change summary. */
export function teamDiff(before: string[], after: string[]): { added: string[]; removed: string[] } {
  const lower = (xs: string[]) => new Set(xs.map((x) => x.toLowerCase()));
  const b = lower(before);
  const a = lower(after);
  return {
    added: uniqueEmails(after).filter((x) => !b.has(x.toLowerCase())),
    removed: uniqueEmails(before).filter((x) => !a.has(x.toLowerCase())),
  };
}
