// The signed-in session: a bearer token kept in sessionStorage (gone when the tab closes).
import { useSyncExternalStore } from "react";

export interface Session {
  token: string;
  email: string;
  /** Epoch milliseconds after which the token is no longer accepted. */
  expiresAt: number;
  /** How it was obtained: the local demo picker, or the identity provider (OIDC). */
  kind?: "demo" | "oidc";
}

const KEY = "cc.session";
const EXPIRED_KEY = "cc.session.expired";
const listeners = new Set<() => void>();
let cached: Session | null | undefined;

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Session>;
    if (typeof parsed.token !== "string" || typeof parsed.email !== "string") return null;
    const expiresAt = typeof parsed.expiresAt === "number" ? parsed.expiresAt : 0;
    if (expiresAt <= Date.now()) return null;
    const kind = parsed.kind === "oidc" ? "oidc" : "demo";
    return { token: parsed.token, email: parsed.email, expiresAt, kind };
  } catch {
    return null;
  }
}

export function getSession(): Session | null {
  if (cached === undefined) cached = read();
  if (cached && cached.expiresAt <= Date.now()) {
    cached = null;
    sessionStorage.setItem(EXPIRED_KEY, "1");
  }
  return cached;
}

export function setSession(session: Session | null, reason?: "expired"): void {
  if (reason === "expired") sessionStorage.setItem(EXPIRED_KEY, "1");
  else sessionStorage.removeItem(EXPIRED_KEY);
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
  cached = session;
  listeners.forEach((listener) => listener());
}

/** The API refused the token: end the session and let the sign-in page say why. */
export function expireSession(): void {
  setSession(null, "expired");
}

/** Whether the last session ended because it expired (shown once on the sign-in page). */
export function sessionExpired(): boolean {
  return sessionStorage.getItem(EXPIRED_KEY) === "1";
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, getSession);
}
