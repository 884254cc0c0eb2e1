import Box from "@cloudscape-design/components/box";
import SpaceBetween from "@cloudscape-design/components/space-between";
import ErrorAlert from "./ErrorAlert";
import FormModal from "./FormModal";

/**
 * Asks before an action that cannot be undone; the API's refusal is shown inside (with `hint`, what
 * to do about it). The dialog, its footer and focus return are FormModal's.
 */
export default function ConfirmModal({
  header,
  children,
  confirmText,
  keepText,
  busy,
  error,
  errorHeader,
  hint,
  onConfirm,
  onClose,
}: {
  header: string;
  children: React.ReactNode;
  confirmText: string;
  keepText: string;
  busy: boolean;
  error?: unknown;
  errorHeader?: string;
  /** Shown under the API's refusal: what to do next. */
  hint?: React.ReactNode;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <FormModal
      header={header}
      onClose={onClose}
      onSubmit={onConfirm}
      submitText={confirmText}
      submitting={busy}
      cancelText={keepText}
    >
      <SpaceBetween size="m">
        <Box>{children}</Box>
        {error ? <ErrorAlert error={error} header={errorHeader} /> : null}
        {error && hint ? <Box>{hint}</Box> : null}
      </SpaceBetween>
    </FormModal>
  );
}
