// What a route's path parameters may be. Every id this app puts in a path (customer codes,
// account ids, contract numbers, access request ids: shared/src/ids.rs) is one path segment of
// letters, digits and `-._`: never a `/` (an encoded `%2F`, decoded by the router) nor a `%` (an
// escape the router could not decode, which it leaves as it is). Such a path names no page.

/** Whether every path parameter is one clean segment (the splat `*` may span several). */
export function paramsAreSegments(params: Readonly<Record<string, string | undefined>>): boolean {
  return Object.entries(params).every(([name, value]) => name === "*" || value === undefined || (!value.includes("/") && !value.includes("%")));
}
