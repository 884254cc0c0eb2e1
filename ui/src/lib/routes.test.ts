import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { matchRoutes } from "react-router-dom";
import { paramsAreSegments } from "./routes";

const src = join(__dirname, "..");

/** Every `<Route path="...">` of a routes file, with the element it renders. */
function routes(file: string): { path: string; element: string }[] {
  const text = readFileSync(join(src, file), "utf8");
  return [...text.matchAll(/<Route\s+path="([^"]+)"\s+element=\{(.*?)\}\s*\/>/g)].map((m) => ({ path: m[1]!, element: m[2]! }));
}

describe("path parameters", () => {
  it("a parameter is one clean segment", () => {
    expect(paramsAreSegments({ code: "acme-retail", contract: "00000100" })).toBe(true);
    expect(paramsAreSegments({ "*": "customers/acme-retail" })).toBe(true);
    expect(paramsAreSegments({})).toBe(true);
  });
  it("an encoded slash, or an escape the router could not decode, names no page", () => {
    // What the router makes of the addresses (it decodes %2F into the parameter).
    const paramsOf = (path: string) => matchRoutes([{ path: "customers/:code/utilisation" }, { path: "*" }], path)![0]!.params;
    expect(paramsOf("/customers/a%2Fb/utilisation")).toEqual({ code: "a/b" });
    expect(paramsAreSegments(paramsOf("/customers/a%2Fb/utilisation"))).toBe(false);
    expect(paramsAreSegments(paramsOf("/customers/a%2fb/utilisation"))).toBe(false);
    expect(paramsAreSegments(paramsOf("/customers/acme-retail/utilisation"))).toBe(true);
    expect(paramsAreSegments({ code: "%E0%A4%A" })).toBe(false);
  });
  it("every route with a parameter checks it (App and the admin routes)", () => {
    const all = [...routes("App.tsx"), ...routes("pages/admin/AdminRoutes.tsx")];
    const withParams = all.filter((r) => r.path.includes(":"));
    expect(withParams.length).toBeGreaterThanOrEqual(6);
    for (const r of withParams) expect(r.element, r.path).toMatch(/^<Segments>.*<\/Segments>$/);
  });
});
