import { useRevoke } from "../api/breakglass";
import ReasonModal from "../components/ReasonModal";

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
  const revoke = useRevoke();
  return (
    <ReasonModal
      header={`Revoke access to ${label}`}
      warning="The grant ends now and its AWS sessions stop working, credentials already handed out included."
      placeholder="e.g. Incident resolved, access no longer needed"
      missing="Say why the access ends early."
      submitText="Revoke now"
      keepText="Keep access"
      errorHeader="The API refused the revoke"
      pending={revoke.isPending}
      error={revoke.error}
      onSubmit={(reason) =>
        revoke.mutate(
          { id: requestId, reason },
          {
            onSuccess: () => {
              onRevoked?.();
              onClose();
            },
          },
        )
      }
      onClose={onClose}
    />
  );
}
