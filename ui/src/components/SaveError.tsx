import Alert from "@cloudscape-design/components/alert";
import Button from "@cloudscape-design/components/button";
import { useState } from "react";
import { errorText } from "../api/errors";
import { CONFLICT_MESSAGE, isConflict } from "../lib/admin";
import ErrorAlert from "./ErrorAlert";

/**
 * What a failed save shows: on a version conflict, "Changed by someone else — reload" with a Reload
 * button (refetches; the page stays where it is); otherwise the API's message and the field it names.
 */
export default function SaveError({ error, onReload }: { error: unknown; onReload: () => Promise<unknown> }) {
  const [reloading, setReloading] = useState(false);
  if (!error) return null;
  if (isConflict(error)) {
    return (
      <Alert
        type="warning"
        header={CONFLICT_MESSAGE}
        action={
          <Button
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
        Your changes were not saved: {errorText(error)}. Reload to see the latest version, then make your change again.
      </Alert>
    );
  }
  return <ErrorAlert header="Not saved" error={error} />;
}
