import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Modal, { type ModalProps } from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import type { RefObject } from "react";
import { useReturnFocus } from "./useReturnFocus";

/**
 * A dialog whose body is one form: the primary button (or the form's own submit: Enter in a lone
 * text field) submits, the link button (or Escape, or the close icon) closes without saving. Every
 * add/edit/decide/revoke dialog had the same footer and form wiring; `actions` adds buttons before
 * Cancel (Delete, say). When it closes, focus returns to what opened it; `formRef` (from
 * `useFocusFirstError`) lets an invalid submit move focus to the first field with an error.
 */
export default function FormModal({
  header,
  size,
  onClose,
  onSubmit,
  submitText,
  submitting,
  cancelText = "Cancel",
  actions,
  formRef,
  children,
}: {
  header: string;
  size?: ModalProps.Size;
  onClose: () => void;
  onSubmit: () => void;
  submitText: string;
  submitting: boolean;
  cancelText?: string;
  actions?: React.ReactNode;
  formRef?: RefObject<HTMLFormElement>;
  children: React.ReactNode;
}) {
  useReturnFocus();
  return (
    <Modal
      visible
      size={size}
      onDismiss={onClose}
      closeAriaLabel="Close"
      header={header}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            {actions}
            <Button variant="link" onClick={onClose}>
              {cancelText}
            </Button>
            <Button variant="primary" loading={submitting} onClick={onSubmit}>
              {submitText}
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <form
        ref={formRef}
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit();
        }}
      >
        {children}
      </form>
    </Modal>
  );
}
