import { useCallback, useState } from "react";

/**
 * A server error belongs to the attempt that caused it: once the person edits the fields, it no
 * longer describes what is in them. Returns the error to show (none after an edit, until the next
 * attempt fails with a new error object) and `edited`, to call on every edit. Every form dialog
 * shows its mutation's error through this.
 */
export function useAttemptError(error: unknown): [shown: unknown, edited: () => void] {
  const [dismissed, setDismissed] = useState<unknown>(null);
  const edited = useCallback(() => setDismissed(error), [error]);
  return [error && error !== dismissed ? error : null, edited];
}
