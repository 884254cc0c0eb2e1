import { useState } from "react";
import { type FieldErrors, withoutField } from "../lib/admin";
import { differs } from "./unsaved";

/**
 * A form's values and its field errors. `set` changes one value, drops that field's error (the person
 * is fixing it) and calls `onEdit` first (the edit forms clear their "Saved." line there). The
 * account, contact, customer and approval-policy forms each kept the same two states and setter.
 * `dirty` says whether anything differs from the start (a form keyed by version starts again after a
 * save, so it is clean then).
 */
export function useFieldForm<V extends object>(initial: V | (() => V), onEdit?: () => void) {
  const [start] = useState<V>(initial);
  const [values, setValues] = useState<V>(start);
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = <K extends keyof V>(k: K, value: V[K]) => {
    onEdit?.();
    setValues((old) => ({ ...old, [k]: value }));
    setErrors((e) => withoutField(e, k as string));
  };
  /** The values differ from what the form started with (for the unsaved-changes guard). */
  const dirty = differs(values, start);
  return { values, errors, setErrors, set, dirty };
}
