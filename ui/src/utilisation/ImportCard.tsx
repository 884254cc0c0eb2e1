import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import FileUpload from "@cloudscape-design/components/file-upload";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useEffect, useRef, useState } from "react";
import { ApiError, type RowProblem } from "../api/errors";
import { useUtilisationImport, type ImportKind, type ImportOutcome } from "../api/utilisation";
import ErrorAlert from "../components/ErrorAlert";
import NoValue from "../components/NoValue";
import { useAttemptError } from "../components/useAttemptError";
import { fileUploadStrings } from "../lib/fileUpload";
import { count } from "../lib/plural";
import { csvPlace } from "../lib/utilisation";

const MAX_BYTES = 4 * 1024 * 1024;

const COPY: Record<ImportKind, { title: string; columns: string; description: string }> = {
  contracts: {
    title: "Import contracts",
    columns: "contract, customer, start, end, entitled_hours; optional name, monthly_allocation, status",
    description: "A contract already kept is updated and its entitlement change recorded. Every customer must exist.",
  },
  worklogs: {
    title: "Import worklogs",
    columns: "date, person, task_code, hours; optional note, id",
    description: "Hours more than 0 and at most 24. Importing the same file again replaces the same worklogs.",
  },
};

/** One CSV import (admin): the file, then what was written, or the row and column the API refused. */
export default function ImportCard({ kind }: { kind: ImportKind }) {
  const copy = COPY[kind];
  const [files, setFiles] = useState<File[]>([]);
  const [tried, setTried] = useState(false);
  const upload = useUtilisationImport(kind);
  const [shownError, edited] = useAttemptError(upload.error);
  const resultRef = useRef<HTMLDivElement>(null);
  const file = files[0];
  const tooBig = file && file.size > MAX_BYTES;
  const fieldError = tried && !file ? "Choose a file." : tooBig ? "Larger than 4 MiB: split the file." : undefined;
  useEffect(() => {
    if (upload.isSuccess || upload.isError) resultRef.current?.focus();
  }, [upload.isSuccess, upload.isError, upload.data, upload.error]);
  const rows: RowProblem[] = shownError instanceof ApiError ? shownError.rows : [];

  return (
    <Container
      header={
        <Header variant="h2" description={`${copy.description} The whole file is checked first: a bad row stores nothing.`}>
          {copy.title}
        </Header>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setTried(true);
          if (!file || tooBig) return;
          upload.mutate(file);
        }}
      >
        <SpaceBetween size="m">
          <FormField
            label={kind === "contracts" ? "Contracts CSV" : "Worklogs CSV"}
            description={`A header row with ${copy.columns} (any order and case). Dates YYYY-MM-DD, decimal hours.`}
            constraintText="At most 4 MiB."
            errorText={fieldError}
          >
            <FileUpload
              value={files}
              accept=".csv,text/csv"
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
            <Button variant="primary" formAction="submit" loading={upload.isPending} ariaLabel={copy.title}>
              Import
            </Button>
          </Box>
          <div ref={resultRef} tabIndex={-1} style={{ outline: "none" }}>
            {shownError ? (
              <SpaceBetween size="s">
                <ErrorAlert error={shownError} header="Not imported: nothing was stored" />
                {rows.length ? (
                  <SpaceBetween size="xxs">
                  <Box variant="small" color="text-body-secondary">
                    Rows are counted after the header: row 1 is the first row of data.
                  </Box>
                  <Table<RowProblem>
                    variant="embedded"
                    wrapLines
                    items={rows}
                    trackBy={(p) => `${p.row}/${p.field ?? ""}/${p.message}`}
                    ariaLabels={{ tableLabel: "Problems by row and column" }}
                    columnDefinitions={[
                      { id: "row", header: "Row", cell: (p) => csvPlace(p.row), isRowHeader: true, width: 120 },
                      { id: "field", header: "Column", cell: (p) => p.field ?? <NoValue label="No column" />, width: 160 },
                      { id: "message", header: "Problem", cell: (p) => p.message },
                    ]}
                  />
                  </SpaceBetween>
                ) : null}
              </SpaceBetween>
            ) : null}
            {upload.isSuccess ? <Outcome outcome={upload.data} /> : null}
          </div>
        </SpaceBetween>
      </form>
    </Container>
  );
}

function Outcome({ outcome: o }: { outcome: ImportOutcome }) {
  const c = o.contracts;
  return (
    <SpaceBetween size="s">
      <Box variant="h3" tagOverride="h3">
        <span role="status">
          Imported {count(o.rows, "row")}
          {o.worklogs !== null && o.worklogs !== undefined ? `: ${count(o.worklogs, "worklog")} written` : ""}
          {c ? `: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged` : ""}
        </span>
      </Box>
      {c ? (
        <KeyValuePairs
          columns={4}
          items={[
            { label: "Created", value: c.created.toLocaleString() },
            { label: "Updated", value: c.updated.toLocaleString() },
            { label: "Unchanged", value: c.unchanged.toLocaleString() },
            { label: "Entitlement changes recorded", value: c.changes.toLocaleString() },
          ]}
        />
      ) : null}
    </SpaceBetween>
  );
}
