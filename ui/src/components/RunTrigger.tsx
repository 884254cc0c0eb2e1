import Box from "@cloudscape-design/components/box";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { Email } from "./Wrap";

/** Who started a run (billing fetch, utilisation sync): an admin's "`action` by" and e-mail, or the schedule. */
export default function RunTrigger({
  trigger,
  action,
}: {
  trigger: { kind: "admin"; email: string } | { kind: "schedule" };
  /** "Fetch now", "Sync now". */
  action: string;
}) {
  return trigger.kind === "admin" ? (
    <SpaceBetween size="xxxs">
      <span>{action} by</span>
      <Box variant="small">
        <Email address={trigger.email} />
      </Box>
    </SpaceBetween>
  ) : (
    <>Daily schedule</>
  );
}
