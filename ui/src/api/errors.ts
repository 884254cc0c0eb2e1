// API errors as the UI shows them. The server answers `{"error": {"code", "message", "field"?}}`;
// anything else (a proxy's HTML page, a network failure) still becomes a sentence a person can act on.

/** One problem with one row of a bulk input (`error.errors` of a 400; row 0: the input as a whole). */
export interface RowProblem {
  row: number;
  field?: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  /** A bulk input's problems, each with its row and field (empty otherwise). */
  readonly rows: RowProblem[];

  constructor(status: number, code: string, message: string, field?: string, rows: RowProblem[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field ?? undefined;
    this.rows = rows;
  }
}

interface ErrorBodyLike {
  error?: { code?: unknown; message?: unknown; field?: unknown; errors?: unknown };
}

function rowProblems(errors: unknown): RowProblem[] {
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((e: { row?: unknown; field?: unknown; message?: unknown } | null) =>
    e && typeof e.row === "number" && typeof e.message === "string"
      ? [{ row: e.row, message: e.message, ...(typeof e.field === "string" && e.field ? { field: e.field } : {}) }]
      : [],
  );
}

/** Builds an ApiError from a response status and its (possibly non-JSON) body. */
export function toApiError(status: number, body: unknown): ApiError {
  const detail = (body as ErrorBodyLike | null)?.error;
  const code = typeof detail?.code === "string" ? detail.code : fallbackCode(status);
  const field = typeof detail?.field === "string" && detail.field ? detail.field : undefined;
  const message =
    typeof detail?.message === "string" && detail.message.trim()
      ? detail.message
      : fallbackMessage(status);
  return new ApiError(status, code, message, field, rowProblems(detail?.errors));
}

function fallbackCode(status: number): string {
  if (status === 401) return "unauthenticated";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "internal";
  return "bad_request";
}

function fallbackMessage(status: number): string {
  if (status === 401) return "Your session has ended. Sign in again.";
  if (status === 403) return "You do not have permission to see this.";
  if (status === 404) return "This was not found.";
  if (status === 409) return "Someone else changed this meanwhile. Reload and try again.";
  if (status === 429) return "Too many requests. Wait a moment and try again.";
  if (status >= 500) return `Customer Central had a problem (HTTP ${status}). Try again.`;
  return `The request was refused (HTTP ${status}).`;
}

export interface ShownError {
  /** Short heading for an alert. */
  title: string;
  /** The sentence to show. */
  message: string;
  /** The request field the error names, if any. */
  field?: string;
  /** Whether trying again may help (offer a Retry button). */
  retryable: boolean;
}

/** What the UI shows for any thrown value. */
export function describeError(err: unknown): ShownError {
  if (err instanceof ApiError) {
    const retryable = err.status >= 500 || err.status === 429 || err.status === 0;
    const title =
      err.status === 401
        ? "Signed out"
        : err.status === 403
          ? "Not allowed"
          : err.status === 404
            ? "Not found"
            : err.status >= 500
              ? "Server error"
              : "Request refused";
    return { title, message: err.message, field: err.field, retryable };
  }
  if (err instanceof TypeError) {
    // fetch rejects with a TypeError when the server cannot be reached.
    return {
      title: "Cannot reach Customer Central",
      message: "The API did not answer. Check your connection and try again.",
      retryable: true,
    };
  }
  const message = err instanceof Error && err.message ? err.message : "Something went wrong.";
  return { title: "Something went wrong", message, retryable: true };
}

/** One line: the message, and the field when the server names one. */
export function errorText(err: unknown): string {
  const shown = describeError(err);
  return shown.field ? `${shown.message} (field: ${shown.field})` : shown.message;
}

/**
 * A thrown value's own message, as it is (an Error's message, else the value as text). For the
 * sign-in pages, which show what the identity provider's library threw, not an API error.
 */
export function thrownMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Whether the API refused an action on a request or grant because it is no longer in the state the
 * page showed (revoked, ended or decided elsewhere): a 409, or a message saying it is not active.
 * The page's sessions and requests are stale then, and are fetched again at once.
 */
export function saysStale(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  return err.status === 409 || /\bnot active\b|\bis ended\b|\bhas ended\b/i.test(err.message);
}
