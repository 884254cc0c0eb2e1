// How table cells break lines at 1440 px: short things (days, "All fetched") never; long tokens (an
// e-mail, a note's URL) only where they would otherwise overflow, words left whole.

/** A day (`2026-11-19`) or a few words kept on one line: never broken at the hyphen. */
export function NoWrap({ children }: { children: React.ReactNode }) {
  return <span style={{ whiteSpace: "nowrap" }}>{children}</span>;
}

/** Text with long tokens: words stay whole; a token longer than the line breaks anywhere. */
export const LONG_TOKENS: React.CSSProperties = { wordBreak: "normal", overflowWrap: "anywhere" };

/**
 * An e-mail address that may break after its `@` (and, as always, after a hyphen) before it breaks
 * mid-word: `ada.admin@` / `demo.customer-central.dev`.
 */
export function Email({ address }: { address: string }) {
  const at = address.indexOf("@");
  return (
    <span style={LONG_TOKENS}>
      {at < 0 ? (
        address
      ) : (
        <>
          {address.slice(0, at + 1)}
          <wbr />
          {address.slice(at + 1)}
        </>
      )}
    </span>
  );
}
