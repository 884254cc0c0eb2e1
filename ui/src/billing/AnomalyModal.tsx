import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import FormField from "@cloudscape-design/components/form-field";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Textarea from "@cloudscape-design/components/textarea";
import { useState } from "react";
import { useMoveAnomaly, type StoredAnomaly } from "../api/billing";
import { ApiError } from "../api/errors";
import ErrorAlert from "../components/ErrorAlert";
import FormModal from "../components/FormModal";
import { useAttemptError } from "../components/useAttemptError";
import { useFocusFirstError } from "../components/useFocusFirstError";
import { CONFLICT_MESSAGE, isConflict } from "../lib/admin";
import { checkNote, formatMoney, KIND_LABEL, NOTE_MAX } from "../lib/billing";

export type AnomalyAction = "acknowledge" | "resolve";

/** What an anomaly is called in sentences: `Step up in Amazon EC2 (100000096475)`. */
export function anomalyLabel(a: StoredAnomaly): string {
  return `${KIND_LABEL[a.finding.kind]} in ${a.service} (${a.account})`;
}

/**
 * A row's Acknowledge / Resolve button as a screen reader names it: with the anomaly's first day,
 * as two anomalies of one kind, service and account (a spike in March, another in May) would
 * otherwise give two buttons of the same name.
 */
export function anomalyButtonLabel(verb: "Acknowledge" | "Resolve", a: StoredAnomaly): string {
  return `${verb} ${anomalyLabel(a)} from ${a.finding.first_day}`;
}

/**
 * Acknowledge (someone is looking at it; note optional) or resolve (note required: the monthly report
 * shows it). A stale version says so with a Reload (the lists are fetched again); a move the
 * lifecycle does not allow shows the API's message.
 */
export default function AnomalyModal({
  anomaly,
  action,
  onDone,
  onClose,
}: {
  anomaly: StoredAnomaly;
  action: AnomalyAction;
  onDone: (message: string) => void;
  onClose: () => void;
}) {
  const move = useMoveAnomaly();
  const [note, setNote] = useState("");
  const [tried, setTried] = useState(false);
  const [shownError, edited] = useAttemptError(move.error);
  const [formRef, invalidSubmit] = useFocusFirstError<HTMLFormElement>();
  const resolve = action === "resolve";
  const noteError = tried ? checkNote(note, resolve) : undefined;
  const label = anomalyLabel(anomaly);

  const submit = () => {
    setTried(true);
    if (checkNote(note, resolve)) {
      invalidSubmit();
      return;
    }
    move.mutate(
      { anomaly, to: action, note: note.trim() },
      { onSuccess: () => onDone(`${resolve ? "Resolved" : "Acknowledged"}: ${label} at ${anomaly.customer}.`) },
    );
  };

  return (
    <FormModal
      header={resolve ? "Resolve the anomaly" : "Acknowledge the anomaly"}
      onClose={onClose}
      onSubmit={submit}
      submitText={resolve ? "Resolve" : "Acknowledge"}
      submitting={move.isPending}
      dirty={!!note.trim()}
      formRef={formRef}
    >
      <SpaceBetween size="m">
        <KeyValuePairs
          columns={2}
          items={[
            { label: "Anomaly", value: `${label} at ${anomaly.customer}` },
            {
              label: "Impact so far",
              value: formatMoney(anomaly.finding.impact, anomaly.currency),
            },
          ]}
        />
        <Box color="text-body-secondary">
          {resolve
            ? "Resolving closes it: say what was done about it (the monthly report shows this note)."
            : "Acknowledging tells everyone someone is looking at it. It stays on the lists until it is resolved."}
        </Box>
        <FormField
          label={resolve ? "Note" : "Note (optional)"}
          constraintText={`At most ${NOTE_MAX} characters.`}
          errorText={noteError}
        >
          <Textarea
            value={note}
            onChange={({ detail }) => {
              edited();
              setNote(detail.value);
            }}
            placeholder={resolve ? "What was done: e.g. the test cluster was stopped." : "e.g. Asked the customer about the new instances."}
            ariaRequired={resolve}
            autoFocus
            rows={3}
          />
        </FormField>
        {shownError ? (
          isConflict(shownError) ? (
            <Alert
              type="warning"
              header={CONFLICT_MESSAGE}
              action={<Button onClick={onClose}>Reload</Button>}
            >
              Someone acknowledged or resolved this anomaly meanwhile, so it was not changed. The lists have been
              fetched again: Reload closes this dialog to show the anomaly as it is now.
            </Alert>
          ) : (
            <>
              <ErrorAlert error={shownError} header={resolve ? "Not resolved" : "Not acknowledged"} />
              {shownError instanceof ApiError && shownError.code === "anomaly_state" ? (
                <Box>It has moved on since this page was loaded; the lists have been fetched again.</Box>
              ) : null}
            </>
          )
        ) : null}
      </SpaceBetween>
    </FormModal>
  );
}

