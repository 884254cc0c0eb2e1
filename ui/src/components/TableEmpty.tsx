import Box from "@cloudscape-design/components/box";
import ErrorAlert from "./ErrorAlert";

/**
 * A table's `empty` slot for a list that comes from the API: a failed load leaves the table empty
 * too, so it shows the API's error with Retry there; otherwise the children say there is nothing yet.
 */
export default function TableEmpty({
  query,
  children,
}: {
  query: { isError: boolean; error: unknown; refetch: () => unknown };
  children: React.ReactNode;
}) {
  return query.isError ? (
    <ErrorAlert error={query.error} onRetry={() => query.refetch()} />
  ) : (
    <Box textAlign="center" color="text-body-secondary">
      {children}
    </Box>
  );
}
