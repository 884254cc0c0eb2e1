import type { UseQueryResult } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import ErrorAlert from "./ErrorAlert";
import PageLoading from "./PageLoading";

/** What an edit form keyed by version gets: the "Saved." flag lives above it, so it survives the remount. */
export interface SavedFlag {
  saved: boolean;
  setSaved: (saved: boolean) => void;
}

/**
 * An admin tab that edits one versioned item: the loading line, the API's error with Retry, else the
 * form, keyed by the item's version so a save (or a Reload after a conflict) remounts it with the
 * saved values. The team and approval-policy tabs wrapped their forms the same way.
 */
export default function VersionedForm<T extends { version?: number | null }>({
  query,
  loading,
  form,
}: {
  query: UseQueryResult<T>;
  loading: string;
  form: (props: { data: T; onReload: () => Promise<unknown> } & SavedFlag) => React.ReactNode;
}) {
  const [saved, setSaved] = useState(false);
  if (query.isPending) return <PageLoading text={loading} />;
  if (query.isError) return <ErrorAlert error={query.error} onRetry={() => query.refetch()} />;
  return (
    <Fragment key={query.data.version ?? 0}>
      {form({ data: query.data, onReload: () => query.refetch(), saved, setSaved })}
    </Fragment>
  );
}
