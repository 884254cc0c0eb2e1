import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SegmentedControl from "@cloudscape-design/components/segmented-control";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useMemo } from "react";
import { useSearchParams } from "react-router-dom";
import { useAnomalies, useBillingOverview, type AnomalyStatus } from "../../api/billing";
import AnomaliesTable from "../../billing/AnomaliesTable";
import { loadMoreFooter } from "../../components/loadMoreFooter";
import RefreshButton from "../../components/RefreshButton";
import TableEmpty from "../../components/TableEmpty";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import { usePagedItems } from "../../components/usePagedItems";

const STATUSES: { id: AnomalyStatus; text: string }[] = [
  { id: "open", text: "Open" },
  { id: "acknowledged", text: "Acknowledged" },
  { id: "resolved", text: "Resolved" },
];

/** Every customer's cost anomalies in one status (open first), with acknowledge and resolve. */
export default function AnomaliesPage() {
  const [params, setParams] = useSearchParams();
  const status: AnomalyStatus = STATUSES.find((s) => s.id === params.get("status"))?.id ?? "open";
  const title = `${STATUSES.find((s) => s.id === status)!.text} cost anomalies`;
  useDocumentTitle(title);
  const anomalies = useAnomalies(status);
  const items = usePagedItems(anomalies.data);
  // Customer names for the links (the overview is one request and usually cached).
  const overview = useBillingOverview();
  const names = useMemo(
    () => new Map((overview.data?.customers ?? []).map((c) => [c.customer, c.name])),
    [overview.data],
  );

  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="Cost jumps found in every customer's daily costs: acknowledge one you are looking at, resolve it with what was done."
          actions={<RefreshButton query={anomalies} />}
        >
          Cost anomalies
        </Header>
      }
    >
      <AnomaliesTable
        showCustomer
        customerNames={names}
        items={items}
        loading={anomalies.isPending}
        header={
          <Header
            variant="h2"
            counter={anomalies.isSuccess ? `(${items.length}${anomalies.hasNextPage ? "+" : ""})` : undefined}
            actions={
              <SegmentedControl
                label="Status"
                selectedId={status}
                options={STATUSES}
                onChange={({ detail }) =>
                  setParams(detail.selectedId === "open" ? {} : { status: detail.selectedId }, { replace: true })
                }
              />
            }
          >
            {title}
          </Header>
        }
        empty={
          <TableEmpty query={anomalies}>
            <SpaceBetween size="xxs">
              <b>No {status} anomalies</b>
              <span>
                {status === "open"
                  ? "Nothing waits for a look: new cost jumps show here after each fetch or import."
                  : `No anomaly has been ${status} yet.`}
              </span>
            </SpaceBetween>
          </TableEmpty>
        }
        footer={loadMoreFooter(anomalies, "Load more anomalies")}
      />
    </ContentLayout>
  );
}
