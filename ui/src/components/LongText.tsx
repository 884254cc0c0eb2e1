import Link from "@cloudscape-design/components/link";
import { safeHttpUrl, shorten, ticketLabel } from "../lib/grants";

const wrap: React.CSSProperties = { overflowWrap: "anywhere", wordBreak: "break-word" };

/** Free text that wraps anywhere (long words and URLs too) and, past `max` characters, is cut with an ellipsis (full text on hover). */
export function LongText({ text, max }: { text: string | null | undefined; max?: number }) {
  if (!text) return <>—</>;
  const short = max ? shorten(text, max) : { text, cut: false };
  return (
    <span style={wrap} title={short.cut ? text : undefined}>
      {short.text}
    </span>
  );
}

/** A ticket reference: an http(s) URL becomes a short link (new tab, no opener); anything else is text. */
export function TicketRef({ ticket, max = 40 }: { ticket: string | null | undefined; max?: number }) {
  const url = safeHttpUrl(ticket);
  if (!url) return <LongText text={ticket} max={max} />;
  return (
    <span style={wrap} title={url}>
      <Link href={url} external target="_blank" rel="noopener noreferrer" externalIconAriaLabel="(opens in a new tab)">
        {ticketLabel(url, max)}
      </Link>
    </span>
  );
}
