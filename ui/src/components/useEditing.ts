import { useState } from "react";

/**
 * Which row of an admin table an add/edit dialog is open for: none, a new one, or an existing one by
 * id. The item is looked up in the table's current items, so the dialog gets the latest copy after a
 * refetch and is not shown for an item that has gone; `key` changes with the item's version, so a
 * Reload after a conflict remounts the dialog with the saved values. The accounts and contacts tabs
 * kept this state and lookup the same way.
 */
export function useEditing<T extends { id: string; version?: number | null }>(items: readonly T[] | undefined) {
  const [editing, setEditing] = useState<{ kind: "create" } | { kind: "update"; id: string } | null>(null);
  const current = editing?.kind === "update" ? items?.find((x) => x.id === editing.id) : undefined;
  return {
    /** Whether to show the dialog: adding, or editing an item that is still there. */
    open: !!editing && (editing.kind === "create" || !!current),
    /** The item being edited (undefined when adding). */
    current,
    key: current ? `${current.id}@${current.version ?? 0}` : "new",
    create: () => setEditing({ kind: "create" }),
    edit: (id: string) => setEditing({ kind: "update", id }),
    close: () => setEditing(null),
  };
}
