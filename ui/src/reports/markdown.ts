// The summary editor's preview: the team's markdown rendered in the browser by `marked` (GFM:
// tables, strikethrough, task lists, as the server's pulldown-cmark renders them) and then
// sanitised by DOMPurify, as the server sanitises with ammonia: raw HTML, scripts, event handlers,
// styles and `javascript:` links are removed, and images too (the report makes no request of its
// own, so the preview shows none either). What the report carries is the server's rendering; the
// preview is close to it, not byte-equal.
import DOMPurify from "dompurify";
import { Marked } from "marked";

const marked = new Marked({ gfm: true, breaks: false, async: false });

let purifier: ReturnType<typeof DOMPurify> | undefined;

/** One sanitiser for the page, its link hook added once. */
function purify(): ReturnType<typeof DOMPurify> {
  if (!purifier) {
    purifier = DOMPurify(window);
    purifier.addHook("afterSanitizeAttributes", (node) => {
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
    USE_PROFILES: { html: true },
    FORBID_TAGS: ["img", "style", "form", "button", "textarea", "select", "iframe", "svg", "math"],
    FORBID_ATTR: ["style", "class", "id"],
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
