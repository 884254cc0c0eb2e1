import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import FileUpload from "@cloudscape-design/components/file-upload";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useEffect, useRef, useState } from "react";
import { useImport, type ImportSummary } from "../api/billing";
import ErrorAlert from "../components/ErrorAlert";
import NoValue from "../components/NoValue";
import { useAttemptError } from "../components/useAttemptError";
import { checkExportFiles, formatMoney } from "../lib/billing";
import { count } from "../lib/plural";
import { fileUploadStrings } from "../lib/fileUpload";

/**
 * Imports a FOCUS or CUR export (CSV, plain or gzip, up to 4 MiB in all) for this customer (admin):
 * one file, or every part of one export (`…-00001.csv.gz`, `…-00002.csv.gz`), listed as chosen and
 * sent together in one request, where the API sums them before storing.
 */
export default function ImportSection({ code }: { code: string }) {
  const [files, setFiles] = useState<File[]>([]);
  const [tried, setTried] = useState(false);
  const upload = useImport(code);
  const [shownError, edited] = useAttemptError(upload.error);
  const resultRef = useRef<HTMLDivElement>(null);
  const problem = checkExportFiles(files);
  // "Choose a file" only once Import was tried; the others (too big, twice, empty) at once.
  const fieldError = files.length ? problem : tried ? problem : undefined;
  // The summary or the refusal takes focus once it is there.
  useEffect(() => {
    if (upload.isSuccess || upload.isError) resultRef.current?.focus();
  }, [upload.isSuccess, upload.isError, upload.data, upload.error]);

  const submit = () => {
    setTried(true);
    if (problem) return;
    upload.mutate(files);
  };

  return (
    <Container
      header={
        <Header
          variant="h2"
          description="A FOCUS 1.0+ or Cost and Usage Report export, CSV (plain or gzip). Every file is checked first: a bad row stores nothing. An import replaces this customer's imported costs of each month it has (fetched costs stay)."
        >
          Import a cost export
        </Header>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <SpaceBetween size="m">
          <FormField
            label="Export files"
            description="One file, or every part of one export: the parts are summed before storing (imported one at a time, each part would replace the last one's month)."
            constraintText="At most 4 MiB in all; larger exports: cc billing import."
            errorText={fieldError}
          >
            <FileUpload
              multiple
              value={files}
              accept=".csv,.gz,text/csv,application/gzip"
              showFileSize
              tokenLimit={10}
              onChange={({ detail }) => {
                edited();
                upload.reset();
                setFiles(detail.value);
              }}
              i18nStrings={fileUploadStrings}
            />
          </FormField>
          <Box>
            <Button variant="primary" formAction="submit" loading={upload.isPending} disabled={!files.length && tried}>
              {files.length > 1 ? `Import ${files.length} files` : "Import"}
            </Button>
          </Box>
          <div ref={resultRef} tabIndex={-1} style={{ outline: "none" }}>
            {shownError ? <ErrorAlert error={shownError} header="Not imported: nothing was stored" /> : null}
            {upload.isSuccess ? <Summary summary={upload.data} /> : null}
          </div>
        </SpaceBetween>
      </form>
    </Container>
  );
}

function Summary({ summary: s }: { summary: ImportSummary }) {
  const skipped = s.skipped.reduce((n, k) => n + k.rows, 0);
  return (
    <SpaceBetween size="s">
      <Box variant="h3" tagOverride="h3">
        <span role="status">
          Imported: {s.cells_written.toLocaleString()} daily {s.cells_written === 1 ? "cell" : "cells"} written
        </span>
      </Box>
      <KeyValuePairs
        columns={4}
        items={[
          { label: "Format", value: `${s.format === "focus" ? "FOCUS" : "Cost and Usage Report"} (${s.amount_column})` },
          {
            label: (s.files?.length ?? 0) > 1 ? `Files (${s.files!.length}), summed` : "File",
            value: s.files?.length ? (
              <SpaceBetween size="xxxs">
                {s.files.map((f, i) => (
                  <span key={`${i}/${f.name}`} style={{ overflowWrap: "anywhere" }}>
                    {f.name || "The request body"}: {count(f.rows_read, "row")}
                  </span>
                ))}
              </SpaceBetween>
            ) : (
              <NoValue label="No file named" />
            ),
          },
          { label: "Rows read", value: s.rows_read.toLocaleString() },
          {
            label: "Rows skipped",
            value: skipped ? s.skipped.map((k) => `${k.rows} (${k.reason.replace(/_/g, " ")})`).join(", ") : <NoValue label="No rows skipped" />,
          },
          { label: "Days", value: s.first_day && s.last_day ? `${s.first_day} – ${s.last_day}` : <NoValue label="No days" /> },
          {
            label: "Months replaced",
            value: s.months_replaced?.length
              ? `${s.months_replaced.join(", ")} (${(s.cells_removed ?? 0).toLocaleString()} earlier imported ${s.cells_removed === 1 ? "cell" : "cells"} removed)`
              : <NoValue label="No months replaced" />,
          },
          { label: "Accounts", value: String(s.accounts.length) },
          { label: "Services", value: String(s.services.length) },
          {
            label: "Totals",
            value: s.totals.length ? s.totals.map((t) => formatMoney(t.amount, t.currency)).join(", ") : <NoValue label="No totals" />,
          },
          { label: "Anomalies raised", value: String(s.anomalies_raised ?? 0) },
        ]}
      />
      {s.accounts_not_in_hub.length ? (
        <Alert type="info" header="Accounts that are not this customer's in the hub">
          <span style={{ overflowWrap: "anywhere" }}>{s.accounts_not_in_hub.join(", ")}</span>: their costs are stored all the
          same. A wrong customer, or accounts still to be added to the hub.
        </Alert>
      ) : null}
    </SpaceBetween>
  );
}
