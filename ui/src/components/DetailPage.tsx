import BreadcrumbGroup from "@cloudscape-design/components/breadcrumb-group";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useNavigate } from "react-router-dom";
import ErrorAlert from "./ErrorAlert";
import PageLoading from "./PageLoading";
import RouterLink from "./RouterLink";

export interface Crumb {
  text: string;
  href: string;
}

/** Breadcrumbs that navigate inside the app (no full page load). */
export function Breadcrumbs({ items }: { items: Crumb[] }) {
  const navigate = useNavigate();
  return (
    <BreadcrumbGroup
      ariaLabel="Breadcrumbs"
      items={items}
      onFollow={(event) => {
        event.preventDefault();
        navigate(event.detail.href);
      }}
    />
  );
}

/**
 * A detail page's loading and error states under its breadcrumbs: `null` once the item is there
 * (the page renders itself), else the state to show: the loading text, or the API's error with
 * Retry and a link back to the list.
 */
export function detailState(
  query: { isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown },
  page: { crumbs: Crumb[]; loading: string; title: string; back: Crumb },
) {
  if (query.isPending) {
    return (
      <SpaceBetween size="m">
        <Breadcrumbs items={page.crumbs} />
        <PageLoading text={page.loading} />
      </SpaceBetween>
    );
  }
  if (query.isError) {
    return (
      <SpaceBetween size="m">
        <Breadcrumbs items={page.crumbs} />
        <Header variant="h1">{page.title}</Header>
        <ErrorAlert error={query.error} onRetry={() => query.refetch()} />
        <RouterLink href={page.back.href}>{page.back.text}</RouterLink>
      </SpaceBetween>
    );
  }
  return null;
}
