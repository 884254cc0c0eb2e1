import Box from "@cloudscape-design/components/box";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { Email } from "./Wrap";

/**
 * Who started a run (billing fetch, utilisation sync): an admin's "`action` by" and e-mail, a
 * person's `cc jobs run` and their name, or the schedule.
 */
export default function RunTrigger({
  trigger,
  action,
  schedule = "Daily schedule",
}: {
  trigger: { kind: "admin"; email: string } | { kind: "manual"; by: string } | { kind: "schedule" };
  /** "Fetch now", "Sync now". */
  action: string;
  /** What the schedule is called ("Monthly schedule" for reports). */
  schedule?: string;
}) {
  if (trigger.kind === "schedule") return <>{schedule}</>;
  return (
    <SpaceBetween size="xxxs">
      <span>{trigger.kind === "admin" ? `${action} by` : "cc jobs run by"}</span>
      <Box variant="small">
        <Email address={trigger.kind === "admin" ? trigger.email : trigger.by} />
      </Box>
    </SpaceBetween>
  );
}
