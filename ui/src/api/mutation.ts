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
 * the dialog still open) is covered too: a `mutate` with the same variables (shallowly: the same
 * file, the same customer) within `DOUBLE_CLICK_MS` of the last one is the same click. Every
 * mutation hook in src/api uses this; its buttons still show `loading={m.isPending}`.
 */
export function useSingleMutation<TData = unknown, TError = DefaultError, TVariables = void, TContext = unknown>(
  options: UseMutationOptions<TData, TError, TVariables, TContext>,
): UseMutationResult<TData, TError, TVariables, TContext> {
  const busy = useRef(false);
  const last = useRef<{ at: number; variables: TVariables }>();
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
      if (busy.current) return;
      if (last.current && now - last.current.at < DOUBLE_CLICK_MS && sameVariables(last.current.variables, variables)) return;
      busy.current = true;
      last.current = { at: now, variables };
      inner(variables, opts);
    },
    [inner],
  );
  return { ...m, mutate } as UseMutationResult<TData, TError, TVariables, TContext>;
}

/** The same call: equal values, or objects whose own values are the same (`{ file, skipExisting }`). */
function sameVariables(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  // Only plain objects are compared by their values: two Files have no own keys, yet differ.
  if (!isPlain(a) || !isPlain(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function isPlain(v: unknown): v is Record<string, unknown> {
  if (!v || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
