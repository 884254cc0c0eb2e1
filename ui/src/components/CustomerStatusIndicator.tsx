import StatusIndicator from "@cloudscape-design/components/status-indicator";
import type { CustomerStatus } from "../api/client";
import { STATUS_INDICATOR } from "../lib/customers";

/**
 * A customer's status as an icon and a word; a status this UI does not know yet shows as itself.
 * The customers list and the admin's customers list drew the status cell the same way.
 */
export default function CustomerStatusIndicator({ status }: { status: CustomerStatus }) {
  const s = STATUS_INDICATOR[status];
  return <StatusIndicator type={s?.type ?? "info"}>{s?.label ?? status}</StatusIndicator>;
}
