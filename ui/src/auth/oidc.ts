// Sign-in through the team's identity provider: authorization code + PKCE with oidc-client-ts, which
// is loaded only when /config.json names a provider (the local demo never downloads it). The access
// token goes into the session module (localStorage, shared by the tabs); oidc-client-ts keeps its
// user in localStorage too (so every tab's manager knows it, and sign-out removes it for all), and
// its PKCE state in sessionStorage (a redirect comes back to the tab that started it).
import type { OidcConfig } from "./config";
import { safeReturnTo } from "./returnTo";
import { setSession } from "./session";

export const CALLBACK_PATH = "/auth/callback";

/** The part of oidc-client-ts's UserManager this module uses (tests pass a fake). */
export interface SignInManager {
  signinRedirect(args?: { state?: unknown }): Promise<void>;
  signinRedirectCallback(url?: string): Promise<{
    access_token: string;
    expires_at?: number;
    state?: unknown;
    profile: Record<string, unknown>;
  }>;
  removeUser(): Promise<void>;
}

let manager: Promise<SignInManager> | null = null;

/** The UserManager for this provider, created once (loads oidc-client-ts on first use). */
export function userManager(config: OidcConfig, origin = window.location.origin): Promise<SignInManager> {
  manager ??= import("oidc-client-ts").then(
    ({ UserManager, WebStorageStateStore }) =>
      new UserManager({
        authority: config.issuer,
        client_id: config.clientId,
        scope: config.scopes,
        redirect_uri: origin + CALLBACK_PATH,
        post_logout_redirect_uri: origin + "/sign-in",
        response_type: "code",
        // PKCE state survives the redirect in this tab only; the user is shared by the tabs, as our
        // session (which the API calls use) is.
        stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
        userStore: new WebStorageStateStore({ store: window.localStorage }),
        automaticSilentRenew: false,
        loadUserInfo: false,
      }),
  );
  return manager;
}

/** Sends the browser to the provider; it comes back to /auth/callback, then to `returnTo`. */
export async function startSignIn(m: SignInManager, returnTo: string | null): Promise<void> {
  await m.signinRedirect({ state: { returnTo: safeReturnTo(returnTo) } });
}

function emailOf(profile: Record<string, unknown>): string {
  for (const claim of ["email", "preferred_username", "upn", "sub"]) {
    const value = profile[claim];
    if (typeof value === "string" && value) return value;
  }
  return "signed in";
}

/**
 * Completes the redirect: exchanges the code (oidc-client-ts checks state and sends the PKCE
 * verifier), keeps the access token as the session and answers where to go next.
 */
export async function completeSignIn(m: SignInManager, url: string, origin = window.location.origin): Promise<string> {
  const user = await m.signinRedirectCallback(url);
  if (!user.access_token) throw new Error("The identity provider returned no access token.");
  const expiresAt = user.expires_at ? user.expires_at * 1000 : Date.now() + 3600_000;
  setSession({ token: user.access_token, email: emailOf(user.profile), expiresAt, kind: "oidc" });
  const state = user.state as { returnTo?: unknown } | undefined;
  return safeReturnTo(state?.returnTo, origin);
}

const completions = new Map<string, Promise<string>>();

/** completeSignIn once per callback URL (React StrictMode runs effects twice; a code is single-use). */
export function completeSignInOnce(m: SignInManager, url: string): Promise<string> {
  let done = completions.get(url);
  if (!done) {
    done = completeSignIn(m, url);
    completions.set(url, done);
  }
  return done;
}

/** Forgets the provider's copy too (this app's session is cleared by the caller). */
export async function forgetProviderUser(): Promise<void> {
  if (manager) await (await manager).removeUser();
}
