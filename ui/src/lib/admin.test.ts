import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import {
  apiFieldErrors,
  checkAccountId,
  checkCustomerCode,
  checkEmail,
  checkExternalId,
  checkHttpsUrl,
  checkIntRange,
  checkPermissionSets,
  checkRegion,
  checkRoleArn,
  checkTicketPattern,
  collect,
  formFieldFor,
  isConflict,
  splitEmails,
  splitLines,
  teamDiff,
  withoutField,
} from "./admin";

describe("isConflict", () => {
  it("is a version conflict (409) or a failed precondition (412)", () => {
    expect(isConflict(new ApiError(409, "version_conflict", "customer is at version 18, not 0"))).toBe(true);
    expect(isConflict(new ApiError(412, "precondition_failed", "stale"))).toBe(true);
    expect(isConflict(new ApiError(409, "conflict", "changed"))).toBe(true);
  });
  it("is not a 409 that means something else, another status, or a non-API error", () => {
    expect(isConflict(new ApiError(409, "already_exists", "customer 'x' already exists"))).toBe(false);
    expect(isConflict(new ApiError(400, "validation_failed", "bad"))).toBe(false);
    expect(isConflict(new Error("409"))).toBe(false);
  });
});

describe("formFieldFor / apiFieldErrors", () => {
  const fields = ["id", "region", "start_url", "external_id", "members"] as const;
  it("maps nested and indexed API fields onto the form's", () => {
    expect(formFieldFor("region", fields)).toBe("region");
    expect(formFieldFor("access.start_url", fields)).toBe("start_url");
    expect(formFieldFor("members[0]", fields)).toBe("members");
    expect(formFieldFor("access.unknown", fields)).toBeUndefined();
    expect(formFieldFor(undefined, fields)).toBeUndefined();
  });
  it("puts the API's message under the field", () => {
    const err = new ApiError(400, "invalid_field", "not a valid external id", "access.external_id");
    expect(apiFieldErrors(err, fields)).toEqual({ external_id: "not a valid external id" });
    expect(apiFieldErrors(new Error("x"), fields)).toEqual({});
  });
});

describe("value rules", () => {
  it("account ids are exactly 12 digits", () => {
    expect(checkAccountId("012345678901")).toBeUndefined();
    expect(checkAccountId("12345678901")).toBeDefined();
    expect(checkAccountId("12345678901a")).toBeDefined();
  });
  it("customer codes are lower-case slugs of 2-32", () => {
    expect(checkCustomerCode("acme-retail")).toBeUndefined();
    expect(checkCustomerCode("ACME-Retail")).toBeUndefined();
    expect(checkCustomerCode("Bad Code")).toBeDefined();
    expect(checkCustomerCode("-x")).toBeDefined();
    expect(checkCustomerCode("a")).toBeDefined();
    expect(checkCustomerCode("a".repeat(33))).toBeDefined();
  });
  it("regions, role ARNs, external ids, https URLs, e-mails", () => {
    expect(checkRegion("eu-west-1")).toBeUndefined();
    expect(checkRegion("us-gov-west-1")).toBeUndefined();
    expect(checkRegion("mars-1")).toBeDefined();
    expect(checkRoleArn("arn:aws:iam::123456789012:role/path/Breakglass")).toBeUndefined();
    expect(checkRoleArn("arn:aws:iam::1234:role/x")).toBeDefined();
    expect(checkExternalId("cc-acme")).toBeUndefined();
    expect(checkExternalId("a")).toBeDefined();
    expect(checkHttpsUrl("https://acme.awsapps.com/start")).toBeUndefined();
    expect(checkHttpsUrl("http://acme.awsapps.com/start")).toBeDefined();
    expect(checkHttpsUrl("nonsense")).toBeDefined();
    expect(checkEmail("a@b.dev")).toBeUndefined();
    expect(checkEmail("not-an-email")).toBeDefined();
  });
  it("integer ranges", () => {
    expect(checkIntRange("2", 1, 3, "Approvals")).toBeUndefined();
    expect(checkIntRange("4", 1, 3, "Approvals")).toBe("Approvals must be 1-3.");
    expect(checkIntRange("1.5", 1, 3, "Approvals")).toBeDefined();
    expect(checkIntRange("", 1, 3, "Approvals")).toBeDefined();
  });
  it("permission sets and ticket patterns", () => {
    expect(checkPermissionSets(["ReadOnlyAccess"], true)).toBeUndefined();
    expect(checkPermissionSets([], true)).toBeDefined();
    expect(checkPermissionSets([], false)).toBeUndefined();
    expect(checkPermissionSets(["Read Only"], false)).toMatch(/Read Only/);
    expect(checkTicketPattern("OPS-[0-9]+")).toBeUndefined();
    expect(checkTicketPattern("OPS-[")).toBeDefined();
  });
});

describe("helpers", () => {
  it("splitLines splits on line breaks only: trims each line, drops blank lines and repeats", () => {
    expect(splitLines(" a\nb \r\n\n  c\ra\n")).toEqual(["a", "b", "c"]);
    // Never on spaces or commas inside a line: those stay part of the value (and its check names them).
    expect(splitLines("ReadOnlyAccess, SecurityAudit\nmy set")).toEqual(["ReadOnlyAccess, SecurityAudit", "my set"]);
    expect(splitLines("arn:aws:iam::123456789012:role/a b")).toEqual(["arn:aws:iam::123456789012:role/a b"]);
  });
  it("collect keeps only set errors", () => {
    expect(collect({ a: undefined, b: "bad" })).toEqual({ b: "bad" });
  });
  it("withoutField drops an edited field's error and keeps the object when there is none", () => {
    const errors = { a: "bad", b: "worse" };
    expect(withoutField(errors, "a")).toEqual({ b: "worse" });
    expect(withoutField(errors, "c")).toBe(errors);
  });
  it("teamDiff ignores case", () => {
    expect(teamDiff(["A@x.dev", "b@x.dev"], ["a@x.dev", "c@x.dev"])).toEqual({ added: ["c@x.dev"], removed: ["b@x.dev"] });
    // One person spelled twice is one addition, as the server keeps one.
    expect(teamDiff([], ["erin@x.dev", "ERIN@x.dev"])).toEqual({ added: ["erin@x.dev"], removed: [] });
  });
  it("splitEmails drops repeats ignoring case, keeping the first spelling", () => {
    expect(splitEmails("erin.engineer@x.dev\nERIN.ENGINEER@x.dev\n b@x.dev")).toEqual(["erin.engineer@x.dev", "b@x.dev"]);
  });
});
