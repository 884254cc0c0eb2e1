import type { ReactNode } from "react";
import { useParams } from "react-router-dom";
import { useCustomerOverview } from "../api/hub";
import { Breadcrumbs, detailState } from "./DetailPage";
import { useDocumentTitle } from "./useDocumentTitle";

/**
 * A customer's section page (`/customers/{code}/{segment}`: billing, utilisation): reads the
 * customer for its name, sets the title and breadcrumbs, shows the loading or error state
 * (an unknown customer included), then renders `children` with the code, name and breadcrumbs.
 */
export default function CustomerSection({
  label,
  segment,
  back,
  children,
}: {
  /** "Billing", "Utilisation": the crumb and the title's suffix. */
  label: string;
  segment: string;
  /** Where the error state's back link goes (the section's overview). */
  back: { text: string; href: string };
  children: (code: string, name: string, breadcrumbs: ReactNode) => ReactNode;
}) {
  const { code = "" } = useParams();
  const customer = useCustomerOverview(code);
  const name = customer.data?.customer.name;
  useDocumentTitle(name ? `${name}: ${label.toLowerCase()}` : code);
  const crumbs = [
    { text: "Customers", href: "/customers" },
    { text: name ?? code, href: `/customers/${encodeURIComponent(code)}` },
    { text: label, href: `/customers/${encodeURIComponent(code)}/${segment}` },
  ];
  if (customer.isPending || customer.isError) {
    return detailState(customer, { crumbs, loading: "Loading the customer", title: code, back });
  }
  return <>{children(code, customer.data.customer.name, <Breadcrumbs items={crumbs} />)}</>;
}
