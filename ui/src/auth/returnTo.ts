// Where to go after signing in: only a path on this origin (no open redirect through ?next= or the
// OIDC state), and never back to the sign-in pages themselves.
export const DEFAULT_RETURN = "/customers";

export function safeReturnTo(value: unknown, origin = "http://cc.invalid"): string {
  if (typeof value !== "string" || value === "") return DEFAULT_RETURN;
  // A relative path: one leading slash, no scheme-relative //host or /\host, no control characters.
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return DEFAULT_RETURN;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return DEFAULT_RETURN;
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return DEFAULT_RETURN;
  }
  if (url.origin !== new URL(origin).origin) return DEFAULT_RETURN;
  if (url.pathname === "/sign-in" || url.pathname.startsWith("/auth/")) return DEFAULT_RETURN;
  return url.pathname + url.search + url.hash;
}
