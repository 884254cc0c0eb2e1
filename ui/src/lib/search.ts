// Lists fed by a server search (the account and customer selects, the quick switcher): what to offer
// while the person types. Results may only come from the answer to the text now in the box; until
// that answer is in, the list is empty and says it is loading, so Enter (or a click) can never pick a
// result of an earlier, shorter text.

/**
 * How the search text becomes the query: trimmed and cut at 200 characters, as the API reads `q`.
 * Every search's query key holds this, so two texts alike in their first 200 characters are one
 * query, answered once (and the answer counts as fresh for both).
 */
export function searchKey(text: string): string {
  return text.trim().slice(0, 200);
}

/**
 * Whether a search text has something to search for: a letter or digit. The API splits queries at
 * everything else (`%`, `-`, spaces): the quick find refuses a query with none, and the lists would
 * match everything, so every search here treats such a text as matching nothing.
 */
export function searchable(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

/** What a search box says when its text has no letter or digit. */
export const NOT_SEARCHABLE = "Type a letter or digit to search for.";

export interface SearchResult<D> {
  data?: D;
  /** TanStack Query's `isPlaceholderData`: the data shown belongs to another (older) query. */
  isPlaceholderData: boolean;
  isError: boolean;
}

export type SearchStatus = "loading" | "error" | "finished";

/**
 * The answer for `typed` (the text in the box now), given the query that ran for `settled` (the
 * debounced text) and its result: its data only when it answers `typed`, else none and why.
 */
export function freshResult<D>(typed: string, settled: string, result: SearchResult<D>): { data?: D; status: SearchStatus } {
  if (searchKey(typed) !== searchKey(settled)) return { status: "loading" };
  if (result.isError) return { status: "error" };
  if (result.isPlaceholderData || result.data === undefined) return { status: "loading" };
  return { data: result.data, status: "finished" };
}

export interface FreshOptions<T> {
  items: T[];
  status: SearchStatus;
}

/** `freshResult` for a list of options: the options to offer for `typed`, none while they would be stale. */
export function freshOptions<T>(typed: string, settled: string, result: SearchResult<readonly T[]>): FreshOptions<T> {
  const fresh = freshResult(typed, settled, result);
  return { items: fresh.data ? [...fresh.data] : [], status: fresh.status };
}
