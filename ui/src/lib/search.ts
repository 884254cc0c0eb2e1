// Selects fed by a server search: what to offer while the person types. Options may only come
// from the answer to the text now in the box; until that answer is in, the list is empty and says
// it is loading, so Enter (or a click) can never pick a result of an earlier, shorter text.

/** How the search text becomes the query (what the query key holds). */
export function searchKey(text: string): string {
  return text.trim().slice(0, 200);
}

export interface SearchResult<T> {
  data?: readonly T[];
  /** TanStack Query's `isPlaceholderData`: the data shown belongs to another (older) query. */
  isPlaceholderData: boolean;
  isError: boolean;
}

export interface FreshOptions<T> {
  items: T[];
  status: "loading" | "error" | "finished";
}

/**
 * The options to offer for `typed` (the text in the box now), given the query that ran for
 * `settled` (the debounced text) and its result. Anything not answering `typed` is withheld.
 */
export function freshOptions<T>(typed: string, settled: string, result: SearchResult<T>): FreshOptions<T> {
  if (searchKey(typed) !== searchKey(settled)) return { items: [], status: "loading" };
  if (result.isError) return { items: [], status: "error" };
  if (result.isPlaceholderData || !result.data) return { items: [], status: "loading" };
  return { items: [...result.data], status: "finished" };
}
