import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Textarea from "@cloudscape-design/components/textarea";
import { useDeferredValue, useMemo, useState } from "react";
import { useBuildReport, type ReportVersion } from "../api/reports";
import ErrorAlert from "../components/ErrorAlert";
import FormModal from "../components/FormModal";
import { leaveOnPurpose } from "../components/unsaved";
import { apiFieldErrors, type FieldErrors } from "../lib/admin";
import { checkBuildMonth, checkReason, checkSummary, closedMonths, lastClosedMonth, monthName, SUMMARY_MAX } from "../lib/reports";
import { renderSummary } from "./markdown";
import "./preview.css";

const FIELDS = ["month", "summary", "reason"] as const;

/** Today in UTC (`YYYY-MM-DD`): months close at midnight UTC, as the API counts them. */
function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * Build a new version of a closed month's report: the month, why, and the team's summary in
 * markdown with a live preview (rendered in the browser and sanitised, see `markdown.ts`). The
 * summary starts as the month's newest version's. Checked here as the API checks (a month that has
 * ended, at most 20,000 characters, a one-line reason); the API's own refusals show under the field
 * they name, or above the form.
 */
export default function BuildModal({
  customer,
  name,
  month: initialMonth,
  latestSummary,
  onClose,
  onBuilt,
}: {
  customer: string;
  name: string;
  month?: string;
  latestSummary: (month: string) => string;
  onClose: () => void;
  onBuilt: (v: ReportVersion) => void;
}) {
  const today = todayUtc();
  const months = closedMonths(today);
  const [month, setMonth] = useState(initialMonth && months.includes(initialMonth) ? initialMonth : lastClosedMonth(today));
  const startSummary = useMemo(() => latestSummary(month), []); // eslint-disable-line react-hooks/exhaustive-deps
  const [summary, setSummary] = useState(startSummary);
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const build = useBuildReport();
  const deferred = useDeferredValue(summary);
  const preview = useMemo(() => renderSummary(deferred), [deferred]);
  const length = [...summary].length;
  const current = today.slice(0, 7);
  const options = [
    { value: current, label: monthName(current), description: "Not ended yet", disabled: true },
    ...months.map((m) => ({ value: m, label: monthName(m), description: m })),
  ];

  // A field's error (ours or the API's) is about what it held: editing the field clears it.
  const forget = (field: string) =>
    setErrors((now) => {
      if (!(field in now)) return now;
      const { [field]: _gone, ...rest } = now;
      return rest;
    });

  const submit = () => {
    const found: FieldErrors = {};
    const m = checkBuildMonth(month, today);
    if (m) found.month = m;
    const s = checkSummary(summary);
    if (s) found.summary = s;
    const r = checkReason(reason);
    if (r) found.reason = r;
    setErrors(found);
    if (Object.keys(found).length) return;
    build.mutate(
      { customer, month, summary, reason: reason.trim() || undefined },
      {
        onSuccess: (v) => {
          // Built: the page then shows the new version (a change of address), which is no leaving
          // of unsaved changes: what was typed is saved in the version.
          leaveOnPurpose();
          onBuilt(v);
        },
        onError: (err) => setErrors(apiFieldErrors(err, FIELDS)),
      },
    );
  };
  const apiError = build.isError && !Object.keys(apiFieldErrors(build.error, FIELDS)).length ? build.error : undefined;

  return (
    <FormModal
      header={`Build a new version of ${name}'s report`}
      size="max"
      submitText="Build version"
      submitting={build.isPending}
      onClose={onClose}
      onSubmit={submit}
      dirty={summary !== startSummary || reason !== ""}
    >
      <SpaceBetween size="l">
        {apiError ? <ErrorAlert header="Not built" error={apiError} /> : null}
        <ColumnLayout columns={2}>
          <FormField label="Month" description="A month that has ended (UTC). Earlier versions of it are kept." errorText={errors.month}>
            <Select
              selectedOption={options.find((o) => o.value === month) ?? null}
              options={options}
              onChange={({ detail }) => {
                setMonth(detail.selectedOption.value ?? month);
                forget("month");
              }}
            />
          </FormField>
          <FormField label="Why" description="One line, shown with the version (default: on demand)." errorText={errors.reason}>
            <Input value={reason} onChange={({ detail }) => {
                setReason(detail.value);
                forget("reason");
              }} placeholder="Added the month's summary" />
          </FormField>
        </ColumnLayout>
        <ColumnLayout columns={2}>
          <FormField
            label="Summary (markdown)"
            description="The team's words at the top of the report. Headings, lists, bold, links and tables; HTML and images are removed."
            constraintText={`${length.toLocaleString("en-GB")} of ${SUMMARY_MAX.toLocaleString("en-GB")} characters. Empty: no summary.`}
            errorText={errors.summary}
            stretch
          >
            <Textarea value={summary} rows={18} onChange={({ detail }) => {
                setSummary(detail.value);
                forget("summary");
              }} spellcheck />
          </FormField>
          <FormField label="Preview" description="Rendered here and sanitised; the report renders it the same way on the server." stretch>
            {deferred.trim() ? (
              <div
                role="region"
                aria-label="Summary preview"
                className="cc-summary-preview"
                style={{ border: "1px solid #d1d5db", borderRadius: 8, padding: "4px 16px", minHeight: 300, maxHeight: 460, overflow: "auto" }}
                dangerouslySetInnerHTML={{ __html: preview }}
              />
            ) : (
              <Box color="text-body-secondary" padding={{ top: "s" }}>
                No summary: the report is built without one.
              </Box>
            )}
          </FormField>
        </ColumnLayout>
      </SpaceBetween>
    </FormModal>
  );
}
