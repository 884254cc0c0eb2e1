import Alert from "@cloudscape-design/components/alert";
import Button from "@cloudscape-design/components/button";
import { useEffect, useRef, useState } from "react";
import { errorText } from "../api/errors";
import { CONFLICT_MESSAGE, isConflict } from "../lib/admin";
import ErrorAlert from "./ErrorAlert";

/**
 * What a failed save shows: on a version conflict, "Changed by someone else — reload" with a Reload
 * button (refetches; the page stays where it is); otherwise the API's message and the field it names.
 */
export default function SaveError({ error, onReload }: { error: unknown; onReload: () => Promise<unknown> }) {
  const ref = useRef<HTMLDivElement>(null);
  // The alert sits above a long form whose Save button is at the bottom: bring it into view and focus.
  useEffect(() => {
    if (!error || !ref.current) return;
    ref.current.scrollIntoView({ block: "center" });
    ref.current.focus({ preventScroll: true });
  }, [error]);
  if (!error) return null;
  return (
    <div ref={ref} tabIndex={-1} style={{ outline: "none" }}>
      {isConflict(error) ? (
        <Conflict error={error} onReload={onReload} />
      ) : (
        <ErrorAlert header="Not saved" error={error} />
      )}
    </div>
  );
}

function Conflict({ error, onReload }: { error: unknown; onReload: () => Promise<unknown> }) {
  const [reloading, setReloading] = useState(false);
  return (
    <Alert
      type="warning"
      header={CONFLICT_MESSAGE}
      action={
        <Button
          // Not a submit: the alert sits inside the form whose save failed, and a Cloudscape
          // button in a form submits it unless told otherwise (the stale save again).
          formAction="none"
          loading={reloading}
          onClick={async () => {
            setReloading(true);
            try {
              await onReload();
            } finally {
              setReloading(false);
            }
          }}
        >
          Reload
        </Button>
      }
    >
      Your changes were not saved ({errorText(error)}). Reload to see the latest version, then make your change again.
    </Alert>
  );
}
