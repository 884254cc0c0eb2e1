import { describe, expect, it } from "vitest";
import type { Account } from "../api/client";
import { accountFieldFor, accountFormValues, accountPatchBody, newAccountBody, validateAccount } from "./accountForm";

const ssoAccount: Account = {
  id: "012345678901",
  customer: "acme",
  name: "acme prod",
  alias: "acme-prod",
  environment: "prod",
  region: "eu-west-1",
  management_account: true,
  delegated_admin_services: ["securityhub.amazonaws.com"],
  access: {
    method: "sso",
    start_url: "https://acme.awsapps.com/start",
    sso_region: "eu-west-1",
    permission_sets: ["ReadOnlyAccess"],
    breakglass_permission_sets: ["SRE-Breakglass"],
    identity_center: {
      instance_arn: "arn:aws:sso:::instance/ssoins-5eed000000000000",
      identity_store_id: "d-0000000000",
      admin_role_arn: "arn:aws:iam::012345678901:role/SsoAdmin",
      external_id: "cc-acme",
    },
  },
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  version: 4,
};

describe("account form", () => {
  it("round-trips an SSO account into a patch with its version and identity center", () => {
    const v = accountFormValues(ssoAccount);
    expect(validateAccount(v, false)).toEqual({});
    const patch = accountPatchBody(v, ssoAccount.version);
    expect(patch.version).toBe(4);
    expect(patch.access).toEqual(ssoAccount.access);
    expect(patch.delegated_admin_services).toEqual(["securityhub.amazonaws.com"]);
  });
  it("builds a role account for a new account", () => {
    const v = {
      ...accountFormValues(),
      id: "000000000042",
      name: "new",
      region: "eu-west-2",
      read_role_arn: "arn:aws:iam::000000000042:role/Read",
      breakglass_role_arn: "arn:aws:iam::000000000042:role/Breakglass",
      external_id: "cc-new",
      max_session_seconds: "3600",
    };
    expect(validateAccount(v, true)).toEqual({});
    const body = newAccountBody(v, "acme");
    expect(body.id).toBe("000000000042");
    expect(body.access).toEqual({
      method: "role",
      read_role_arn: "arn:aws:iam::000000000042:role/Read",
      breakglass_role_arn: "arn:aws:iam::000000000042:role/Breakglass",
      external_id: "cc-new",
      max_session_seconds: 3600,
    });
  });
  it("names each bad field", () => {
    const v = { ...accountFormValues(), id: "42", name: "", region: "mars", external_id: "x", max_session_seconds: "100" };
    expect(Object.keys(validateAccount(v, true)).sort()).toEqual(
      ["breakglass_role_arn", "external_id", "id", "max_session_seconds", "name", "read_role_arn", "region"].sort(),
    );
  });
  it("asks for the Identity Center with breakglass permission sets", () => {
    const v = { ...accountFormValues(ssoAccount), instance_arn: "", identity_store_id: "", admin_role_arn: "" };
    expect(Object.keys(validateAccount(v, false)).sort()).toEqual(["admin_role_arn", "identity_store_id", "instance_arn"]);
    const none = { ...v, breakglass_permission_sets: "" };
    expect(validateAccount(none, false)).toEqual({});
    expect(newAccountBody(none, "acme").access).toMatchObject({ method: "sso", identity_center: null });
  });
  it("sends the same account fields on create and change, with the id and customer or the version", () => {
    const v = { ...accountFormValues(ssoAccount), alias: "  ", name: " Shared services " };
    const { id, customer, ...created } = newAccountBody(v, "acme");
    const { version, ...changed } = accountPatchBody(v, undefined);
    expect([id, customer, version]).toEqual([ssoAccount.id, "acme", null]);
    expect(created).toEqual(changed);
    expect(Object.keys(changed)).toEqual([
      "name",
      "alias",
      "environment",
      "region",
      "management_account",
      "delegated_admin_services",
      "access",
    ]);
    expect(changed).toMatchObject({ name: "Shared services", alias: null, region: ssoAccount.region });
  });
  it("maps the API's field paths onto the form", () => {
    expect(accountFieldFor("access.external_id")).toBe("external_id");
    expect(accountFieldFor("access.identity_center.external_id")).toBe("ic_external_id");
    expect(accountFieldFor("access.permission_sets[1]")).toBe("permission_sets");
    expect(accountFieldFor("id")).toBe("id");
    expect(accountFieldFor("nonsense")).toBeUndefined();
  });
});
