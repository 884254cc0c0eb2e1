import FormField from "@cloudscape-design/components/form-field";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Textarea from "@cloudscape-design/components/textarea";
import { useState } from "react";
import { useDecide, type AccessRequest } from "../api/breakglass";
import ErrorAlert from "../components/ErrorAlert";
import FormModal from "../components/FormModal";
import { LongText, TicketRef } from "../components/LongText";
import { useFocusFirstError } from "../components/useFocusFirstError";
import { approvalProgress, formatMinutes } from "../lib/breakglass";
import { useAttemptError } from "../components/useAttemptError";

/** Approve or reject a pending request, with a comment. The API checks who may decide. */
export default function DecisionModal({
  request,
  decision,
  onClose,
  onDone,
}: {
  request: AccessRequest;
  decision: "approve" | "reject";
  onClose: () => void;
  onDone?: (updated: AccessRequest) => void;
}) {
  const [comment, setComment] = useState("");
  const [tried, setTried] = useState(false);
  const [formRef, invalidSubmit] = useFocusFirstError<HTMLFormElement>();
  const decide = useDecide();
  const [decideError, edited] = useAttemptError(decide.error);
  const verb = decision === "approve" ? "Approve" : "Reject";
  // A rejection needs a reason the requester can act on; an approval's comment is optional.
  const commentError = tried && decision === "reject" && !comment.trim() ? "Say why, so the requester knows what to change." : undefined;
  const submit = () => {
    setTried(true);
    if (decision === "reject" && !comment.trim()) {
      invalidSubmit();
      return;
    }
    decide.mutate(
      { id: request.id, decision, comment: comment.trim() },
      {
        onSuccess: (updated) => {
          onDone?.(updated);
          onClose();
        },
      },
    );
  };
  return (
    <FormModal
      header={`${verb} ${request.requester}'s request`}
      onClose={onClose}
      onSubmit={submit}
      submitText={verb}
      submitting={decide.isPending}
      cancelText="Back"
      dirty={!!comment.trim()}
      formRef={formRef}
    >
      <SpaceBetween size="m">
        <KeyValuePairs
          columns={2}
          items={[
            { label: "Account", value: `${request.account_name} (${request.account_id})` },
            { label: "Customer", value: request.customer },
            { label: "Duration", value: formatMinutes(request.duration_minutes) },
            { label: "Justification", value: <LongText text={request.justification} /> },
            { label: "Ticket", value: <TicketRef ticket={request.ticket} max={60} /> },
            { label: "Approvals so far", value: approvalProgress(request) },
          ]}
        />
        <FormField label={decision === "reject" ? "Comment" : "Comment (optional)"} errorText={commentError}>
          <Textarea
            value={comment}
            onChange={({ detail }) => {
              edited();
              setComment(detail.value);
            }}
            rows={3}
            autoFocus
            ariaRequired={decision === "reject"}
          />
        </FormField>
        {decideError ? <ErrorAlert error={decideError} header={`The API refused to ${decision}`} /> : null}
      </SpaceBetween>
    </FormModal>
  );
}
