import { useCallback, useEffect, useRef, useState, type RefObject } from "react";

/** The first control marked invalid (Cloudscape sets `aria-invalid` on controls of a FormField with an error). */
export function firstInvalid(container: ParentNode | null | undefined): HTMLElement | null {
  return container?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? null;
}

/**
 * After a submit that found errors, moves focus to the first field with an error once the errors
 * are on screen. Call the returned function from the submit handler when the form is invalid.
 */
export function useFocusFirstError<T extends HTMLElement>(): [RefObject<T>, () => void] {
  const ref = useRef<T>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!attempt) return;
    firstInvalid(ref.current)?.focus();
  }, [attempt]);
  const invalidSubmit = useCallback(() => setAttempt((n) => n + 1), []);
  return [ref, invalidSubmit];
}
