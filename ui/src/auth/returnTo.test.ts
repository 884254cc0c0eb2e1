import { describe, expect, it } from "vitest";
import { DEFAULT_RETURN, safeReturnTo } from "./returnTo";

describe("safeReturnTo", () => {
  it.each([
    ["/customers/acme-retail", "/customers/acme-retail"],
    ["/breakglass/requests?status=pending#top", "/breakglass/requests?status=pending#top"],
    ["/admin/customers", "/admin/customers"],
  ])("keeps the same-origin path %s", (value, expected) => {
    expect(safeReturnTo(value, "https://cc.example")).toBe(expected);
  });

  it.each([
    ["absolute URL elsewhere", "https://evil.example/x"],
    ["scheme-relative", "//evil.example/x"],
    ["backslash trick", "/\\evil.example"],
    ["javascript URL", "javascript:alert(1)"],
    ["relative without slash", "customers"],
    ["control characters", "/\t/evil.example"],
    ["the sign-in page", "/sign-in?next=/customers"],
    ["the callback", "/auth/callback?code=x"],
    ["empty", ""],
    ["not a string", { returnTo: "/x" }],
    ["missing", undefined],
  ])("falls back to the default for %s", (_name, value) => {
    expect(safeReturnTo(value, "https://cc.example")).toBe(DEFAULT_RETURN);
  });
});
