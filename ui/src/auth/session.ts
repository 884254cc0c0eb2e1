// The signed-in session: a bearer token kept in localStorage, so every tab of this origin shares it
// (a link opened in a new tab is signed in). Its expiry is honoured in every tab (a timer ends it on
// time), and a sign-in or sign-out in one tab reaches the others through the `storage` event.
import { useSyncExternalStore } from "react";

export interface Session {
  token: string;
  email: string;
  /** Epoch milliseconds after which the token is no longer accepted. */
  expiresAt: number;
  /** How it was obtained: the local demo picker, or the identity provider (OIDC). */
  kind?: "demo" | "oidc";
}

export const SESSION_KEY = "cc.session";
const EXPIRED_KEY = "cc.session.expired";
const listeners = new Set<() => void>();
let cached: Session | null | undefined;
let expiryTimer: ReturnType<typeof setTimeout> | undefined;

function store(): Storage {
  return window.localStorage;
}

/** The stored session, or null when there is none, it is malformed or it has expired. */
export function parseSession(raw: string | null, now = Date.now()): Session | null {
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<Session>;
    if (typeof parsed.token !== "string" || typeof parsed.email !== "string") return null;
    const expiresAt = typeof parsed.expiresAt === "number" ? parsed.expiresAt : 0;
    if (expiresAt <= now) return null;
    const kind = parsed.kind === "oidc" ? "oidc" : "demo";
    return { token: parsed.token, email: parsed.email, expiresAt, kind };
  } catch {
    return null;
  }
}

function read(): Session | null {
  try {
    return parseSession(store().getItem(SESSION_KEY));
  } catch {
    return null;
  }
}

function notify() {
  listeners.forEach((listener) => listener());
}

/** Ends the session in this tab when its token expires, even if nothing else happens meanwhile. */
function scheduleExpiry(session: Session | null) {
  if (expiryTimer !== undefined) clearTimeout(expiryTimer);
  expiryTimer = undefined;
  if (!session) return;
  // setTimeout holds at most 2^31-1 ms (about 24.8 days); a longer token is checked again then.
  const wait = Math.min(Math.max(session.expiresAt - Date.now(), 0), 2 ** 31 - 1);
  expiryTimer = setTimeout(() => {
    expiryTimer = undefined;
    if (getSession() === null) notify();
    else scheduleExpiry(cached ?? null);
  }, wait);
}

export function getSession(): Session | null {
  if (cached === undefined) {
    cached = read();
    scheduleExpiry(cached);
  }
  if (cached && cached.expiresAt <= Date.now()) {
    cached = null;
    try {
      store().setItem(EXPIRED_KEY, "1");
      store().removeItem(SESSION_KEY);
    } catch {
      // storage refused (private mode quota): the in-memory state still ends the session
    }
  }
  return cached;
}

export function setSession(session: Session | null, reason?: "expired"): void {
  try {
    if (reason === "expired") store().setItem(EXPIRED_KEY, "1");
    else store().removeItem(EXPIRED_KEY);
    if (session) store().setItem(SESSION_KEY, JSON.stringify(session));
    else store().removeItem(SESSION_KEY);
  } catch {
    // storage refused: this tab still has the session in memory
  }
  cached = session;
  scheduleExpiry(session);
  notify();
}

/** The API refused the token: end the session and let the sign-in page say why. */
export function expireSession(): void {
  setSession(null, "expired");
}

/** Whether the last session ended because it expired (shown once on the sign-in page). */
export function sessionExpired(): boolean {
  try {
    return store().getItem(EXPIRED_KEY) === "1";
  } catch {
    return false;
  }
}

/**
 * Another tab signed in or out (or cleared the site's storage): read the session again. The
 * `storage` event fires only in the other tabs, never in the one that wrote.
 */
export function onStorage(event: Pick<StorageEvent, "key">): void {
  if (event.key !== null && event.key !== SESSION_KEY) return;
  const before = cached;
  cached = read();
  scheduleExpiry(cached);
  if (before?.token !== cached?.token) notify();
}

if (typeof window !== "undefined") window.addEventListener("storage", onStorage);

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, getSession);
}
