import Button from "@cloudscape-design/components/button";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import { useState } from "react";
import { useDownloadLink, type ReportVersion } from "../api/reports";
import ErrorAlert from "../components/ErrorAlert";
import { downloadFormats, failedFormats, formatLabel, renderingFormats } from "../lib/reports";

/**
 * One button per output the version lists (PDF, HTML, JSON: whichever it has). A click asks the API
 * for a short-lived link and follows it as a download; the link is never kept (it expires). An output
 * still being rendered after the build (the PDF in AWS) says so, as does one whose rendering failed.
 * `compact`: links stacked in a table cell (the format alone), rather than buttons with the size in a row.
 */
export default function DownloadButtons({ version, compact = false }: { version: ReportVersion; compact?: boolean }) {
  const link = useDownloadLink();
  const [pending, setPending] = useState<string>();
  const sizes = new Map(version.outputs.map((o) => [o.format, o.size]));
  return (
    <SpaceBetween size="xs">
      <SpaceBetween direction={compact ? "vertical" : "horizontal"} size={compact ? "xxxs" : "xs"}>
        {downloadFormats(version).map((format) => (
          <Button
            key={format}
            iconName="download"
            variant={compact ? "inline-link" : "normal"}
            loading={link.isPending && pending === format}
            ariaLabel={`Download version ${version.version} as ${format.toUpperCase()}`}
            onClick={() => {
              setPending(format);
              link.mutate(
                { customer: version.customer, month: version.month, version: version.version, format },
                {
                  onSuccess: (l) => {
                    const a = document.createElement("a");
                    a.href = l.url;
                    a.download = `${version.customer}-${version.month}-v${version.version}.${format}`;
                    a.rel = "noopener";
                    document.body.appendChild(a);
                    a.click();
                    a.remove();
                  },
                },
              );
            }}
          >
            <span style={{ whiteSpace: "nowrap" }}>{formatLabel(format, compact ? undefined : sizes.get(format))}</span>
          </Button>
        ))}
        {renderingFormats(version).map((format) => (
          <StatusIndicator key={format} type="in-progress">
            {format.toUpperCase()} being rendered
          </StatusIndicator>
        ))}
        {failedFormats(version).map(({ format, error }) => (
          <StatusIndicator key={format} type="error">
            <span title={error}>{format.toUpperCase()} not rendered: rebuild to try again</span>
          </StatusIndicator>
        ))}
      </SpaceBetween>
      {link.isError ? <ErrorAlert header="Not downloaded" error={link.error} /> : null}
    </SpaceBetween>
  );
}
