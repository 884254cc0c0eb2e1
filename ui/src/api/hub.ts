// TanStack Query hooks for the customer hub (customers, the customer page's overview, contacts,
// accounts, console links, quick find).
import { keepPreviousData, useInfiniteQuery, useQueries, useQuery } from "@tanstack/react-query";
import { searchable, searchKey } from "../lib/search";
import { api, unwrap, type Account, type CustomerStatus } from "./client";

export const hubKeys = {
  me: ["me"] as const,
  customers: (q: string, status: CustomerStatus | "") => ["customers", { q, status }] as const,
  customer: (code: string) => ["customer", code] as const,
  /** Under the customer's key: invalidating `customer(code)` refreshes it too. */
  overview: (code: string) => ["customer", code, "overview"] as const,
  contacts: (code: string) => ["customer", code, "contacts"] as const,
  accounts: (code: string) => ["customer", code, "accounts"] as const,
  consoleLinks: (id: string) => ["account", id, "console-links"] as const,
  search: (q: string) => ["search", q] as const,
};

export function useMe() {
  return useQuery({
    queryKey: hubKeys.me,
    queryFn: async () => unwrap(await api.GET("/api/v1/me")),
    staleTime: 5 * 60_000,
  });
}

export function useCustomers(q: string, status: CustomerStatus | "") {
  return useInfiniteQuery({
    queryKey: hubKeys.customers(q, status),
    initialPageParam: undefined as string | undefined,
    // A text with no letter or digit matches nothing (the API would ignore it and list everyone).
    queryFn: async ({ pageParam, signal }) =>
      q && !searchable(q)
        ? { items: [], next_cursor: null }
        : unwrap(
        await api.GET("/api/v1/customers", {
          params: {
            query: {
              limit: 100,
              cursor: pageParam,
              q: q || undefined,
              status: status || undefined,
            },
          },
          signal,
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useCustomer(code: string) {
  return useQuery({
    queryKey: hubKeys.customer(code),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/customers/{code}", { params: { path: { code } }, signal })),
  });
}

/** The customer page in one call: customer, contacts, team, policy summary, account counts. */
export function useCustomerOverview(code: string) {
  return useQuery({
    queryKey: hubKeys.overview(code),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/customers/{code}/overview", { params: { path: { code } }, signal })),
  });
}

export function useContacts(code: string) {
  return useQuery({
    queryKey: hubKeys.contacts(code),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/customers/{code}/contacts", {
          params: { path: { code }, query: { limit: 200 } },
          signal,
        }),
      ).items,
  });
}

/** Every account of a customer (all pages). */
export function useCustomerAccounts(code: string) {
  return useQuery({
    queryKey: hubKeys.accounts(code),
    queryFn: async ({ signal }) => {
      const all: Account[] = [];
      let cursor: string | undefined;
      do {
        const page = unwrap(
          await api.GET("/api/v1/accounts", {
            params: { query: { customer: code, limit: 200, cursor } },
            signal,
          }),
        );
        all.push(...page.items);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      return all;
    },
  });
}

/** Console links for each account: one request per account (there is no per-customer route). */
export function useConsoleLinks(accountIds: string[]) {
  return useQueries({
    queries: accountIds.map((id) => ({
      queryKey: hubKeys.consoleLinks(id),
      queryFn: async ({ signal }: { signal: AbortSignal }) =>
        unwrap(
          await api.GET("/api/v1/accounts/{id}/console-links", {
            params: { path: { id } },
            signal,
          }),
        ).items,
      staleTime: 5 * 60_000,
    })),
  });
}

export function useQuickFind(q: string) {
  const query = searchKey(q);
  return useQuery({
    queryKey: hubKeys.search(query),
    enabled: query.length > 0,
    // The API refuses a text with no letter or digit: it matches nothing.
    queryFn: async ({ signal }) =>
      !searchable(query)
        ? { truncated: false, total_customers: 0, total_accounts: 0, total_contacts: 0, customers: [], accounts: [], contacts: [] }
        : unwrap(
        await api.GET("/api/v1/search", {
          params: { query: { q: query, limit: 20 } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}
