// TanStack Query hooks for monthly reports: a customer's months, a month's versions, a version's
// page (fetched with the token, shown in a sandboxed frame), a diff between two versions, a
// download link, every customer's reports of a month, and building a new version.
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSingleMutation } from "./mutation";
import { api, unwrap, type Schemas } from "./client";
import { renderingFormats, type ReportFormat } from "../lib/reports";

/** How often the versions are asked again while an output is being rendered. */
const PENDING_POLL_MS = 4000;

export type ReportVersion = Schemas["ReportVersion"];
export type MonthReports = Schemas["MonthReports"];
export type ReportDiff = Schemas["ReportDiff"];
export type BuildRequest = Schemas["BuildRequest"];
export type MonthlyRun = Schemas["ListResponse_MonthlyRun"]["items"][number];

export const reportKeys = {
  all: ["reports"] as const,
  months: (customer: string) => ["reports", "months", customer] as const,
  portfolio: (month: string) => ["reports", "portfolio", month] as const,
  runs: ["reports", "runs"] as const,
  versions: (customer: string, month: string) => ["reports", "versions", customer, month] as const,
  page: (customer: string, month: string, version: number) => ["reports", "page", customer, month, version] as const,
  diff: (customer: string, month: string, from: number, to: number) => ["reports", "diff", customer, month, { from, to }] as const,
};

/** Pages of a `{items, next_cursor}` list, followed up to `maxPages` (200 a page). */
async function allPages<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor?: string | null }>,
  maxPages = 10,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const p = await page(cursor);
    items.push(...p.items);
    cursor = p.next_cursor ?? undefined;
    pages += 1;
  } while (cursor && pages < maxPages);
  return items;
}

/** A customer's months with reports, newest first, each with its number of versions and the newest. */
export function useCustomerReports(customer: string) {
  return useQuery({
    queryKey: reportKeys.months(customer),
    queryFn: async ({ signal }) =>
      allPages(async (cursor) =>
        unwrap(await api.GET("/api/v1/reports", { params: { query: { customer, limit: 200, cursor } }, signal })),
      ),
  });
}

/** Every customer's reports of `month` (by customer). */
export function usePortfolioReports(month: string, enabled = true) {
  return useQuery({
    queryKey: reportKeys.portfolio(month),
    enabled,
    queryFn: async ({ signal }) =>
      allPages(async (cursor) =>
        unwrap(await api.GET("/api/v1/reports", { params: { query: { month, limit: 200, cursor } }, signal })),
      ),
    placeholderData: keepPreviousData,
  });
}

/** The monthly schedule's recorded runs, newest first (the latest 20). */
export function useReportRuns() {
  return useQuery({
    queryKey: reportKeys.runs,
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/reports/runs", { params: { query: { limit: 20 } }, signal })).items,
  });
}

/** Every version of a customer's month, newest first; asked again every few seconds while an output
 * is still being rendered (the PDF in AWS follows the build within a minute). */
export function useReportVersions(customer: string, month: string | undefined) {
  return useQuery<ReportVersion[]>({
    queryKey: reportKeys.versions(customer, month ?? ""),
    enabled: !!month,
    refetchInterval: (q) => (q.state.data?.some((v) => renderingFormats(v).length > 0) ? PENDING_POLL_MS : false),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/reports/{customer}/{month}/versions", {
          params: { path: { customer, month: month! } },
          signal,
        }),
      ).items,
  });
}

/** One version's HTML page, as text (the frame shows it with `srcdoc`: an `src` could not send the token). */
export function useReportPage(customer: string, month: string, version: number | undefined) {
  return useQuery({
    queryKey: reportKeys.page(customer, month, version ?? 0),
    enabled: version !== undefined,
    staleTime: Infinity, // a version never changes
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/reports/{customer}/{month}/versions/{version}", {
          params: { path: { customer, month, version: version! }, query: { format: "html" } },
          parseAs: "text",
          signal,
        }),
      ) as unknown as string,
  });
}

/** What changed from version `from` to version `to`. */
export function useReportDiff(customer: string, month: string, pair: { from: number; to: number } | undefined) {
  return useQuery({
    queryKey: reportKeys.diff(customer, month, pair?.from ?? 0, pair?.to ?? 0),
    enabled: !!pair,
    staleTime: Infinity,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/reports/{customer}/{month}/diff", {
          params: { path: { customer, month }, query: { from: pair!.from, to: pair!.to } },
          signal,
        }),
      ),
  });
}

/** A short-lived link to one version's output (presigned in AWS, the local signed route locally). */
export function useDownloadLink() {
  return useSingleMutation({
    mutationFn: async (input: { customer: string; month: string; version: number; format: ReportFormat }) =>
      unwrap(
        await api.GET("/api/v1/reports/{customer}/{month}/versions/{version}/download", {
          params: {
            path: { customer: input.customer, month: input.month, version: input.version },
            query: { format: input.format },
          },
        }),
      ),
  });
}

/** Builds a new version now (answered when stored); the month's lists are stale after. */
export function useBuildReport() {
  const qc = useQueryClient();
  return useSingleMutation({
    mutationFn: async (body: BuildRequest) => unwrap(await api.POST("/api/v1/reports", { body })),
    onSuccess: (v) => {
      void qc.invalidateQueries({ queryKey: reportKeys.months(v.customer) });
      void qc.invalidateQueries({ queryKey: reportKeys.versions(v.customer, v.month) });
      void qc.invalidateQueries({ queryKey: reportKeys.portfolio(v.month) });
    },
  });
}
