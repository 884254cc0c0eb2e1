import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Checkbox from "@cloudscape-design/components/checkbox";
import FileUpload from "@cloudscape-design/components/file-upload";
import FormField from "@cloudscape-design/components/form-field";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useEffect, useRef, useState } from "react";
import { useImportAccounts, type BulkOutcome, type SkippedAccount } from "../../api/admin";
import { ApiError, type RowProblem } from "../../api/errors";
import ErrorAlert from "../../components/ErrorAlert";
import FormModal from "../../components/FormModal";
import { useAttemptError } from "../../components/useAttemptError";
import { importHeadline, rowLabel, skippedMatching, skippedToReview, skipText } from "../../lib/accountImport";
import { fileUploadStrings } from "../../lib/fileUpload";

const MAX_BYTES = 4 * 1024 * 1024;

/**
 * Imports many accounts from a JSON or CSV file (admin): choose the file, say whether accounts
 * already in the hub are skipped, import; then what was created and skipped, or the rows at fault.
 * The result takes focus once it is there; the dialog stays open so the same file can be sent
 * again (say with "skip" after a partial run).
 */
export default function ImportAccountsModal({ onClose }: { onClose: () => void }) {
  const [files, setFiles] = useState<File[]>([]);
  const [skipExisting, setSkipExisting] = useState(false);
  const [tried, setTried] = useState(false);
  const upload = useImportAccounts();
  const [shownError, edited] = useAttemptError(upload.error);
  const resultRef = useRef<HTMLDivElement>(null);
  const file = files[0];
  const tooBig = file && file.size > MAX_BYTES;
  const fieldError = tried && !file ? "Choose a file." : tooBig ? "Larger than 4 MiB: split it into files under 4 MiB." : undefined;
  useEffect(() => {
    if (upload.isSuccess || upload.isError) resultRef.current?.focus();
  }, [upload.isSuccess, upload.isError, upload.data, upload.error]);

  const submit = () => {
    setTried(true);
    if (!file || tooBig) return;
    upload.mutate({ file, skipExisting });
  };

  return (
    <FormModal
      size="large"
      header="Import accounts"
      onClose={onClose}
      onSubmit={submit}
      submitText="Import"
      submitting={upload.isPending}
      cancelText={upload.isSuccess ? "Close" : "Cancel"}
    >
      <SpaceBetween size="m">
        <Box variant="p">
          A JSON file (<Box variant="code">{'{"accounts": [...]}'}</Box>) or a CSV file with a header row naming the fields (
          <Box variant="code">id,customer,name,environment,region,access.method,...</Box>), up to 10,000 accounts of any
          customers. The whole file is checked first: a bad row writes nothing.
        </Box>
        <FormField label="Accounts file" constraintText="JSON or CSV, at most 4 MiB." errorText={fieldError}>
          <FileUpload
            value={files}
            accept=".csv,.json,text/csv,application/json"
            showFileSize
            onChange={({ detail }) => {
              edited();
              upload.reset();
              setFiles(detail.value);
            }}
            i18nStrings={fileUploadStrings}
          />
        </FormField>
        <FormField
          label="Accounts already in the hub"
          description="To finish an import that stopped part-way. Skipped accounts are never changed; the result says which differ from the file."
        >
          <Checkbox
            checked={skipExisting}
            onChange={({ detail }) => {
              edited();
              upload.reset();
              setSkipExisting(detail.checked);
            }}
          >
            Skip accounts already in the hub
          </Checkbox>
        </FormField>
        <div ref={resultRef} tabIndex={-1} style={{ outline: "none" }} aria-label="Import result">
          {shownError ? <ImportProblems error={shownError} /> : null}
          {upload.isSuccess ? <ImportResult outcome={upload.data} /> : null}
        </div>
      </SpaceBetween>
    </FormModal>
  );
}

/** What an import did: counts, the skipped rows that need a look, how many matched. */
export function ImportResult({ outcome }: { outcome: BulkOutcome }) {
  const review = skippedToReview(outcome);
  const matching = skippedMatching(outcome);
  return (
    <SpaceBetween size="s">
      <Alert type={review.length ? "warning" : "success"} header={<span role="status">Imported: {importHeadline(outcome)}</span>}>
        {matching ? `${matching.toLocaleString()} skipped ${matching === 1 ? "account is" : "accounts are"} already in the hub as in the file. ` : null}
        {review.some((s) => s.matches === false)
          ? "The import never changes an account the hub has: edit those that differ if the file is right."
          : null}
      </Alert>
      <KeyValuePairs
        columns={3}
        items={[
          { label: "Created", value: outcome.created.toLocaleString() },
          { label: "Skipped", value: outcome.skipped.length.toLocaleString() },
          { label: "Transactions", value: outcome.transactions.toLocaleString() },
        ]}
      />
      {review.length ? (
        <Table<SkippedAccount>
          variant="embedded"
          wrapLines
          trackBy="row"
          items={review}
          ariaLabels={{ tableLabel: "Skipped accounts to review" }}
          header={<Box variant="h3" tagOverride="h3">Skipped accounts to review</Box>}
          columnDefinitions={[
            { id: "row", header: "Row", cell: (s) => s.row },
            { id: "id", header: "Account id", isRowHeader: true, cell: (s) => <Box variant="code">{s.id}</Box> },
            { id: "why", header: "Why", cell: (s) => skipText(s) },
          ]}
        />
      ) : null}
    </SpaceBetween>
  );
}

/** Why an import was refused: each row's problem in a table (a 400), or the error as it is. */
export function ImportProblems({ error }: { error: unknown }) {
  const rows = error instanceof ApiError && error.status === 400 ? error.rows : [];
  if (!rows.length) return <ErrorAlert error={error} header="Not imported: nothing was written" />;
  return (
    <SpaceBetween size="s">
      <Alert type="error" header={<span role="alert">Not imported: nothing was written</span>}>
        {(error as ApiError).message}
        {rows.some((r) => r.field === "id" && /already in the hub/.test(r.message))
          ? ". To leave accounts already in the hub out, tick “Skip accounts already in the hub” and import again."
          : null}
      </Alert>
      <Table<RowProblem & { key: number }>
        variant="embedded"
        wrapLines
        trackBy="key"
        items={rows.map((r, key) => ({ ...r, key }))}
        ariaLabels={{ tableLabel: "Problems by row" }}
        header={<Box variant="h3" tagOverride="h3">Problems by row</Box>}
        columnDefinitions={[
          { id: "row", header: "Row", isRowHeader: true, cell: (r) => rowLabel(r.row) },
          { id: "field", header: "Field", cell: (r) => (r.field ? <Box variant="code">{r.field}</Box> : "—") },
          { id: "message", header: "Message", cell: (r) => r.message },
        ]}
      />
    </SpaceBetween>
  );
}
