// The quick switcher's logic: one ranked list of customers, accounts and key contacts, and its
// keyboard rules.
import type { Account, Contact, Customer } from "../api/client";

export type QuickItem =
  | { kind: "customer"; key: string; code: string; title: string; detail: string }
  | {
      kind: "account";
      key: string;
      id: string;
      customer: string;
      title: string;
      detail: string;
    }
  | {
      kind: "contact";
      key: string;
      id: string;
      customer: string;
      title: string;
      detail: string;
    };

function norm(s: string | null | undefined): string {
  return (s ?? "").toLowerCase();
}

/**
 * How well `text` matches the query (lower is better): 0 exact, 1 prefix, 2 every word starts a
 * word, 3 every word appears somewhere, Infinity otherwise.
 */
export function matchScore(query: string, texts: Array<string | null | undefined>): number {
  const q = norm(query).trim();
  if (!q) return Infinity;
  const words = q.split(/\s+/);
  let best = Infinity;
  for (const raw of texts) {
    const text = norm(raw);
    if (!text) continue;
    if (text === q) return 0;
    if (text.startsWith(q)) best = Math.min(best, 1);
    const parts = text.split(/[\s\-_/.:()@+]+/).filter(Boolean);
    if (words.every((w) => parts.some((p) => p.startsWith(w)))) best = Math.min(best, 2);
    if (words.every((w) => text.includes(w))) best = Math.min(best, 3);
  }
  return best;
}

function customerItem(c: Customer): QuickItem {
  return { kind: "customer", key: `c:${c.code}`, code: c.code, title: c.name, detail: c.code };
}

function accountItem(a: Account): QuickItem {
  const detail = [a.id, a.alias, a.customer, a.environment].filter(Boolean).join(" · ");
  return { kind: "account", key: `a:${a.id}`, id: a.id, customer: a.customer, title: a.name, detail };
}

function contactItem(c: Contact): QuickItem {
  const detail = [c.role, c.email, c.phone, c.customer].filter(Boolean).join(" · ");
  return { kind: "contact", key: `p:${c.customer}:${c.id}`, id: c.id, customer: c.customer, title: c.name, detail };
}

/**
 * Merges the search route's customers, accounts and contacts into one list, best match first.
 * Within the same score the server's order is kept, customers before accounts before contacts;
 * items the client cannot match (the server matched e.g. a customer name on an account) come
 * last in server order.
 */
export function rankResults(
  query: string,
  customers: Customer[],
  accounts: Account[],
  contacts: Contact[] = [],
  limit = 20,
): QuickItem[] {
  const scored = [
    ...customers.map((c, i) => ({
      item: customerItem(c),
      score: matchScore(query, [c.code, c.name]),
      group: 0,
      i,
    })),
    ...accounts.map((a, i) => ({
      item: accountItem(a),
      score: matchScore(query, [a.id, a.alias, a.name]),
      group: 1,
      i,
    })),
    ...contacts.map((c, i) => ({
      item: contactItem(c),
      score: matchScore(query, [c.name, c.email, c.role, c.phone, c.phone?.replace(/\D/g, "")]),
      group: 2,
      i,
    })),
  ];
  scored.sort((x, y) => x.score - y.score || x.group - y.group || x.i - y.i);
  return scored.slice(0, limit).map((s) => s.item);
}

/**
 * Where an item leads: a customer's page, its customer's page with the account opened, or its
 * customer's page at the key contacts with the contact marked.
 */
export function itemPath(item: QuickItem): string {
  if (item.kind === "customer") return `/customers/${encodeURIComponent(item.code)}`;
  const param = item.kind === "account" ? "account" : "contact";
  return `/customers/${encodeURIComponent(item.customer)}?${param}=${encodeURIComponent(item.id)}`;
}

export type KeyOutcome =
  | { type: "move"; index: number }
  | { type: "open"; index: number }
  | { type: "close" }
  | { type: "none" };

/** What a key press in the switcher's input does, given the active index and the item count. */
export function onKey(key: string, active: number, count: number): KeyOutcome {
  switch (key) {
    case "ArrowDown":
      return count ? { type: "move", index: active < 0 ? 0 : (active + 1) % count } : { type: "none" };
    case "ArrowUp":
      return count
        ? { type: "move", index: active <= 0 ? count - 1 : active - 1 }
        : { type: "none" };
    case "PageDown":
      return count ? { type: "move", index: count - 1 } : { type: "none" };
    case "PageUp":
      return count ? { type: "move", index: 0 } : { type: "none" };
    case "Enter":
      return count && active >= 0 && active < count ? { type: "open", index: active } : { type: "none" };
    case "Escape":
      return { type: "close" };
    default:
      return { type: "none" };
  }
}

/** Whether a keydown is the switcher's shortcut: Ctrl+K, or Cmd+K on a Mac. */
export function isQuickSwitcherShortcut(e: {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}): boolean {
  return e.key.toLowerCase() === "k" && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey;
}

/**
 * Whether a modal dialog is open, or focus is inside a dialog: then Ctrl/Cmd+K must not open the
 * switcher over it (the dialog owns focus; two modals would fight over it, and Escape closes one).
 */
export function modalOpen(doc: Document): boolean {
  const open = [...doc.querySelectorAll('[aria-modal="true"]')].some(
    (el) => !el.closest("[hidden]") && (el as HTMLElement).style?.display !== "none",
  );
  return open || !!doc.activeElement?.closest('[role="dialog"], [role="alertdialog"]');
}

