// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getSession, onStorage, parseSession, SESSION_KEY, sessionExpired, setSession, subscribe } from "./session";

const later = () => Date.now() + 60_000;

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  setSession(null);
});
afterEach(() => vi.useRealTimers());

describe("the session is shared by the tabs", () => {
  it("is kept in localStorage, not the tab's sessionStorage", () => {
    setSession({ token: "t", email: "erin@x.dev", expiresAt: later() });
    expect(JSON.parse(localStorage.getItem(SESSION_KEY) ?? "{}").token).toBe("t");
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it("a sign-in in another tab (a storage event) is picked up and announced", () => {
    const heard = vi.fn();
    const stop = subscribe(heard);
    expect(getSession()).toBeNull();
    // What the other tab wrote; the storage event fires only in the tabs that did not write.
    localStorage.setItem(SESSION_KEY, JSON.stringify({ token: "other", email: "sam@x.dev", expiresAt: later() }));
    onStorage({ key: SESSION_KEY });
    expect(getSession()?.token).toBe("other");
    expect(heard).toHaveBeenCalledTimes(1);
    stop();
  });

  it("a sign-out in another tab signs this one out", () => {
    setSession({ token: "t", email: "erin@x.dev", expiresAt: later() });
    const heard = vi.fn();
    const stop = subscribe(heard);
    localStorage.removeItem(SESSION_KEY);
    onStorage({ key: SESSION_KEY });
    expect(getSession()).toBeNull();
    expect(heard).toHaveBeenCalledTimes(1);
    // Cleared storage (key null) counts too; other keys do not.
    setSession({ token: "t", email: "erin@x.dev", expiresAt: later() });
    heard.mockClear();
    onStorage({ key: "something.else" });
    expect(heard).not.toHaveBeenCalled();
    localStorage.clear();
    onStorage({ key: null });
    expect(getSession()).toBeNull();
    stop();
  });
});

describe("expiry", () => {
  it("an expired or malformed stored session is no session", () => {
    expect(parseSession(JSON.stringify({ token: "t", email: "e", expiresAt: 1000 }), 2000)).toBeNull();
    expect(parseSession("{not json", 0)).toBeNull();
    expect(parseSession(JSON.stringify({ token: "t", email: "e", expiresAt: 3000 }), 2000)?.kind).toBe("demo");
  });

  it("ends on time without anything else happening, and says it expired", () => {
    vi.useFakeTimers();
    const heard = vi.fn();
    const stop = subscribe(heard);
    setSession({ token: "t", email: "e", expiresAt: Date.now() + 5_000 });
    heard.mockClear();
    vi.advanceTimersByTime(4_000);
    expect(heard).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_500);
    expect(heard).toHaveBeenCalled();
    expect(getSession()).toBeNull();
    expect(localStorage.getItem(SESSION_KEY)).toBeNull();
    expect(sessionExpired()).toBe(true);
    stop();
  });
});
