import Alert from "@cloudscape-design/components/alert";
import FormField from "@cloudscape-design/components/form-field";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Textarea from "@cloudscape-design/components/textarea";
import { useState } from "react";
import ErrorAlert from "./ErrorAlert";
import FormModal from "./FormModal";
import { useFocusFirstError } from "./useFocusFirstError";
import { useAttemptError } from "./useAttemptError";

/**
 * A dialog that ends access with a required reason (revoke one grant; end all access to an account or
 * customer): a warning, the reason, the API's refusal. Unsaved while a reason is typed.
 */
export default function ReasonModal({
  header,
  warning,
  placeholder,
  missing,
  submitText,
  keepText,
  errorHeader,
  pending,
  error,
  onSubmit,
  onClose,
}: {
  header: string;
  warning: React.ReactNode;
  placeholder: string;
  /** Said under the field when no reason is given. */
  missing: string;
  submitText: string;
  keepText: string;
  errorHeader: string;
  pending: boolean;
  error: unknown;
  onSubmit: (reason: string) => void;
  onClose: () => void;
}) {
  const [reason, setReason] = useState("");
  const [shownError, edited] = useAttemptError(error);
  const [tried, setTried] = useState(false);
  const [formRef, invalidSubmit] = useFocusFirstError<HTMLFormElement>();
  const submit = () => {
    setTried(true);
    if (!reason.trim()) {
      invalidSubmit();
      return;
    }
    onSubmit(reason.trim());
  };
  return (
    <FormModal
      header={header}
      onClose={onClose}
      onSubmit={submit}
      submitText={submitText}
      submitting={pending}
      cancelText={keepText}
      dirty={!!reason.trim()}
      formRef={formRef}
    >
      <SpaceBetween size="m">
        <Alert type="warning">{warning}</Alert>
        <FormField label="Reason" errorText={tried && !reason.trim() ? missing : undefined}>
          <Textarea
            value={reason}
            onChange={({ detail }) => {
              edited();
              setReason(detail.value);
            }}
            placeholder={placeholder}
            ariaRequired
            autoFocus
            rows={3}
          />
        </FormField>
        {shownError ? <ErrorAlert error={shownError} header={errorHeader} /> : null}
      </SpaceBetween>
    </FormModal>
  );
}
