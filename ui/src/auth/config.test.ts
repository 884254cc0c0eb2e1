import { describe, expect, it } from "vitest";
import { ConfigError, LOCAL_CONFIG, loadConfig, parseConfig } from "./config";

function answer(status: number, body: string, type = "application/json"): typeof fetch {
  return async () => new Response(body, { status, headers: { "content-type": type } });
}

const deployed = {
  api_base: "/api/v1",
  oidc: { issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc", client_id: "abc123", scopes: "openid email" },
};

describe("loadConfig", () => {
  it("treats a 404 for /config.json as the local demo", async () => {
    expect(await loadConfig(answer(404, "not found", "text/plain"))).toEqual(LOCAL_CONFIG);
  });

  it("treats the index.html a local server answers for /config.json as the local demo", async () => {
    expect(await loadConfig(answer(200, "<!doctype html><html></html>", "text/html; charset=utf-8"))).toEqual(LOCAL_CONFIG);
  });

  it("reads the identity provider the stack wrote", async () => {
    expect(await loadConfig(answer(200, JSON.stringify(deployed)))).toEqual({
      apiBase: "/api/v1",
      oidc: { issuer: deployed.oidc.issuer, clientId: "abc123", scopes: "openid email" },
    });
  });

  it("treats a config without oidc as the local demo", async () => {
    expect(await loadConfig(answer(200, '{"api_base":"/api/v1"}'))).toEqual(LOCAL_CONFIG);
  });

  it("says clearly when config.json is not JSON", async () => {
    await expect(loadConfig(answer(200, "{ oops"))).rejects.toThrow(/config\.json.*not valid JSON/);
  });

  it("says clearly when the server fails", async () => {
    await expect(loadConfig(answer(500, "boom", "text/plain"))).rejects.toThrow(/answered 500/);
  });
});

describe("parseConfig", () => {
  it.each([
    ["not an object", [], /JSON object/],
    ["oidc is a string", { oidc: "x" }, /oidc must be an object/],
    ["no client id", { oidc: { issuer: "https://idp.example" } }, /oidc\.client_id/],
    ["empty issuer", { oidc: { issuer: " ", client_id: "c" } }, /oidc\.issuer/],
    ["issuer not a URL", { oidc: { issuer: "idp", client_id: "c" } }, /not a URL/],
    ["plain http issuer", { oidc: { issuer: "http://idp.example", client_id: "c" } }, /https/],
    ["scopes without openid", { oidc: { issuer: "https://idp.example", client_id: "c", scopes: "email" } }, /openid/],
    ["api_base not a path", { api_base: "https://evil.example/api" }, /api_base/],
  ])("rejects %s", (_name, raw, message) => {
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(message);
  });

  it("defaults the scopes to openid", () => {
    expect(parseConfig({ oidc: { issuer: "https://idp.example", client_id: "c" } }).oidc?.scopes).toBe("openid");
  });
});
