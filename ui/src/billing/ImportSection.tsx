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
import { useAttemptError } from "../components/useAttemptError";
import { formatMoney } from "../lib/billing";
import { fileUploadStrings } from "../lib/fileUpload";

const MAX_BYTES = 4 * 1024 * 1024;

/** Imports a FOCUS or CUR export (CSV, plain or gzip, up to 4 MiB) for this customer (admin). */
export default function ImportSection({ code }: { code: string }) {
  const [files, setFiles] = useState<File[]>([]);
  const [tried, setTried] = useState(false);
  const upload = useImport(code);
  const [shownError, edited] = useAttemptError(upload.error);
  const resultRef = useRef<HTMLDivElement>(null);
  const file = files[0];
  const tooBig = file && file.size > MAX_BYTES;
  const fieldError = tried && !file ? "Choose a file." : tooBig ? "Larger than 4 MiB: import it with `cc billing import`." : undefined;
  // The summary or the refusal takes focus once it is there.
  useEffect(() => {
    if (upload.isSuccess || upload.isError) resultRef.current?.focus();
  }, [upload.isSuccess, upload.isError, upload.data, upload.error]);

  const submit = () => {
    setTried(true);
    if (!file || tooBig) return;
    upload.mutate(file);
  };

  return (
    <Container
      header={
        <Header
          variant="h2"
          description="A FOCUS 1.0+ or Cost and Usage Report export, CSV (plain or gzip). The whole file is checked first: a bad row stores nothing. It replaces this customer's imported costs of each month it has (fetched costs stay)."
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
          <FormField label="Export file" constraintText="At most 4 MiB; larger files: cc billing import." errorText={fieldError}>
            <FileUpload
              value={files}
              accept=".csv,.gz,text/csv,application/gzip"
              showFileSize
              onChange={({ detail }) => {
                edited();
                upload.reset();
                setFiles(detail.value);
              }}
              i18nStrings={fileUploadStrings}
            />
          </FormField>
          <Box>
            <Button variant="primary" formAction="submit" loading={upload.isPending} disabled={!file && tried}>
              Import
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
          { label: "Rows read", value: s.rows_read.toLocaleString() },
          {
            label: "Rows skipped",
            value: skipped ? s.skipped.map((k) => `${k.rows} (${k.reason.replace(/_/g, " ")})`).join(", ") : "None",
          },
          { label: "Days", value: s.first_day && s.last_day ? `${s.first_day} – ${s.last_day}` : "—" },
          {
            label: "Months replaced",
            value: s.months_replaced?.length
              ? `${s.months_replaced.join(", ")} (${(s.cells_removed ?? 0).toLocaleString()} earlier imported ${s.cells_removed === 1 ? "cell" : "cells"} removed)`
              : "—",
          },
          { label: "Accounts", value: String(s.accounts.length) },
          { label: "Services", value: String(s.services.length) },
          { label: "Totals", value: s.totals.map((t) => formatMoney(t.amount, t.currency)).join(", ") || "—" },
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
