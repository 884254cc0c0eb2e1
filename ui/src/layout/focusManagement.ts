// Keyboard focus rules for every form and dialog in the app, installed once by the layout:
// - after a submit that leaves fields with errors, focus moves to the first of them;
// - when a dialog closes (Escape, Close, Cancel or done) and focus would fall to the page body,
//   it returns to what had it before the dialog opened (the button that opened it).
// Components may do the same themselves (useFocusFirstError, useReturnFocus); this covers the rest.
import { firstInvalid } from "../components/useFocusFirstError";

const inDialog = (el: Element | null) => !!el?.closest('[role="dialog"], [aria-modal="true"]');

export function installFocusManagement(doc: Document = document): () => void {
  let lastOutside: HTMLElement | null = null;
  let dialogOpener: HTMLElement | null = null;

  const onFocusIn = (event: FocusEvent) => {
    const target = event.target instanceof HTMLElement ? event.target : null;
    if (!target) return;
    if (inDialog(target)) {
      // Focus entered a dialog: remember who opened it (the last focus outside any dialog).
      if (!dialogOpener) dialogOpener = lastOutside;
    } else {
      lastOutside = target;
      dialogOpener = null;
    }
  };

  const observer = new MutationObserver(() => {
    if (!dialogOpener) return;
    const active = doc.activeElement;
    const dialogStillOpen = !!doc.querySelector('[role="dialog"][aria-modal="true"], [aria-modal="true"]');
    if ((active === null || active === doc.body) && !dialogStillOpen) {
      const opener = dialogOpener;
      dialogOpener = null;
      if (opener.isConnected) opener.focus();
    }
  });

  const onSubmit = (event: Event) => {
    const form = event.target instanceof HTMLFormElement ? event.target : null;
    if (!form) return;
    // After React has rendered the errors the submit produced.
    setTimeout(() => {
      const invalid = firstInvalid(form);
      if (invalid && !invalid.contains(doc.activeElement)) invalid.focus();
    }, 0);
  };

  doc.addEventListener("focusin", onFocusIn);
  doc.addEventListener("submit", onSubmit, true);
  observer.observe(doc.body, { childList: true, subtree: true });
  return () => {
    doc.removeEventListener("focusin", onFocusIn);
    doc.removeEventListener("submit", onSubmit, true);
    observer.disconnect();
  };
}
