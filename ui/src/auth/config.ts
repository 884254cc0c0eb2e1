// What the deployed stack tells the UI (/config.json, written by the CDK app next to index.html):
// where the API is and which identity provider signs people in. `cc serve` answers one without an
// identity provider; the Vite dev server answers index.html (as for any client-side route), and a
// 404 is possible too: all three mean "local: demo sign-in only".
import { queryOptions } from "@tanstack/react-query";

export interface OidcConfig {
  issuer: string;
  clientId: string;
  scopes: string;
}

export interface UiConfig {
  apiBase: string;
  /** null: no identity provider configured (local demo sign-in). */
  oidc: OidcConfig | null;
}

export const LOCAL_CONFIG: UiConfig = { apiBase: "/api/v1", oidc: null };

export class ConfigError extends Error {
  constructor(message: string) {
    super(`The web UI's configuration (/config.json) is not usable: ${message}`);
    this.name = "ConfigError";
  }
}

function text(obj: Record<string, unknown>, key: string, where: string): string {
  const value = obj[key];
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(`${where}${key} must be a non-empty string`);
  }
  return value.trim();
}

/** Checks the parsed config.json; a missing `oidc` means local demo sign-in. */
export function parseConfig(raw: unknown): UiConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError("expected a JSON object");
  }
  const obj = raw as Record<string, unknown>;
  const apiBase = obj.api_base === undefined ? LOCAL_CONFIG.apiBase : text(obj, "api_base", "");
  if (!apiBase.startsWith("/")) throw new ConfigError("api_base must be a path on this origin, like /api/v1");
  if (obj.oidc === undefined || obj.oidc === null) return { apiBase, oidc: null };
  if (typeof obj.oidc !== "object" || Array.isArray(obj.oidc)) throw new ConfigError("oidc must be an object");
  const oidc = obj.oidc as Record<string, unknown>;
  const issuer = text(oidc, "issuer", "oidc.");
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError(`oidc.issuer is not a URL: ${issuer}`);
  }
  if (url.protocol !== "https:" && url.hostname !== "127.0.0.1" && url.hostname !== "localhost") {
    throw new ConfigError(`oidc.issuer must use https: ${issuer}`);
  }
  const scopes = oidc.scopes === undefined ? "openid" : text(oidc, "scopes", "oidc.");
  if (!scopes.split(/\s+/).includes("openid")) throw new ConfigError("oidc.scopes must include openid");
  return { apiBase, oidc: { issuer, clientId: text(oidc, "client_id", "oidc."), scopes } };
}

/** Fetches /config.json: 404 (or the index.html a local server answers instead) means local. */
export async function loadConfig(fetchFn: typeof fetch = fetch): Promise<UiConfig> {
  const response = await fetchFn("/config.json", { cache: "no-cache", headers: { accept: "application/json" } });
  if (response.status === 404) return LOCAL_CONFIG;
  const type = response.headers.get("content-type") ?? "";
  if (response.ok && type.includes("text/html")) return LOCAL_CONFIG;
  if (!response.ok) throw new ConfigError(`the server answered ${response.status}`);
  let raw: unknown;
  try {
    raw = await response.json();
  } catch {
    throw new ConfigError("it is not valid JSON");
  }
  return parseConfig(raw);
}

export const uiConfigQuery = queryOptions({
  queryKey: ["ui-config"],
  queryFn: () => loadConfig(),
  staleTime: Infinity,
  retry: false,
});
