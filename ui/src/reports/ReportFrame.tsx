import Box from "@cloudscape-design/components/box";
import { useReportPage } from "../api/reports";
import ErrorAlert from "../components/ErrorAlert";

/**
 * A version's page inline: fetched with the session's token (a frame's `src` could not send it) and
 * shown with `srcdoc` in a frame sandboxed with no permissions: no scripts, no forms, no popups,
 * and an opaque origin (it cannot read this app's storage or call the API). The page is
 * self-contained (inline style and SVG), so it needs nothing else.
 */
export default function ReportFrame({ customer, month, version, title }: { customer: string; month: string; version: number; title: string }) {
  const page = useReportPage(customer, month, version);
  if (page.isPending) return <Box color="text-body-secondary">Loading the report…</Box>;
  if (page.isError) return <ErrorAlert error={page.error} onRetry={() => page.refetch()} />;
  return (
    <iframe
      title={title}
      sandbox=""
      referrerPolicy="no-referrer"
      srcDoc={page.data}
      style={{ width: "100%", height: "75vh", minHeight: 480, border: "1px solid #d1d5db", borderRadius: 8, background: "#fff" }}
    />
  );
}
