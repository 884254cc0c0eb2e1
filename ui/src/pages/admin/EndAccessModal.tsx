import { useEndAccess } from "../../api/admin";
import ReasonModal from "../../components/ReasonModal";

/**
 * Ends every open breakglass request and grant on one account, or on all of a customer's accounts
 * (`POST .../end-access`, admin): grants are revoked (their sessions cut), requests not yet active
 * cancelled, each with the reason given here.
 */
export default function EndAccessModal({
  target,
  label,
  onClose,
  onEnded,
}: {
  target: { account: string } | { customer: string };
  label: string;
  onClose: () => void;
  onEnded: (ended: number) => void;
}) {
  const end = useEndAccess();
  return (
    <ReasonModal
      header={`End all breakglass access to ${label}`}
      warning={`Every active grant ${"customer" in target ? "on its accounts " : ""}is revoked now and its AWS sessions stop working; requests not active yet are cancelled. The people who asked see your reason.`}
      placeholder="e.g. The account leaves the hub"
      missing="Say why the access ends (kept on each request and in the audit log)."
      submitText="End access now"
      keepText="Keep access"
      errorHeader="The API refused to end the access"
      pending={end.isPending}
      error={end.error}
      onSubmit={(reason) => end.mutate({ target, reason }, { onSuccess: (ended) => onEnded(ended) })}
      onClose={onClose}
    />
  );
}
