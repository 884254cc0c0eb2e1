import type { InfiniteData } from "@tanstack/react-query";
import { useMemo } from "react";

/**
 * The items of every page an infinite list query has loaded so far, in order, as one array (kept
 * the same array until another page arrives, so tables do not re-render for nothing).
 */
export function usePagedItems<T>(data: InfiniteData<{ items: T[] }, unknown> | undefined): T[] {
  return useMemo(() => data?.pages.flatMap((p) => p.items) ?? [], [data]);
}
