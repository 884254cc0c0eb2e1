// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from "vitest";
import { completeSignIn, completeSignInOnce, startSignIn, userManager, type SignInManager } from "./oidc";
import { getSession, sessionExpired, setSession, expireSession } from "./session";

function fakeManager(user: Partial<Awaited<ReturnType<SignInManager["signinRedirectCallback"]>>> = {}) {
  return {
    signinRedirect: vi.fn(async () => {}),
    signinRedirectCallback: vi.fn(async () => ({
      access_token: "access-token",
      expires_at: Math.floor(Date.now() / 1000) + 3600,
      profile: { sub: "00u1", email: "erin@example.com" },
      state: { returnTo: "/customers/acme-retail" },
      ...user,
    })),
    removeUser: vi.fn(async () => {}),
  } satisfies SignInManager;
}

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
  setSession(null);
});

describe("startSignIn", () => {
  it("carries the page asked for through the provider in the state", async () => {
    const m = fakeManager();
    await startSignIn(m, "/breakglass/approvals");
    expect(m.signinRedirect).toHaveBeenCalledWith({ state: { returnTo: "/breakglass/approvals" } });
  });

  it("never carries another origin", async () => {
    const m = fakeManager();
    await startSignIn(m, "https://evil.example/");
    expect(m.signinRedirect).toHaveBeenCalledWith({ state: { returnTo: "/customers" } });
  });
});

describe("completeSignIn", () => {
  it("keeps the access token as the session and returns to the page asked for", async () => {
    const m = fakeManager();
    const to = await completeSignIn(m, "https://cc.example/auth/callback?code=c&state=s", "https://cc.example");
    expect(m.signinRedirectCallback).toHaveBeenCalledWith("https://cc.example/auth/callback?code=c&state=s");
    expect(to).toBe("/customers/acme-retail");
    expect(getSession()).toMatchObject({ token: "access-token", email: "erin@example.com", kind: "oidc" });
    // Shared by the tabs: in localStorage, not this tab's sessionStorage.
    expect(JSON.parse(localStorage.getItem("cc.session") ?? "{}").token).toBe("access-token");
    expect(sessionStorage.getItem("cc.session")).toBeNull();
  });

  it("ignores a tampered return path in the state", async () => {
    const m = fakeManager({ state: { returnTo: "//evil.example/phish" } });
    expect(await completeSignIn(m, "https://cc.example/auth/callback?code=c", "https://cc.example")).toBe("/customers");
  });

  it("names the person by the first identity claim present", async () => {
    const m = fakeManager({ profile: { sub: "00u1", preferred_username: "erin@corp.example" } });
    await completeSignIn(m, "https://cc.example/auth/callback?code=c", "https://cc.example");
    expect(getSession()?.email).toBe("erin@corp.example");
  });

  it("keeps no session when the provider refuses", async () => {
    const m = fakeManager();
    m.signinRedirectCallback.mockRejectedValueOnce(new Error("invalid_grant"));
    await expect(completeSignIn(m, "https://cc.example/auth/callback?code=c", "https://cc.example")).rejects.toThrow("invalid_grant");
    expect(getSession()).toBeNull();
  });

  it("exchanges a code once even when React runs the effect twice", async () => {
    const m = fakeManager();
    const url = "https://cc.example/auth/callback?code=once";
    const [a, b] = await Promise.all([completeSignInOnce(m, url), completeSignInOnce(m, url)]);
    expect(a).toBe(b);
    expect(m.signinRedirectCallback).toHaveBeenCalledTimes(1);
  });
});

describe("session expiry", () => {
  it("an API refusal ends the session and is remembered for the sign-in page", () => {
    setSession({ token: "t", email: "e", expiresAt: Date.now() + 60_000, kind: "oidc" });
    expect(sessionExpired()).toBe(false);
    expireSession();
    expect(getSession()).toBeNull();
    expect(sessionExpired()).toBe(true);
    setSession({ token: "t2", email: "e", expiresAt: Date.now() + 60_000 });
    expect(sessionExpired()).toBe(false);
  });
});

describe("userManager", () => {
  it("uses code + PKCE with the callback route, its state in sessionStorage and the user in localStorage", async () => {
    const m = (await userManager(
      { issuer: "https://idp.example/oauth2/default", clientId: "spa", scopes: "openid email" },
      "https://cc.example",
    )) as unknown as { settings: Record<string, unknown> & { stateStore: { _store: Storage }; userStore: { _store: Storage } } };
    expect(m.settings).toMatchObject({
      authority: "https://idp.example/oauth2/default",
      client_id: "spa",
      scope: "openid email",
      redirect_uri: "https://cc.example/auth/callback",
      response_type: "code",
      automaticSilentRenew: false,
    });
    expect(m.settings.stateStore._store).toBe(window.sessionStorage);
    expect(m.settings.userStore._store).toBe(window.localStorage);
  });
});
