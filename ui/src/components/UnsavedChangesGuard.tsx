import { useEffect } from "react";
import { useBlocker } from "react-router-dom";
import ConfirmModal from "./ConfirmModal";
import { discardAllUnsaved, leavesUnsaved, onBeforeUnload } from "./unsaved";

/** Asks before leaving a page (in the app, or by reload/close) while a form on it has unsaved changes. */
export default function UnsavedChangesGuard() {
  const blocker = useBlocker(({ currentLocation, nextLocation }) => leavesUnsaved(currentLocation, nextLocation));
  useEffect(() => {
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, []);
  if (blocker.state !== "blocked") return null;
  return (
    <ConfirmModal
      header="Leave without saving?"
      confirmText="Leave without saving"
      keepText="Stay on this page"
      busy={false}
      onConfirm={() => {
        discardAllUnsaved();
        blocker.proceed();
      }}
      onClose={() => blocker.reset()}
    >
      Your changes on this page are not saved. Leave, and they are lost; stay, and you can save them.
    </ConfirmModal>
  );
}
