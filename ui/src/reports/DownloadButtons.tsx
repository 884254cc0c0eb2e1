import Button from "@cloudscape-design/components/button";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useState } from "react";
import { useDownloadLink, type ReportVersion } from "../api/reports";
import ErrorAlert from "../components/ErrorAlert";
import { downloadFormats, formatLabel } from "../lib/reports";

/**
 * One button per output the version lists (PDF, HTML, JSON: whichever it has). A click asks the API
 * for a short-lived link and follows it as a download; the link is never kept (it expires).
 */
export default function DownloadButtons({ version }: { version: ReportVersion }) {
  const link = useDownloadLink();
  const [pending, setPending] = useState<string>();
  const sizes = new Map(version.outputs.map((o) => [o.format, o.size]));
  return (
    <SpaceBetween size="xs">
      <SpaceBetween direction="horizontal" size="xs">
        {downloadFormats(version).map((format) => (
          <Button
            key={format}
            iconName="download"
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
            {formatLabel(format, sizes.get(format))}
          </Button>
        ))}
      </SpaceBetween>
      {link.isError ? <ErrorAlert header="Not downloaded" error={link.error} /> : null}
    </SpaceBetween>
  );
}
