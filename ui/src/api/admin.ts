// TanStack Query hooks for the admin pages: customers, accounts, contacts, teams, approval policies.
// Every change sends the `version` it read; the API answers 409 `version_conflict` when it is stale.
import { type QueryClient, useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSingleMutation } from "./mutation";
import { api, unwrap, type Schemas } from "./client";
import { hubKeys } from "./hub";
import { importContentType } from "../lib/accountImport";

export type NewCustomer = Schemas["NewCustomer"];
export type CustomerPatch = Schemas["CustomerPatch"];
export type NewAccount = Schemas["NewAccount"];
export type AccountPatch = Schemas["AccountPatch"];
export type NewContact = Schemas["NewContact"];
export type ContactPatch = Schemas["ContactPatch"];
export type Team = Schemas["Team"];
export type TeamUpdate = Schemas["TeamUpdate"];
export type ApprovalPolicy = Schemas["ApprovalPolicy"];
export type Role = Schemas["Role"];
export type CustomerPolicy = Schemas["CustomerPolicy"];

export const adminKeys = {
  team: (code: string) => ["customer", code, "team"] as const,
  policy: (code: string) => ["customer", code, "approval-policy"] as const,
  policies: ["approval-policies"] as const,
};

/** The customer page's overview (contacts, team, policy, counts) and quick find after a change. */
function refreshCustomerPage(qc: QueryClient, code: string) {
  void qc.invalidateQueries({ queryKey: hubKeys.overview(code) });
  void qc.invalidateQueries({ queryKey: ["search"] });
}

export function useTeam(code: string) {
  return useQuery({
    queryKey: adminKeys.team(code),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/customers/{code}/team", { params: { path: { code } }, signal })),
  });
}

export function usePolicy(code: string) {
  return useQuery({
    queryKey: adminKeys.policy(code),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/customers/{code}/approval-policy", { params: { path: { code } }, signal })),
  });
}

/** Every customer's policy in force, 200 customers a page (`GET /approval-policies`). */
export function usePolicies() {
  return useInfiniteQuery({
    queryKey: adminKeys.policies,
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) =>
      unwrap(await api.GET("/api/v1/approval-policies", { params: { query: { limit: 200, cursor: pageParam } }, signal })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useCreateCustomer() {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (body: NewCustomer) => unwrap(await api.POST("/api/v1/customers", { body })),
    onSuccess: (c) => {
      qc.setQueryData(hubKeys.customer(c.code), c);
      void qc.invalidateQueries({ queryKey: ["customers"] });
    },
  });
}

export function useUpdateCustomer(code: string) {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (body: CustomerPatch) =>
      unwrap(await api.PATCH("/api/v1/customers/{code}", { params: { path: { code } }, body })),
    onSuccess: (c) => {
      qc.setQueryData(hubKeys.customer(code), c);
      refreshCustomerPage(qc, code);
      void qc.invalidateQueries({ queryKey: ["customers"] });
    },
  });
}

export function useSaveAccount(code: string) {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (
      input: { kind: "create"; body: NewAccount } | { kind: "update"; id: string; body: AccountPatch },
    ) =>
      input.kind === "create"
        ? unwrap(await api.POST("/api/v1/accounts", { body: input.body }))
        : unwrap(await api.PATCH("/api/v1/accounts/{id}", { params: { path: { id: input.id } }, body: input.body })),
    onSuccess: (account) => {
      void qc.invalidateQueries({ queryKey: hubKeys.accounts(code) });
      if (account.customer !== code) void qc.invalidateQueries({ queryKey: hubKeys.accounts(account.customer) });
      void qc.invalidateQueries({ queryKey: hubKeys.customer(code) });
      if (account.customer !== code) void qc.invalidateQueries({ queryKey: hubKeys.customer(account.customer) });
      void qc.invalidateQueries({ queryKey: ["customers"] });
      void qc.invalidateQueries({ queryKey: ["search"] });
    },
  });
}

export function useSaveContact(code: string) {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (
      input: { kind: "create"; body: NewContact } | { kind: "update"; id: string; body: ContactPatch },
    ) =>
      input.kind === "create"
        ? unwrap(await api.POST("/api/v1/customers/{code}/contacts", { params: { path: { code } }, body: input.body }))
        : unwrap(
            await api.PATCH("/api/v1/customers/{code}/contacts/{id}", {
              params: { path: { code, id: input.id } },
              body: input.body,
            }),
          ),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: hubKeys.contacts(code) });
      refreshCustomerPage(qc, code);
    },
  });
}

export function useDeleteContact(code: string) {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (id: string) => {
      const result = await api.DELETE("/api/v1/customers/{code}/contacts/{id}", { params: { path: { code, id } } });
      if (!result.response.ok) unwrap(result);
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: hubKeys.contacts(code) });
      refreshCustomerPage(qc, code);
    },
  });
}

export function usePutTeam(code: string) {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (body: TeamUpdate) =>
      unwrap(await api.PUT("/api/v1/customers/{code}/team", { params: { path: { code } }, body })),
    onSuccess: (team) => {
      qc.setQueryData(adminKeys.team(code), team);
      refreshCustomerPage(qc, code);
      void qc.invalidateQueries({ queryKey: hubKeys.me });
    },
  });
}

export function usePutPolicy(code: string) {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (body: ApprovalPolicy) =>
      unwrap(await api.PUT("/api/v1/customers/{code}/approval-policy", { params: { path: { code } }, body })),
    onSuccess: (policy) => {
      qc.setQueryData(adminKeys.policy(code), policy);
      void qc.invalidateQueries({ queryKey: adminKeys.policies });
      refreshCustomerPage(qc, code);
    },
  });
}

/** Everything that shows a customer's accounts or counts, after an account came or went. */
function refreshAccounts(qc: QueryClient, ...codes: string[]) {
  for (const code of new Set(codes)) {
    void qc.invalidateQueries({ queryKey: hubKeys.accounts(code) });
    void qc.invalidateQueries({ queryKey: hubKeys.customer(code) });
  }
  void qc.invalidateQueries({ queryKey: ["customers"] });
  void qc.invalidateQueries({ queryKey: ["search"] });
}

/** Deletes an account (refused with 409 `open_access` while breakglass access on it is open). */
export function useDeleteAccount(code: string) {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async ({ id, version }: { id: string; version?: number | null }) => {
      const result = await api.DELETE("/api/v1/accounts/{id}", {
        params: { path: { id }, query: { version: version ?? undefined } },
      });
      if (!result.response.ok) unwrap(result);
    },
    onSuccess: () => refreshAccounts(qc, code),
  });
}

/** Moves an account to another customer (the account PATCH's `customer`). */
export function useMoveAccount(code: string) {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async ({ id, to, version }: { id: string; to: string; version?: number | null }) =>
      unwrap(
        await api.PATCH("/api/v1/accounts/{id}", {
          params: { path: { id } },
          body: { customer: to, version: version ?? null },
        }),
      ),
    onSuccess: (account) => refreshAccounts(qc, code, account.customer),
  });
}

/**
 * Deletes a customer and its contacts, team and policy (refused with 409 `customer_has_accounts`
 * while it owns accounts).
 */
export function useDeleteCustomer(code: string) {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (version?: number | null) => {
      const result = await api.DELETE("/api/v1/customers/{code}", {
        params: { path: { code }, query: { version: version ?? undefined } },
      });
      if (!result.response.ok) unwrap(result);
    },
    onSuccess: () => {
      qc.removeQueries({ queryKey: hubKeys.customer(code) });
      void qc.invalidateQueries({ queryKey: ["customers"] });
      void qc.invalidateQueries({ queryKey: adminKeys.policies });
      void qc.invalidateQueries({ queryKey: ["search"] });
    },
  });
}

/**
 * Ends every open breakglass request and grant on one account or on all of a customer's accounts
 * (admin): grants are revoked, requests not yet active cancelled; the reason is recorded on each.
 */
export function useEndAccess() {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (input: { target: { account: string } | { customer: string }; reason: string }) => {
      const body = { reason: input.reason };
      const result =
        "account" in input.target
          ? await api.POST("/api/v1/accounts/{id}/end-access", { params: { path: { id: input.target.account } }, body })
          : await api.POST("/api/v1/customers/{code}/end-access", { params: { path: { code: input.target.customer } }, body });
      return unwrap(result).ended;
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["breakglass"] });
    },
  });
}

export type BulkOutcome = Schemas["BulkOutcome"];
export type SkippedAccount = Schemas["SkippedAccount"];

/**
 * Imports a JSON or CSV file of accounts (admin, `POST /accounts/bulk`); `skipExisting` leaves
 * accounts the hub already has out (`existing=skip`). A 400 throws an ApiError whose `rows` name
 * each problem; nothing is written then.
 */
export function useImportAccounts() {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async ({ file, skipExisting }: { file: File; skipExisting: boolean }) => {
      const contentType = importContentType(file.name, await file.slice(0, 256).text());
      return unwrap(
        await api.POST("/api/v1/accounts/bulk", {
          params: { query: { existing: skipExisting ? "skip" : "error" } },
          // The schema types the body as JSON or a string; the File is sent as it is.
          body: file as unknown as never,
          bodySerializer: (body: unknown) => body as BodyInit,
          headers: { "Content-Type": contentType },
        }),
      );
    },
    onSuccess: (outcome) => {
      if (outcome.created === 0) return;
      // Accounts of any customer may have been added.
      void qc.invalidateQueries({ queryKey: ["customer"] });
      void qc.invalidateQueries({ queryKey: ["customers"] });
      void qc.invalidateQueries({ queryKey: ["search"] });
    },
  });
}
