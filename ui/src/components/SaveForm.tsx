import Button from "@cloudscape-design/components/button";
import Form from "@cloudscape-design/components/form";
import SpaceBetween from "@cloudscape-design/components/space-between";
import SaveError from "./SaveError";
import { useUnsavedChanges } from "./unsaved";

/**
 * An admin edit form: Enter or the Save button submits; a status line says when it saved; a failed
 * save shows [`SaveError`] (a version conflict with Reload, or the API's message) above the fields;
 * with `dirty`, leaving the page asks first.
 */
export default function SaveForm({
  onSubmit,
  saveText,
  savedText,
  saved,
  saving,
  error,
  onReload,
  dirty = false,
  children,
}: {
  onSubmit: () => void;
  saveText: string;
  savedText: string;
  saved: boolean;
  saving: boolean;
  error: unknown;
  onReload: () => Promise<unknown>;
  /** Changes not saved yet: leaving the page asks first. */
  dirty?: boolean;
  children: React.ReactNode;
}) {
  useUnsavedChanges(dirty);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!saving) onSubmit();
      }}
    >
      <Form
        actions={
          <SpaceBetween direction="horizontal" size="xs" alignItems="center">
            <span role="status">{saved ? savedText : ""}</span>
            <Button variant="primary" formAction="submit" loading={saving}>
              {saveText}
            </Button>
          </SpaceBetween>
        }
      >
        <SpaceBetween size="l">
          <SaveError error={error} onReload={onReload} />
          {children}
        </SpaceBetween>
      </Form>
    </form>
  );
}
