// Demo sign-in (`cc serve --demo` only). These two routes are not in the OpenAPI document yet,
// so their shapes are written here by hand; move them to the generated types once they are.
import { useMutation, useQuery } from "@tanstack/react-query";
import { setSession } from "../auth/session";
import { toApiError } from "./errors";

export interface DemoUser {
  email: string;
  roles: string[];
}

interface DemoToken {
  token: string;
  email: string;
  expires_in: number;
}

async function json<T>(response: Response): Promise<T> {
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw toApiError(response.status, body);
  return body as T;
}

export function useDemoUsers() {
  return useQuery({
    queryKey: ["dev", "users"],
    queryFn: async () =>
      (await json<{ items: DemoUser[] }>(await fetch("/api/v1/dev/users"))).items,
    staleTime: Infinity,
  });
}

export function useDemoSignIn() {
  return useMutation({
    mutationFn: async (email: string) => {
      const response = await fetch("/api/v1/dev/token", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email }),
      });
      return json<DemoToken>(response);
    },
    onSuccess: (token) => {
      setSession({
        token: token.token,
        email: token.email,
        expiresAt: Date.now() + token.expires_in * 1000,
      });
    },
  });
}
