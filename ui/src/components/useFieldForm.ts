import { useState } from "react";
import { type FieldErrors, withoutField } from "../lib/admin";

/**
 * A form's values and its field errors. `set` changes one value, drops that field's error (the person
 * is fixing it) and calls `onEdit` first (the edit forms clear their "Saved." line there). The
 * account, contact, customer and approval-policy forms each kept the same two states and setter.
 */
export function useFieldForm<V extends object>(initial: V | (() => V), onEdit?: () => void) {
  const [values, setValues] = useState<V>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = <K extends keyof V>(k: K, value: V[K]) => {
    onEdit?.();
    setValues((old) => ({ ...old, [k]: value }));
    setErrors((e) => withoutField(e, k as string));
  };
  return { values, errors, setErrors, set };
}
