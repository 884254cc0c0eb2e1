// The summary editor's preview: the team's markdown rendered in the browser by `marked` (GFM:
// tables, strikethrough, task lists, as the server's pulldown-cmark renders them) and then
// sanitised by DOMPurify down to the tags markdown itself makes, as the server drops raw HTML and
// images before rendering and then sanitises with ammonia: raw HTML tags (their text stays; a
// script's or style's goes), event handlers, styles, `javascript:` links and images are removed
// (the report makes no request of its own, so the preview shows none either). What the report
// carries is the server's rendering; the preview is close to it, not byte-equal.
import DOMPurify from "dompurify";
import { Marked } from "marked";

const marked = new Marked({ gfm: true, breaks: false, async: false });

/** The tags GFM markdown renders to (raw HTML in the summary is not shown, as in the report). */
const MARKDOWN_TAGS = [
  "p", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "a", "ul", "ol", "li", "blockquote",
  "code", "pre", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "input",
];

let purifier: ReturnType<typeof DOMPurify> | undefined;

/** One sanitiser for the page, its link hook added once. */
function purify(): ReturnType<typeof DOMPurify> {
  if (!purifier) {
    purifier = DOMPurify(window);
    purifier.addHook("afterSanitizeAttributes", (node) => {
      // Task lists' boxes only (a raw <input> in the summary is not shown, as in the report).
      if (node.tagName === "INPUT" && node.getAttribute("type") !== "checkbox") node.remove();
      if (node.tagName === "A") {
        node.setAttribute("rel", "noopener noreferrer nofollow");
        node.setAttribute("target", "_blank");
      }
    });
  }
  return purifier;
}

/** `markdown` as inert HTML for the preview (needs a DOM: the browser, or jsdom in tests). */
export function renderSummary(markdown: string): string {
  const raw = marked.parse(markdown) as string;
  const p = purify();
  // Without a DOM DOMPurify cannot sanitise and hands the input back: show the text, never raw HTML.
  if (!p.isSupported) return escapeHtml(markdown);
  return p.sanitize(raw, {
    ALLOWED_TAGS: MARKDOWN_TAGS,
    ALLOWED_ATTR: ["href", "title", "type", "checked", "disabled", "start", "align"],
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
