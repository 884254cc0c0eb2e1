import {
  type DefaultError,
  type MutateOptions,
  useMutation,
  type UseMutationOptions,
  type UseMutationResult,
} from "@tanstack/react-query";
import { useCallback, useRef } from "react";

/**
 * `useMutation`, one request at a time: a `mutate` while the previous one is still in flight is
 * dropped. `isPending` (and so the button's `loading`) only turns true once React renders again,
 * after TanStack Query's notify tick: a double click lands both clicks before that, and sent the
 * request twice (Import accounts then showed "already in the hub" over its own success). Every
 * mutation hook in src/api uses this; its buttons still show `loading={m.isPending}`.
 */
export function useSingleMutation<TData = unknown, TError = DefaultError, TVariables = void, TContext = unknown>(
  options: UseMutationOptions<TData, TError, TVariables, TContext>,
): UseMutationResult<TData, TError, TVariables, TContext> {
  const busy = useRef(false);
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
      if (busy.current) return;
      busy.current = true;
      inner(variables, opts);
    },
    [inner],
  );
  return { ...m, mutate } as UseMutationResult<TData, TError, TVariables, TContext>;
}
