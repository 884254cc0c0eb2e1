import Badge from "@cloudscape-design/components/badge";
import { STATUS_BADGE, type RequestStatus } from "../lib/breakglass";

export default function StatusBadge({ status }: { status: RequestStatus }) {
  const s = STATUS_BADGE[status] ?? { color: "grey" as const, label: status };
  return <Badge color={s.color}>{s.label}</Badge>;
}
