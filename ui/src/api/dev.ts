// Demo sign-in (`cc serve --demo` only); see devUsers.ts about the hand-written shapes.
import { useQuery } from "@tanstack/react-query";
import { useSingleMutation } from "./mutation";
import { setSession } from "../auth/session";
import { demoUsersQuery, json } from "./devUsers";

interface DemoToken {
  token: string;
  email: string;
  expires_in: number;
}

export function useDemoUsers() {
  return useQuery(demoUsersQuery);
}

export function useDemoSignIn() {
  return useSingleMutation({
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
