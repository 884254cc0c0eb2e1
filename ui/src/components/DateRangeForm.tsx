import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import DateInput from "@cloudscape-design/components/date-input";
import FormField from "@cloudscape-design/components/form-field";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useEffect, useState, type ReactNode } from "react";

/**
 * A From/To day form with Show (`YYYY-MM-DD`, UTC days): the range a page shows lives in its
 * address, and this form edits a draft of it. `check` says what is wrong with a draft (the page's
 * own rules: both days required, or either may be empty; how long); Show sends only a draft that
 * passes. A range from the address that fails `check` is flagged at once, so the inputs never
 * look fine while the page says it cannot show them. `actions` go after Show (a reset link, say).
 */
export default function DateRangeForm({
  from,
  to,
  check,
  onSubmit,
  fromDescription,
  toDescription,
  actions,
}: {
  from: string;
  to: string;
  check: (from: string, to: string) => string | undefined;
  onSubmit: (from: string, to: string) => void;
  fromDescription?: string;
  toDescription?: string;
  actions?: ReactNode;
}) {
  const [draft, setDraft] = useState({ from, to });
  const [tried, setTried] = useState(false);
  // A new range from the address replaces the draft; a bad one says so without waiting for Show.
  useEffect(() => {
    setDraft({ from, to });
    setTried(!!check(from, to));
    // `check` is a rule, not state: a new function each render must not reset the draft.
  }, [from, to]);
  const problem = check(draft.from, draft.to);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (!problem) onSubmit(draft.from, draft.to);
      }}
    >
      <SpaceBetween size="xxs">
        <SpaceBetween direction="horizontal" size="xs" alignItems="end">
          <FormField label="From" description={fromDescription}>
            <DateInput
              value={draft.from}
              format="iso"
              placeholder="YYYY-MM-DD"
              invalid={tried && !!problem}
              onChange={({ detail }) => setDraft((d) => ({ ...d, from: detail.value }))}
            />
          </FormField>
          <FormField label="To" description={toDescription}>
            <DateInput
              value={draft.to}
              format="iso"
              placeholder="YYYY-MM-DD"
              invalid={tried && !!problem}
              onChange={({ detail }) => setDraft((d) => ({ ...d, to: detail.value }))}
            />
          </FormField>
          <Button formAction="submit">Show</Button>
          {actions}
        </SpaceBetween>
        <div role="alert">
          {tried && problem ? (
            <Box color="text-status-error" fontSize="body-s">
              {problem}
            </Box>
          ) : null}
        </div>
      </SpaceBetween>
    </form>
  );
}
