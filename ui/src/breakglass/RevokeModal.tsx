import Alert from "@cloudscape-design/components/alert";
import FormField from "@cloudscape-design/components/form-field";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Textarea from "@cloudscape-design/components/textarea";
import { useState } from "react";
import { useRevoke } from "../api/breakglass";
import ErrorAlert from "../components/ErrorAlert";
import FormModal from "../components/FormModal";
import { useFocusFirstError } from "../components/useFocusFirstError";

/** Ends an active grant early, with a reason (kept in the request's history and the audit log). */
export default function RevokeModal({
  requestId,
  label,
  onClose,
  onRevoked,
}: {
  requestId: string;
  label: string;
  onClose: () => void;
  onRevoked?: () => void;
}) {
  const [reason, setReason] = useState("");
  const [tried, setTried] = useState(false);
  const [formRef, invalidSubmit] = useFocusFirstError<HTMLFormElement>();
  const revoke = useRevoke();
  const reasonError = tried && !reason.trim() ? "Say why the access ends early." : undefined;
  const submit = () => {
    setTried(true);
    if (!reason.trim()) {
      invalidSubmit();
      return;
    }
    revoke.mutate(
      { id: requestId, reason: reason.trim() },
      {
        onSuccess: () => {
          onRevoked?.();
          onClose();
        },
      },
    );
  };
  return (
    <FormModal
      header={`Revoke access to ${label}`}
      onClose={onClose}
      onSubmit={submit}
      submitText="Revoke now"
      submitting={revoke.isPending}
      cancelText="Keep access"
      dirty={!!reason.trim()}
      formRef={formRef}
    >
      <SpaceBetween size="m">
        <Alert type="warning">
          The grant ends now and its AWS sessions stop working, credentials already handed out included.
        </Alert>
        <FormField label="Reason" errorText={reasonError}>
          <Textarea
            value={reason}
            onChange={({ detail }) => setReason(detail.value)}
            placeholder="e.g. Incident resolved, access no longer needed"
            ariaRequired
            autoFocus
            rows={3}
          />
        </FormField>
        {revoke.isError ? <ErrorAlert error={revoke.error} header="The API refused the revoke" /> : null}
      </SpaceBetween>
    </FormModal>
  );
}
