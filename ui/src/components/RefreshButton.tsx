import Button from "@cloudscape-design/components/button";

/** The refresh icon button of a live list's header: refetches now, spins while any fetch of it runs. */
export default function RefreshButton({ query }: { query: { isFetching: boolean; refetch: () => unknown } }) {
  return <Button iconName="refresh" ariaLabel="Refresh" loading={query.isFetching} onClick={() => query.refetch()} />;
}
