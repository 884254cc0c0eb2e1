import Box from "@cloudscape-design/components/box";
import Button, { type ButtonProps } from "@cloudscape-design/components/button";
import Modal, { type ModalProps } from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useEffect, useRef, useState, type RefObject } from "react";
import { useUnsavedChanges } from "./unsaved";
import { useReturnFocus } from "./useReturnFocus";

/**
 * A dialog whose body is one form: the primary button (or the form's own submit: Enter in a lone
 * text field) submits, the link button (or Escape, or the close icon) closes without saving. Every
 * add/edit/decide/revoke dialog had the same footer and form wiring; `actions` adds buttons before
 * Cancel (Delete, say). When it closes, focus returns to what opened it; `formRef` (from
 * `useFocusFirstError`) lets an invalid submit move focus to the first field with an error.
 * With `dirty` (changes not saved), closing asks first ("Discard changes?" in the footer), and
 * leaving the page asks too (see `unsaved.ts`).
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
  dirty = false,
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
  /** The fields differ from what the dialog opened with: closing asks first. */
  dirty?: boolean;
  children: React.ReactNode;
}) {
  useReturnFocus();
  useUnsavedChanges(dirty);
  const [asking, setAsking] = useState(false);
  const keepRef = useRef<ButtonProps.Ref>(null);
  const cancelRef = useRef<ButtonProps.Ref>(null);
  const asked = useRef(false);
  // Into the question when it is asked; back to Cancel when it is answered "keep editing" (the
  // question's buttons are gone, and focus must stay inside the dialog for Escape to work).
  useEffect(() => {
    if (asking) keepRef.current?.focus();
    else if (asked.current) cancelRef.current?.focus();
    asked.current = asking;
  }, [asking]);
  const close = () => {
    if (asking) setAsking(false);
    else if (dirty) setAsking(true);
    else onClose();
  };
  return (
    <Modal
      visible
      size={size}
      onDismiss={close}
      closeAriaLabel="Close"
      header={header}
      footer={
        asking ? (
          <SpaceBetween direction="horizontal" size="xs" alignItems="center">
            <Box variant="span" fontWeight="bold">
              <span role="alert">Discard your changes?</span>
            </Box>
            <Box float="right">
              <SpaceBetween direction="horizontal" size="xs">
                <Button ref={keepRef} variant="link" onClick={() => setAsking(false)}>
                  Keep editing
                </Button>
                <Button variant="primary" onClick={onClose}>
                  Discard changes
                </Button>
              </SpaceBetween>
            </Box>
          </SpaceBetween>
        ) : (
          <Box float="right">
            <SpaceBetween direction="horizontal" size="xs">
              {actions}
              <Button ref={cancelRef} variant="link" onClick={close}>
                {cancelText}
              </Button>
              <Button variant="primary" loading={submitting} onClick={onSubmit}>
                {submitText}
              </Button>
            </SpaceBetween>
          </Box>
        )
      }
    >
      <form
        ref={formRef}
        onSubmit={(event) => {
          event.preventDefault();
          // Enter while the request is in flight: the button shows loading, so does Enter.
          if (!submitting) onSubmit();
        }}
      >
        {children}
      </form>
    </Modal>
  );
}
