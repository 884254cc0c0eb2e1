// TanStack Query hooks for breakglass access: requests, decisions, sessions, credentials, audit.
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSingleMutation } from "./mutation";
import { searchKey } from "../lib/search";
import { api, unwrap, type Schemas } from "./client";
import { saysStale } from "./errors";

export type AccessRequest = Schemas["AccessRequest"];
export type Session = Schemas["Session"];
export type AuditEvent = Schemas["AuditEvent"];
export type RequestScope = "mine" | "to-approve" | "all";

export const breakglassKeys = {
  all: ["breakglass"] as const,
  requests: (scope: RequestScope, status?: string) => ["breakglass", "requests", { scope, status }] as const,
  request: (id: string) => ["breakglass", "request", id] as const,
  audit: (id: string) => ["breakglass", "request", id, "audit"] as const,
  sessions: (scope: "mine" | "all") => ["breakglass", "sessions", scope] as const,
  policy: (customer: string) => ["approval-policy", customer] as const,
  accounts: (q: string) => ["breakglass", "accounts", q] as const,
  account: (id: string) => ["account", id] as const,
};

/** Every page of a request list (they are short: a person's own, or those waiting on them). */
export function useAccessRequests(scope: RequestScope, status?: AccessRequest["status"]) {
  return useQuery({
    queryKey: breakglassKeys.requests(scope, status),
    queryFn: async ({ signal }) => {
      const all: AccessRequest[] = [];
      let cursor: string | undefined;
      do {
        const page = unwrap(
          await api.GET("/api/v1/access-requests", {
            params: { query: { scope, status, limit: 200, cursor } },
            signal,
          }),
        );
        all.push(...page.items);
        cursor = page.next_cursor ?? undefined;
      } while (cursor && all.length < 1000);
      return all;
    },
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}

export function useAccessRequest(id: string) {
  return useQuery({
    queryKey: breakglassKeys.request(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/access-requests/{id}", { params: { path: { id } }, signal })),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === "pending" || status === "approved" ? 10_000 : false;
    },
  });
}

/**
 * The audit events of one request (`/audit?request=`): everyone who may see the request sees all
 * of them, whoever acted. A request has a handful of events; up to 10 pages are read.
 */
export function useRequestAudit(request: AccessRequest | undefined) {
  return useQuery({
    queryKey: breakglassKeys.audit(request?.id ?? ""),
    enabled: !!request,
    queryFn: async ({ signal }) => {
      if (!request) return [] as AuditEvent[];
      const items: AuditEvent[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = unwrap(
          await api.GET("/api/v1/audit", { params: { query: { request: request.id, limit: 200, cursor } }, signal }),
        );
        // The route also documents its NDJSON export (text); a JSON page was asked for.
        if (typeof page === "string") throw new Error("the server sent text where JSON was asked for");
        items.push(...page.items);
        cursor = page.next_cursor ?? undefined;
        pages += 1;
      } while (cursor && pages < 10);
      return items;
    },
  });
}

export function useSessions(scope: "mine" | "all") {
  return useQuery({
    queryKey: breakglassKeys.sessions(scope),
    queryFn: async ({ signal }) => {
      const all: Session[] = [];
      let cursor: string | undefined;
      do {
        const page = unwrap(
          await api.GET("/api/v1/sessions", { params: { query: { scope, limit: 200, cursor } }, signal }),
        );
        all.push(...page.items);
        cursor = page.next_cursor ?? undefined;
      } while (cursor && all.length < 1000);
      return all;
    },
    // A grant can end elsewhere (another tab, a lead revoking): ask again every 5 s while the page is
    // shown and as soon as the window is back in focus (the app's default is not to).
    refetchInterval: 5_000,
    refetchOnWindowFocus: "always",
  });
}

export function useApprovalPolicy(customer: string | undefined) {
  return useQuery({
    queryKey: breakglassKeys.policy(customer ?? ""),
    enabled: !!customer,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/customers/{code}/approval-policy", {
          params: { path: { code: customer ?? "" } },
          signal,
        }),
      ),
    staleTime: 60_000,
  });
}

/** Accounts matching what was typed (the API matches id, name, alias and customer). */
export function useAccountSearch(q: string) {
  const query = searchKey(q);
  return useQuery({
    queryKey: breakglassKeys.accounts(query),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/accounts", { params: { query: { q: query || undefined, limit: 50 } }, signal })),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}

export function useAccount(id: string) {
  return useQuery({
    queryKey: breakglassKeys.account(id),
    enabled: /^\d{12}$/.test(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/accounts/{id}", { params: { path: { id } }, signal })),
    staleTime: 60_000,
  });
}

/** On an answer saying the request or grant changed elsewhere (409, "not active"): refetch them now. */
function useRefetchWhenStale() {
  const queryClient = useQueryClient();
  return (err: unknown) => {
    if (!saysStale(err)) return;
    void queryClient.invalidateQueries({ queryKey: ["breakglass", "sessions"] });
    void queryClient.invalidateQueries({ queryKey: ["breakglass", "requests"] });
    void queryClient.invalidateQueries({ queryKey: ["breakglass", "request"] });
  };
}

function useRequestUpdate() {
  const queryClient = useQueryClient();
  return (updated: AccessRequest) => {
    queryClient.setQueryData(breakglassKeys.request(updated.id), updated);
    void queryClient.invalidateQueries({ queryKey: ["breakglass", "requests"] });
    void queryClient.invalidateQueries({ queryKey: ["breakglass", "sessions"] });
    void queryClient.invalidateQueries({ queryKey: breakglassKeys.audit(updated.id) });
  };
}

export function useCreateRequest() {
  const update = useRequestUpdate();
  const stale = useRefetchWhenStale();
  return useSingleMutation({
    mutationFn: async (body: Schemas["NewRequest"]) => unwrap(await api.POST("/api/v1/access-requests", { body })),
    onSuccess: update,
    onError: stale,
  });
}

export function useDecide() {
  const update = useRequestUpdate();
  const stale = useRefetchWhenStale();
  return useSingleMutation({
    mutationFn: async (input: { id: string; decision: "approve" | "reject"; comment: string }) =>
      unwrap(
        await api.POST("/api/v1/access-requests/{id}/decisions", {
          params: { path: { id: input.id } },
          body: { decision: input.decision, comment: input.comment },
        }),
      ),
    onSuccess: update,
    onError: stale,
  });
}

export function useCancelRequest() {
  const update = useRequestUpdate();
  const stale = useRefetchWhenStale();
  return useSingleMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST("/api/v1/access-requests/{id}/cancel", { params: { path: { id } } })),
    onSuccess: update,
    onError: stale,
  });
}

export function useRevoke() {
  const update = useRequestUpdate();
  const stale = useRefetchWhenStale();
  return useSingleMutation({
    mutationFn: async (input: { id: string; reason: string }) =>
      unwrap(
        await api.POST("/api/v1/access-requests/{id}/revoke", {
          params: { path: { id: input.id } },
          body: { reason: input.reason },
        }),
      ),
    onSuccess: update,
    onError: stale,
  });
}

/** Fresh credentials (minted on each call, never stored). */
export function useCredentials() {
  const stale = useRefetchWhenStale();
  return useSingleMutation({
    onError: stale,
    mutationFn: async (id: string) =>
      unwrap(await api.POST("/api/v1/access-requests/{id}/credentials", { params: { path: { id } } })),
  });
}

/** A console sign-in URL for the active grant (the API answers at least `url`). */
export function useConsoleSignIn() {
  const stale = useRefetchWhenStale();
  return useSingleMutation({
    onError: stale,
    mutationFn: async (id: string) =>
      unwrap(await api.POST("/api/v1/access-requests/{id}/console-link", { params: { path: { id } } })),
  });
}

/** Every customer's approval policy (`GET /approval-policies`): who may ask and who may decide where. */
export function useApprovalPolicies(enabled = true) {
  return useQuery({
    // Not the admin page's infinite query (same route, other shape); invalidating ["approval-policies"] refreshes both.
    queryKey: ["approval-policies", "all-pages"],
    enabled,
    queryFn: async ({ signal }) => {
      const items: Schemas["CustomerPolicy"][] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = unwrap(await api.GET("/api/v1/approval-policies", { params: { query: { limit: 200, cursor } }, signal }));
        items.push(...page.items);
        cursor = page.next_cursor ?? undefined;
        pages += 1;
      } while (cursor && pages < 20);
      return items;
    },
    staleTime: 5 * 60_000,
  });
}
