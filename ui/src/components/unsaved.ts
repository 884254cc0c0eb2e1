// Unsaved edits: every form or dialog with changes registers itself here while it has them; the
// layout's guard (UnsavedChangesGuard) asks before an in-app navigation leaves them (react-router's
// blocker) and the browser asks before a reload or closing the tab (`beforeunload`).
import { useCallback, useEffect, useRef, useState } from "react";

const dirtyForms = new Set<symbol>();
// Set by `saved()` for the navigation a save triggers itself (to what it created, say): that
// navigation leaves on purpose, whatever else on the page (the dialog around the form) registered.
let leavingOnPurpose = false;

/** Lets the navigation started in this task through without asking (cleared on the next task). */
export function leaveOnPurpose(): void {
  leavingOnPurpose = true;
  setTimeout(() => {
    leavingOnPurpose = false;
  }, 0);
}

/** Whether any form on the page has changes not saved. */
export function anyUnsaved(): boolean {
  return dirtyForms.size > 0;
}

/** Forgets every form's changes: the person chose to leave without saving. */
export function discardAllUnsaved(): void {
  dirtyForms.clear();
}

/**
 * Whether a navigation from `current` to `next` would leave the forms on the page: a different
 * path or query (a tab of the admin customer page is its `?tab=`), while some form has changes.
 */
export function leavesUnsaved(
  current: { pathname: string; search: string },
  next: { pathname: string; search: string },
  unsaved = anyUnsaved() && !leavingOnPurpose,
): boolean {
  return unsaved && (current.pathname !== next.pathname || current.search !== next.search);
}

/** The `beforeunload` handler: asks the browser to confirm a reload or close while changes are unsaved. */
export function onBeforeUnload(event: Pick<BeforeUnloadEvent, "preventDefault"> & { returnValue?: unknown }): void {
  if (!anyUnsaved()) return;
  event.preventDefault();
  // Chromium before 119 and Safari want returnValue set as well.
  event.returnValue = "";
}

/**
 * Registers this form's changes while `dirty`. Returns `saved()`: call it just before leaving on
 * purpose after a save (e.g. navigating to what was created), so that navigation is not asked about
 * (nor for the dialog or form wrapped around this one, which registers its own changes).
 */
export function useUnsavedChanges(dirty: boolean): () => void {
  const [id] = useState(() => Symbol("form"));
  const released = useRef(false);
  useEffect(() => {
    if (dirty && !released.current) dirtyForms.add(id);
    else dirtyForms.delete(id);
    return () => {
      dirtyForms.delete(id);
    };
  }, [dirty, id]);
  return useCallback(() => {
    released.current = true;
    dirtyForms.delete(id);
    leaveOnPurpose();
  }, [id]);
}

/** Whether form values differ from what the form started with (plain data: compared as JSON). */
export function differs<V>(values: V, initial: V): boolean {
  return JSON.stringify(values) !== JSON.stringify(initial);
}
