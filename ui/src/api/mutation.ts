import {
  type DefaultError,
  type MutateOptions,
  useMutation,
  type UseMutationOptions,
  type UseMutationResult,
} from "@tanstack/react-query";
import { useCallback, useRef } from "react";

/** Two calls closer than this are one double click (browsers' default double-click time is 500 ms). */
export const DOUBLE_CLICK_MS = 500;

/**
 * `useMutation`, one request at a time: a `mutate` while the previous one is still in flight is
 * dropped. `isPending` (and so the button's `loading`) only turns true once React renders again,
 * after TanStack Query's notify tick: a double click lands both clicks before that, and sent the
 * request twice (Import accounts then showed "already in the hub" over its own success). A request
 * answered faster than a double click (the second click then finds the button enabled again, and
 * the dialog still open) is covered too: a `mutate` within `DOUBLE_CLICK_MS` of the last one is the
 * same click. Every mutation hook in src/api uses this; its buttons still show `loading={m.isPending}`.
 */
export function useSingleMutation<TData = unknown, TError = DefaultError, TVariables = void, TContext = unknown>(
  options: UseMutationOptions<TData, TError, TVariables, TContext>,
): UseMutationResult<TData, TError, TVariables, TContext> {
  const busy = useRef(false);
  const lastStart = useRef(Number.NEGATIVE_INFINITY);
  const m = useMutation<TData, TError, TVariables, TContext>({
    ...options,
    onSettled: (...args) => {
      busy.current = false;
      return options.onSettled?.(...args);
    },
  });
  const { mutate: inner } = m;
  const mutate = useCallback(
    (variables: TVariables, opts?: MutateOptions<TData, TError, TVariables, TContext>) => {
      const now = Date.now();
      if (busy.current || now - lastStart.current < DOUBLE_CLICK_MS) return;
      busy.current = true;
      lastStart.current = now;
      inner(variables, opts);
    },
    [inner],
  );
  return { ...m, mutate } as UseMutationResult<TData, TError, TVariables, TContext>;
}
