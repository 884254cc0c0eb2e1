import Alert from "@cloudscape-design/components/alert";
import Button from "@cloudscape-design/components/button";
import { describeError } from "../api/errors";

/** An API error as a person reads it: the server's message, the field it names, and Retry when it may help. */
export default function ErrorAlert({
  error,
  onRetry,
  header,
}: {
  error: unknown;
  onRetry?: () => void;
  header?: string;
}) {
  const shown = describeError(error);
  return (
    <Alert
      type="error"
      header={header ?? shown.title}
      action={
        onRetry && shown.retryable ? <Button onClick={onRetry}>Retry</Button> : undefined
      }
    >
      {shown.message}
      {shown.field ? ` (field: ${shown.field})` : null}
    </Alert>
  );
}
