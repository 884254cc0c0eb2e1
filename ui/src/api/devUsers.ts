// Demo sign-in (`cc serve --demo` only): the demo users. These routes are not in the OpenAPI
// document yet, so their shapes are written here by hand; move them to the generated types once
// they are. Kept apart from the sign-in mutation so the start-up prefetch stays small.
import { queryOptions } from "@tanstack/react-query";
import { toApiError } from "./errors";

export interface DemoUser {
  email: string;
  roles: string[];
}

export async function json<T>(response: Response): Promise<T> {
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw toApiError(response.status, body);
  return body as T;
}

/** Also prefetched at start-up when nobody is signed in, in parallel with the sign-in page's code. */
export const demoUsersQuery = queryOptions({
  queryKey: ["dev", "users"],
  queryFn: async () => (await json<{ items: DemoUser[] }>(await fetch("/api/v1/dev/users"))).items,
  staleTime: Infinity,
  retry: false,
});
