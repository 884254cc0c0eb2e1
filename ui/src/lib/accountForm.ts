// The account form's values <-> the API's NewAccount / AccountPatch, and its documented rules.
import type { Account, Schemas } from "../api/client";
import {
  checkAccountId,
  checkExternalId,
  checkHttpsUrl,
  checkIntRange,
  checkName,
  checkPermissionSets,
  checkRegion,
  checkRoleArn,
  collect,
  splitLines,
  type FieldErrors,
} from "./admin";

type NewAccount = Schemas["NewAccount"];
type AccountPatch = Schemas["AccountPatch"];
type AccessMethod = Schemas["AccessMethod"];

export interface AccountFormValues {
  id: string;
  name: string;
  alias: string;
  environment: "prod" | "non-prod";
  region: string;
  management_account: boolean;
  delegated_admin_services: string;
  method: "sso" | "role";
  start_url: string;
  sso_region: string;
  permission_sets: string;
  breakglass_permission_sets: string;
  instance_arn: string;
  identity_store_id: string;
  admin_role_arn: string;
  ic_external_id: string;
  read_role_arn: string;
  breakglass_role_arn: string;
  external_id: string;
  max_session_seconds: string;
}

/** Form field names (the API's field paths map onto these, see `formFieldFor`). */
export const ACCOUNT_FIELDS = [
  "id",
  "name",
  "alias",
  "environment",
  "region",
  "management_account",
  "delegated_admin_services",
  "start_url",
  "sso_region",
  "permission_sets",
  "breakglass_permission_sets",
  "instance_arn",
  "identity_store_id",
  "admin_role_arn",
  "read_role_arn",
  "breakglass_role_arn",
  "external_id",
  "max_session_seconds",
  "ic_external_id",
] as const;

/** The form field an API error path names (the Identity Center's external id is its own field here). */
export function accountFieldFor(apiField: string | undefined): string | undefined {
  if (!apiField) return undefined;
  if (apiField.includes("identity_center.external_id")) return "ic_external_id";
  const last = apiField.replace(/\[\d+\]/g, "").split(".").pop() ?? "";
  return (ACCOUNT_FIELDS as readonly string[]).includes(last) ? last : undefined;
}

export function accountFormValues(a?: Account): AccountFormValues {
  const access = a?.access;
  const sso = access?.method === "sso" ? access : undefined;
  const role = access?.method === "role" ? access : undefined;
  return {
    id: a?.id ?? "",
    name: a?.name ?? "",
    alias: a?.alias ?? "",
    environment: a?.environment ?? "prod",
    region: a?.region ?? "",
    management_account: a?.management_account ?? false,
    delegated_admin_services: (a?.delegated_admin_services ?? []).join("\n"),
    method: access?.method ?? "role",
    start_url: sso?.start_url ?? "",
    sso_region: sso?.sso_region ?? "",
    permission_sets: (sso?.permission_sets ?? []).join("\n"),
    breakglass_permission_sets: (sso?.breakglass_permission_sets ?? []).join("\n"),
    instance_arn: sso?.identity_center?.instance_arn ?? "",
    identity_store_id: sso?.identity_center?.identity_store_id ?? "",
    admin_role_arn: sso?.identity_center?.admin_role_arn ?? "",
    ic_external_id: sso?.identity_center?.external_id ?? "",
    read_role_arn: role?.read_role_arn ?? "",
    breakglass_role_arn: role?.breakglass_role_arn ?? "",
    external_id: role?.external_id ?? "",
    max_session_seconds: String(role?.max_session_seconds ?? 3600),
  };
}

const SSO_INSTANCE = /^arn:aws[a-z-]*:sso:::instance\/[\w.-]+$/;
const IDENTITY_STORE = /^d-[0-9a-z]+$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The documented rules, checked before sending (the API checks them again and is the authority). */
export function validateAccount(v: AccountFormValues, creating: boolean): FieldErrors {
  const common = {
    id: creating ? checkAccountId(v.id) : undefined,
    name: checkName(v.name),
    region: checkRegion(v.region),
  };
  if (v.method === "role") {
    return collect({
      ...common,
      read_role_arn: checkRoleArn(v.read_role_arn),
      breakglass_role_arn: checkRoleArn(v.breakglass_role_arn),
      external_id: checkExternalId(v.external_id),
      max_session_seconds: checkIntRange(v.max_session_seconds, 900, 43200, "The longest session (seconds)"),
    });
  }
  const breakglass = splitLines(v.breakglass_permission_sets);
  const wantsIc = breakglass.length > 0 || !!(v.instance_arn || v.identity_store_id || v.admin_role_arn);
  return collect({
    ...common,
    start_url: checkHttpsUrl(v.start_url),
    sso_region: checkRegion(v.sso_region),
    permission_sets: checkPermissionSets(splitLines(v.permission_sets), false),
    breakglass_permission_sets: checkPermissionSets(breakglass, false),
    instance_arn:
      wantsIc && !SSO_INSTANCE.test(v.instance_arn.trim())
        ? "Breakglass permission sets need the Identity Center instance ARN (arn:aws:sso:::instance/ssoins-...)."
        : undefined,
    identity_store_id:
      wantsIc && !IDENTITY_STORE.test(v.identity_store_id.trim()) ? "The identity store id, like d-1234567890." : undefined,
    admin_role_arn: wantsIc ? checkRoleArn(v.admin_role_arn) : undefined,
    ic_external_id: wantsIc && v.ic_external_id.trim() ? checkExternalId(v.ic_external_id) : undefined,
  });
}

export function accessOf(v: AccountFormValues): AccessMethod {
  if (v.method === "role") {
    return {
      method: "role",
      read_role_arn: v.read_role_arn.trim(),
      breakglass_role_arn: v.breakglass_role_arn.trim(),
      external_id: v.external_id.trim(),
      max_session_seconds: Number(v.max_session_seconds),
    };
  }
  const ic = v.instance_arn.trim() || v.identity_store_id.trim() || v.admin_role_arn.trim();
  return {
    method: "sso",
    start_url: v.start_url.trim(),
    sso_region: v.sso_region.trim(),
    permission_sets: splitLines(v.permission_sets),
    breakglass_permission_sets: splitLines(v.breakglass_permission_sets),
    identity_center: ic
      ? {
          instance_arn: v.instance_arn.trim(),
          identity_store_id: v.identity_store_id.trim(),
          admin_role_arn: v.admin_role_arn.trim(),
          external_id: v.ic_external_id.trim() || null,
        }
      : null,
  };
}

/**
 * The fields a new account and an account change both send, read the same way from the form (the
 * create adds the id and customer, the change its version).
 */
function accountFields(v: AccountFormValues) {
  return {
    name: v.name.trim(),
    alias: v.alias.trim() || null,
    environment: v.environment,
    region: v.region.trim(),
    management_account: v.management_account,
    delegated_admin_services: splitLines(v.delegated_admin_services),
    access: accessOf(v),
  } satisfies Partial<NewAccount> & Partial<AccountPatch>;
}

export function newAccountBody(v: AccountFormValues, customer: string): NewAccount {
  return { id: v.id.trim(), customer, ...accountFields(v) };
}

export function accountPatchBody(v: AccountFormValues, version: number | undefined): AccountPatch {
  return { version: version ?? null, ...accountFields(v) };
}
