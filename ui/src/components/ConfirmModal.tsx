import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import ErrorAlert from "./ErrorAlert";
import { useReturnFocus } from "./useReturnFocus";

/** Asks before an action that cannot be undone; the API's refusal is shown inside. */
export default function ConfirmModal({
  header,
  children,
  confirmText,
  keepText,
  busy,
  error,
  errorHeader,
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
  onConfirm: () => void;
  onClose: () => void;
}) {
  useReturnFocus();
  return (
    <Modal
      visible
      onDismiss={onClose}
      closeAriaLabel="Close"
      header={header}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onClose}>
              {keepText}
            </Button>
            <Button variant="primary" loading={busy} onClick={onConfirm}>
              {confirmText}
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        <Box>{children}</Box>
        {error ? <ErrorAlert error={error} header={errorHeader} /> : null}
      </SpaceBetween>
    </Modal>
  );
}
