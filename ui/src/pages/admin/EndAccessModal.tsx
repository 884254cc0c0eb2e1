import Alert from "@cloudscape-design/components/alert";
import FormField from "@cloudscape-design/components/form-field";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Textarea from "@cloudscape-design/components/textarea";
import { useState } from "react";
import { useEndAccess } from "../../api/admin";
import ErrorAlert from "../../components/ErrorAlert";
import FormModal from "../../components/FormModal";
import { useFocusFirstError } from "../../components/useFocusFirstError";

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
  const [reason, setReason] = useState("");
  const [tried, setTried] = useState(false);
  const [formRef, invalidSubmit] = useFocusFirstError<HTMLFormElement>();
  const end = useEndAccess();
  const reasonError = tried && !reason.trim() ? "Say why the access ends (kept on each request and in the audit log)." : undefined;
  const submit = () => {
    setTried(true);
    if (!reason.trim()) {
      invalidSubmit();
      return;
    }
    end.mutate({ target, reason: reason.trim() }, { onSuccess: (ended) => onEnded(ended) });
  };
  return (
    <FormModal
      header={`End all breakglass access to ${label}`}
      onClose={onClose}
      onSubmit={submit}
      submitText="End access now"
      submitting={end.isPending}
      cancelText="Keep access"
      dirty={!!reason.trim()}
      formRef={formRef}
    >
      <SpaceBetween size="m">
        <Alert type="warning">
          Every active grant {"customer" in target ? "on its accounts " : ""}is revoked now and its AWS sessions stop working;
          requests not active yet are cancelled. The people who asked see your reason.
        </Alert>
        <FormField label="Reason" errorText={reasonError}>
          <Textarea
            value={reason}
            onChange={({ detail }) => setReason(detail.value)}
            placeholder="e.g. The account leaves the hub"
            ariaRequired
            autoFocus
            rows={3}
          />
        </FormField>
        {end.isError ? <ErrorAlert error={end.error} header="The API refused to end the access" /> : null}
      </SpaceBetween>
    </FormModal>
  );
}
