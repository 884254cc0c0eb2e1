// TanStack Query hooks for utilisation: a customer's contracts and where each stands, every
// customer's current contracts (the portfolio), who logged what in a month, one contract with its
// entitlement history, unmapped hours, the task code mappings (replaced whole at the
// version read) and their history, CSV imports and sync runs.
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "./client";
import { useSingleMutation } from "./mutation";

export type CustomerUtilisation = Schemas["CustomerUtilisation"];
export type ContractReport = Schemas["ContractReport"];
export type ContractDetail = Schemas["ContractDetail"];
export type ContractUsage = Schemas["ContractUsage"];
export type Portfolio = Schemas["Portfolio"];
export type CustomerPortfolio = Schemas["CustomerPortfolio"];
export type ContractStanding = Schemas["ContractStanding"];
export type TeamMonth = Schemas["TeamMonth"];
export type PersonMonth = Schemas["PersonMonth"];
export type HoursFor = Schemas["HoursFor"];
export type EntitlementChange = Schemas["EntitlementChange"];
export type UnmappedCode = Schemas["UnmappedCode"];
export type TaskCodes = Schemas["TaskCodes"];
export type TaskCodeMapping = Schemas["TaskCodeMapping"];
export type TaskCodeChange = Schemas["TaskCodeChange"];
export type ImportOutcome = Schemas["ImportOutcome"];
export type SyncRun = Schemas["SyncRun"];
export type SourceOutcome = Schemas["SourceOutcome"];

export const utilisationKeys = {
  all: ["utilisation"] as const,
  customer: (code: string) => ["utilisation", "customer", code] as const,
  portfolio: ["utilisation", "portfolio"] as const,
  team: (month: string) => ["utilisation", "team", month] as const,
  contract: (customer: string, contract: string) => ["utilisation", "contract", customer, contract] as const,
  unmapped: (from: string, to: string) => ["utilisation", "unmapped", { from, to }] as const,
  taskCodes: ["task-codes"] as const,
  taskCodeHistory: ["task-codes", "history"] as const,
  runs: ["utilisation", "runs"] as const,
};

/** A customer's contracts as of today, current first. */
export function useCustomerUtilisation(customer: string, enabled = true) {
  return useQuery({
    queryKey: utilisationKeys.customer(customer),
    enabled: enabled && !!customer,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/utilisation", { params: { query: { customer } }, signal })),
  });
}

/** Every customer's current contracts and where each stands (the overview), customers needing a look first. */
export function usePortfolio() {
  return useQuery({
    queryKey: utilisationKeys.portfolio,
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/utilisation/portfolio", { signal })),
  });
}

/** Who logged what across customers in a month (`YYYY-MM`). */
export function useTeamMonth(month: string) {
  return useQuery({
    queryKey: utilisationKeys.team(month),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/utilisation/team", { params: { query: { month } }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useContract(customer: string, contract: string) {
  return useQuery({
    queryKey: utilisationKeys.contract(customer, contract),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/utilisation/contracts/{customer}/{contract}", {
          params: { path: { customer, contract } },
          signal,
        }),
      ),
  });
}

/** Hours on task codes no mapping matches over `[from, to]` (empty: the API's default, the 90 days to today). */
export function useUnmapped(from: string, to: string, enabled = true) {
  return useQuery({
    queryKey: utilisationKeys.unmapped(from, to),
    enabled,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/utilisation/unmapped", {
          params: { query: { from: from || undefined, to: to || undefined } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useTaskCodes() {
  return useQuery({
    queryKey: utilisationKeys.taskCodes,
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/task-codes", { signal })),
  });
}

export function useTaskCodeHistory() {
  return useQuery({
    queryKey: utilisationKeys.taskCodeHistory,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/task-codes/history", { params: { query: { limit: 50 } }, signal })),
  });
}

/** Replaces the whole list (admin) at the version read; a stale one is a 409 `version_conflict`. */
export function usePutTaskCodes() {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (body: { mappings: TaskCodeMapping[]; version: number }) =>
      unwrap(await api.PUT("/api/v1/task-codes", { body })),
    onSuccess: (saved) => {
      qc.setQueryData(utilisationKeys.taskCodes, saved);
      // What counts where has changed: usage, unmapped hours and the history.
      void qc.invalidateQueries({ queryKey: utilisationKeys.taskCodeHistory });
      void qc.invalidateQueries({ queryKey: utilisationKeys.all });
    },
  });
}

export type ImportKind = "contracts" | "worklogs";

/** A CSV import (admin), sent as the `file` part of a multipart form. */
export function useUtilisationImport(kind: ImportKind) {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (file: File) => {
      const form = new FormData();
      form.append("file", file, file.name);
      const path = kind === "contracts" ? "/api/v1/utilisation/imports/contracts" : "/api/v1/utilisation/imports/worklogs";
      return unwrap(
        await api.POST(path, {
          // The schema types the part as a binary string; the browser writes the form (and its boundary).
          body: form as unknown as { file: string },
          bodySerializer: (body) => body as unknown as BodyInit,
        }),
      );
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: utilisationKeys.all });
    },
  });
}

export function useSyncRuns() {
  return useQuery({
    queryKey: utilisationKeys.runs,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/utilisation/runs", { params: { query: { limit: 50 } }, signal })),
  });
}

/** Sync now (admin): answers with the run when it is done. */
export function useStartSync() {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/utilisation/runs")),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: utilisationKeys.all });
    },
  });
}
