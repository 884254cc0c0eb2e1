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
export function Email({ address, clamp }: { address: string; clamp?: number }) {
  const at = address.indexOf("@");
  return (
    <span style={clamp ? clampStyle(clamp) : LONG_TOKENS} title={clamp && address.length > TITLE_FROM ? address : undefined}>
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

/** Past this many characters a clamped text carries its whole in a title (it may be cut). */
const TITLE_FROM = 60;

function clampStyle(lines: number): React.CSSProperties {
  return { ...LONG_TOKENS, display: "-webkit-box", WebkitLineClamp: lines, WebkitBoxOrient: "vertical", overflow: "hidden" };
}

/**
 * A name that may be very long (a contract's, a customer's, a person's): it wraps anywhere rather
 * than overflow its cell, and is cut after `lines` lines with the whole in its title, so one name
 * never makes a giant row.
 */
export function Clamp({ text, lines = 2, children }: { text: string; lines?: number; children?: React.ReactNode }) {
  return (
    <span style={clampStyle(lines)} title={text.length > TITLE_FROM ? text : undefined}>
      {children ?? text}
    </span>
  );
}
