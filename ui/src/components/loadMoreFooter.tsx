import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";

/**
 * A paged table's footer: a button that loads the next page while there is one, else nothing (a
 * function, not a component, so the table draws no empty footer bar when every page is there). The
 * customers list, the admin's customers and the approval policies each drew the same button.
 */
export function loadMoreFooter(
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown },
  text: string,
): React.ReactNode {
  return query.hasNextPage ? (
    <Box textAlign="center">
      <Button onClick={() => query.fetchNextPage()} loading={query.isFetchingNextPage}>
        {text}
      </Button>
    </Box>
  ) : undefined;
}
