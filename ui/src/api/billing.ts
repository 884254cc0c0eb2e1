// TanStack Query hooks for billing: the overview, a customer's costs and movers, cost anomalies
// (acknowledge / resolve with the version read), fetch runs, export imports, settings and the
// organisation's facts.
import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSingleMutation } from "./mutation";
import { CHART_TOP } from "../lib/billing";
import { api, unwrap, type Schemas } from "./client";

export type BillingOverview = Schemas["Overview"];
export type CustomerCosts = Schemas["CustomerCosts"];
export type MonthToDate = Schemas["MonthToDate"];
export type CostReport = Schemas["CostReport"];
export type Movers = Schemas["Movers"];
export type StoredAnomaly = Schemas["StoredAnomaly"];
export type AnomalyStatus = Schemas["AnomalyStatus"];
export type BillingRun = Schemas["BillingRun"];
export type CustomerFetch = Schemas["CustomerFetch"];
export type ImportSummary = Schemas["ImportSummary"];
export type BillingSettings = Schemas["BillingSettings"];
export type SettingsUpdate = Schemas["SettingsUpdate"];
export type OrgView = Schemas["OrgView"];
export type DiscoveredAccount = Schemas["DiscoveredAccount"];
export type AddDiscoveredOutcome = Schemas["BulkOutcome"];

export const billingKeys = {
  all: ["billing"] as const,
  overview: (customer?: string) => ["billing", "overview", customer ?? ""] as const,
  costs: (customer: string, from: string, to: string, granularity: string) =>
    ["billing", "costs", customer, { from, to, granularity, group: "service", top: CHART_TOP }] as const,
  movers: (customer: string, from: string, to: string) => ["billing", "movers", customer, { from, to }] as const,
  anomalies: ["billing", "anomalies"] as const,
  anomaliesIn: (status: AnomalyStatus) => ["billing", "anomalies", "status", status] as const,
  customerAnomalies: (customer: string) => ["billing", "anomalies", "customer", customer] as const,
  runs: ["billing", "runs"] as const,
  settings: (code: string) => ["billing", "settings", code] as const,
  organization: (code: string) => ["billing", "organization", code] as const,
};

/** Every customer's month to date (or one customer's, with `customer`). */
export function useBillingOverview(customer?: string) {
  return useQuery({
    queryKey: billingKeys.overview(customer),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/billing/overview", { params: { query: { customer } }, signal })),
  });
}

/**
 * A customer's costs for the chart: rows per service with the top `CHART_TOP` kept and the rest summed
 * into one Other row a period by the API (`group=service&top=8`), so the answer is at most
 * periods × 9 rows however many accounts and services the customer has; the totals are complete.
 */
export function useCosts(customer: string, from: string, to: string, granularity: "daily" | "monthly", enabled = true) {
  return useQuery({
    queryKey: billingKeys.costs(customer, from, to, granularity),
    enabled,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/billing/costs", {
          params: { query: { customer, from, to, granularity, group: "service", top: CHART_TOP } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useMovers(customer: string, from?: string, to?: string) {
  return useQuery({
    queryKey: billingKeys.movers(customer, from ?? "", to ?? ""),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/billing/movers", { params: { query: { customer, from, to, limit: 10 } }, signal })),
    placeholderData: keepPreviousData,
  });
}

/** Every customer's anomalies in one status, newest detection first, 50 a page. */
export function useAnomalies(status: AnomalyStatus) {
  return useInfiniteQuery({
    queryKey: billingKeys.anomaliesIn(status),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) =>
      unwrap(await api.GET("/api/v1/billing/anomalies", { params: { query: { status, limit: 50, cursor: pageParam } }, signal })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** One customer's anomalies in every status (up to 10 pages of 200). */
export function useCustomerAnomalies(customer: string) {
  return useQuery({
    queryKey: billingKeys.customerAnomalies(customer),
    queryFn: async ({ signal }) => {
      const items: StoredAnomaly[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = unwrap(
          await api.GET("/api/v1/billing/anomalies", { params: { query: { customer, limit: 200, cursor } }, signal }),
        );
        items.push(...page.items);
        cursor = page.next_cursor ?? undefined;
        pages += 1;
      } while (cursor && pages < 10);
      return items;
    },
  });
}

/** Acknowledge (note optional) or resolve (note required); sends the version read. */
export function useMoveAnomaly() {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (input: { anomaly: StoredAnomaly; to: "acknowledge" | "resolve"; note: string }) => {
      const { anomaly, to, note } = input;
      const body = { customer: anomaly.customer, note: note || undefined, version: anomaly.version ?? 0 };
      const params = { path: { id: anomaly.id } };
      return to === "acknowledge"
        ? unwrap(await api.POST("/api/v1/billing/anomalies/{id}/acknowledge", { params, body }))
        : unwrap(await api.POST("/api/v1/billing/anomalies/{id}/resolve", { params, body }));
    },
    // Moved or refused as stale: either way the lists and counts are out of date.
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: billingKeys.anomalies });
      void qc.invalidateQueries({ queryKey: ["billing", "overview"] });
    },
  });
}

export function useRuns() {
  return useInfiniteQuery({
    queryKey: billingKeys.runs,
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) =>
      unwrap(await api.GET("/api/v1/billing/runs", { params: { query: { limit: 20, cursor: pageParam } }, signal })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Fetch now (admin): one customer (every customer is the daily schedule's work). Answers when done. */
export function useStartRun() {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (customer: string) =>
      unwrap(await api.POST("/api/v1/billing/runs", { body: { customer } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: billingKeys.all });
    },
  });
}

/**
 * Imports an export (admin): its files as the `file` parts of one multipart form, in order. The
 * parts of one export (AWS Data Exports split a month into `…-00001.csv.gz`, `…-00002.csv.gz`)
 * must go together: the API sums them before storing, where imported one by one each part would
 * replace the previous part's month (an import replaces the imported costs of the months it has).
 * The server tells gzip by its bytes.
 */
export function useImport(customer: string) {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (files: File[]) => {
      const form = new FormData();
      for (const f of files) form.append("file", f, f.name);
      return unwrap(
        await api.POST("/api/v1/billing/imports", {
          params: { query: { customer } },
          // The schema types the parts as binary strings; the browser writes the form and its boundary.
          body: form as unknown as { file: string[] },
          bodySerializer: (body) => body as unknown as FormData,
        }),
      );
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: billingKeys.all });
    },
  });
}

export function useBillingSettings(code: string) {
  return useQuery({
    queryKey: billingKeys.settings(code),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/billing/settings/{code}", { params: { path: { code } }, signal })),
  });
}

export function usePutBillingSettings(code: string) {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (body: SettingsUpdate) =>
      unwrap(await api.PUT("/api/v1/billing/settings/{code}", { params: { path: { code } }, body })),
    onSuccess: (saved) => {
      qc.setQueryData(billingKeys.settings(code), saved);
    },
  });
}

export function useOrganization(code: string) {
  return useQuery({
    queryKey: billingKeys.organization(code),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/billing/organizations/{code}", { params: { path: { code } }, signal })),
  });
}

/**
 * Adds discovered accounts of the customer's organisation to the hub (admin), with the customer's
 * usual access method and region and an environment guessed from each name (the API's defaults).
 * Validated as a whole: on a 400 nothing is written (`ApiError.rows` names each account's row,
 * 1-based in `accounts`). Either way the discovered list and the customer's accounts are re-read:
 * added accounts leave the list, and a refusal may come from a list that changed meanwhile.
 */
export function useAddDiscovered(code: string) {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (accounts: string[]) =>
      unwrap(
        await api.POST("/api/v1/billing/organizations/{code}/discovered", {
          params: { path: { code } },
          body: { accounts },
        }),
      ),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: billingKeys.organization(code) });
      // Under the customer's key: its accounts, overview and counts; quick find knows accounts too.
      void qc.invalidateQueries({ queryKey: ["customer", code] });
      void qc.invalidateQueries({ queryKey: ["customers"] });
      void qc.invalidateQueries({ queryKey: ["search"] });
    },
  });
}
