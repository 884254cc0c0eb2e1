// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import type { Account, Contact, Customer } from "../api/client";
import { isQuickSwitcherShortcut, itemPath, matchScore, modalOpen, onKey, rankResults } from "./logic";

function customer(code: string, name: string): Customer {
  return {
    code,
    name,
    status: "active",
    notes: "",
    report: {},
    account_count: 0,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };
}

function account(id: string, name: string, customerCode: string, alias?: string): Account {
  return {
    id,
    name,
    alias: alias ?? null,
    customer: customerCode,
    environment: "prod",
    region: "eu-west-1",
    management_account: false,
    delegated_admin_services: [],
    access: {
      method: "role",
      read_role_arn: `arn:aws:iam::${id}:role/Read`,
      breakglass_role_arn: `arn:aws:iam::${id}:role/Breakglass`,
      external_id: "x",
      max_session_seconds: 3600,
    },
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };
}

function contact(id: string, name: string, customerCode: string, role: string, email: string, phone?: string): Contact {
  return { id, name, customer: customerCode, role, email, phone: phone ?? null, escalation_order: 1 };
}

describe("matchScore", () => {
  it.each([
    ["payments prod", ["payments prod"], 0],
    ["pay", ["payments prod"], 1],
    ["prod pay", ["payments prod"], 2],
    ["ments", ["payments prod"], 3],
    ["zzz", ["payments prod"], Infinity],
    ["", ["payments prod"], Infinity],
    ["PAY", [null, "Payments"], 1],
    ["retail mgmt", ["acme-retail-mgmt"], 2],
    ["acme", ["jo.berg@acme-retail.example.com"], 2],
  ] as const)("%s in %j scores %s", (q, texts, score) => {
    expect(matchScore(q, [...texts])).toBe(score);
  });
});

describe("rankResults", () => {
  const customers = [customer("acme-retail", "Acme Retail")];
  const accounts = [
    account("100000000001", "acme-retail payments prod", "acme-retail", "acme-pay"),
    account("100000000002", "payments prod", "fjord-banking"),
    account("100000000003", "logging", "acme-retail"),
  ];

  it("puts exact and prefix matches before word and substring matches", () => {
    const ranked = rankResults("payments", [], accounts);
    expect(ranked.map((r) => r.title)).toEqual([
      "payments prod",
      "acme-retail payments prod",
      "logging",
    ]);
  });

  it("finds an account by its exact id first", () => {
    expect(rankResults("100000000003", customers, accounts)[0]).toMatchObject({
      kind: "account",
      id: "100000000003",
    });
  });

  it("keeps customers before accounts on equal scores, and the server's order otherwise", () => {
    const ranked = rankResults("acme", customers, accounts);
    expect(ranked[0]).toMatchObject({ kind: "customer", code: "acme-retail" });
    expect(ranked[1]).toMatchObject({ kind: "account", id: "100000000001" });
  });

  it("honours the limit", () => {
    expect(rankResults("a", customers, accounts, [], 2)).toHaveLength(2);
  });

  it("describes accounts with id, alias, customer and environment", () => {
    expect(rankResults("acme-pay", [], accounts)[0]?.detail).toBe(
      "100000000001 · acme-pay · acme-retail · prod",
    );
  });
});

describe("rankResults with contacts", () => {
  const customers = [customer("acme-retail", "Acme Retail")];
  const accounts = [account("100000000001", "priya sandbox", "acme-retail")];
  const contacts = [
    contact("01c", "Jonas Berg", "acme-retail", "Service Desk", "jonas.berg@acme-retail.example.com"),
    contact("01a", "Priya Natarajan", "acme-retail", "Head of Platform", "priya.natarajan@acme-retail.example.com", "+44 20 7946 0001"),
    contact("01b", "Priya Natarajan", "fjord-banking", "Head of Platform", "priya.natarajan@fjord-banking.example.com"),
  ];

  it("finds a contact by name, e-mail, role or phone", () => {
    expect(rankResults("priya natarajan", [], [], contacts).map((r) => r.key).slice(0, 2)).toEqual([
      "p:acme-retail:01a",
      "p:fjord-banking:01b",
    ]);
    expect(rankResults("priya.natarajan@fjord-banking.example.com", [], [], contacts)[0]).toMatchObject({
      kind: "contact",
      id: "01b",
      customer: "fjord-banking",
    });
    expect(rankResults("service desk", [], [], contacts)[0]?.title).toBe("Jonas Berg");
    expect(rankResults("442079460001", [], [], contacts)[0]).toMatchObject({ id: "01a" });
    expect(rankResults("+44 20 7946 0001", [], [], contacts)[0]).toMatchObject({ id: "01a" });
  });

  it("ranks a contact named by the query above an account that merely holds a word of it", () => {
    const ranked = rankResults("priya natarajan", customers, accounts, contacts);
    expect(ranked[0]).toMatchObject({ kind: "contact", title: "Priya Natarajan" });
    expect(ranked[1]).toMatchObject({ kind: "contact", title: "Priya Natarajan" });
    expect(ranked.findIndex((r) => r.kind === "account")).toBeGreaterThan(1);
  });

  it("keeps customers and accounts before contacts on equal scores", () => {
    const ranked = rankResults("acme", customers, accounts, contacts);
    expect(ranked[0]).toMatchObject({ kind: "customer" });
    // The e-mail's domain is words of its own: "acme" starts one.
    expect(ranked.map((r) => r.kind)).toEqual(["customer", "contact", "contact", "account", "contact"]);
  });

  it("describes contacts with role, e-mail, phone and customer", () => {
    expect(rankResults("priya", [], [], contacts.slice(1, 2))[0]?.detail).toBe(
      "Head of Platform · priya.natarajan@acme-retail.example.com · +44 20 7946 0001 · acme-retail",
    );
  });

  it("honours the limit over all three kinds", () => {
    expect(rankResults("a", customers, accounts, contacts, 3)).toHaveLength(3);
  });
});

describe("itemPath", () => {
  it("opens a customer's page, or its customer's page with the account", () => {
    expect(itemPath({ kind: "customer", key: "c", code: "acme-retail", title: "", detail: "" })).toBe(
      "/customers/acme-retail",
    );
    expect(
      itemPath({ kind: "account", key: "a", id: "1", customer: "a b", title: "", detail: "" }),
    ).toBe("/customers/a%20b?account=1");
  });
  it("opens a contact's customer page at its contacts", () => {
    expect(
      itemPath({ kind: "contact", key: "p", id: "01abc", customer: "acme-retail", title: "", detail: "" }),
    ).toBe("/customers/acme-retail?contact=01abc");
  });
});

describe("onKey", () => {
  it("moves down and up, wrapping at both ends", () => {
    expect(onKey("ArrowDown", 0, 3)).toEqual({ type: "move", index: 1 });
    expect(onKey("ArrowDown", 2, 3)).toEqual({ type: "move", index: 0 });
    expect(onKey("ArrowUp", 0, 3)).toEqual({ type: "move", index: 2 });
    expect(onKey("ArrowUp", 2, 3)).toEqual({ type: "move", index: 1 });
  });

  it("starts from the top (down) or the bottom (up) when nothing is active", () => {
    expect(onKey("ArrowDown", -1, 3)).toEqual({ type: "move", index: 0 });
    expect(onKey("ArrowUp", -1, 3)).toEqual({ type: "move", index: 2 });
  });

  it("jumps with PageUp and PageDown", () => {
    expect(onKey("PageDown", 0, 5)).toEqual({ type: "move", index: 4 });
    expect(onKey("PageUp", 4, 5)).toEqual({ type: "move", index: 0 });
  });

  it("opens the active item with Enter, and does nothing without one", () => {
    expect(onKey("Enter", 1, 3)).toEqual({ type: "open", index: 1 });
    expect(onKey("Enter", -1, 3)).toEqual({ type: "none" });
    expect(onKey("Enter", 0, 0)).toEqual({ type: "none" });
  });

  it("closes with Escape, even with no results", () => {
    expect(onKey("Escape", -1, 0)).toEqual({ type: "close" });
  });

  it("ignores arrows on an empty list and other keys", () => {
    expect(onKey("ArrowDown", -1, 0)).toEqual({ type: "none" });
    expect(onKey("a", 0, 3)).toEqual({ type: "none" });
    expect(onKey("Home", 2, 3)).toEqual({ type: "none" });
  });
});

describe("isQuickSwitcherShortcut", () => {
  const base = { key: "k", ctrlKey: false, metaKey: false, altKey: false, shiftKey: false };
  it("accepts Ctrl+K and Cmd+K", () => {
    expect(isQuickSwitcherShortcut({ ...base, ctrlKey: true })).toBe(true);
    expect(isQuickSwitcherShortcut({ ...base, metaKey: true, key: "K" })).toBe(true);
  });
  it("refuses plain K and other combinations", () => {
    expect(isQuickSwitcherShortcut(base)).toBe(false);
    expect(isQuickSwitcherShortcut({ ...base, ctrlKey: true, shiftKey: true })).toBe(false);
    expect(isQuickSwitcherShortcut({ ...base, ctrlKey: true, key: "j" })).toBe(false);
  });
});


describe("modalOpen (Ctrl/Cmd+K is ignored over a dialog)", () => {
  it("sees an open modal dialog, or focus inside a dialog", () => {
    const doc = document.implementation.createHTMLDocument("t");
    expect(modalOpen(doc)).toBe(false);
    const modal = doc.createElement("div");
    modal.setAttribute("role", "dialog");
    modal.setAttribute("aria-modal", "true");
    doc.body.append(modal);
    expect(modalOpen(doc)).toBe(true);
    modal.setAttribute("hidden", "");
    expect(modalOpen(doc)).toBe(false);
    modal.remove();
    const dialog = doc.createElement("div");
    dialog.setAttribute("role", "dialog");
    const input = doc.createElement("input");
    dialog.append(input);
    doc.body.append(dialog);
    input.focus();
    expect(modalOpen(doc)).toBe(true);
  });
});
