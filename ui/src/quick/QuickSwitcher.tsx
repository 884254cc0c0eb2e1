import Badge from "@cloudscape-design/components/badge";
import Box from "@cloudscape-design/components/box";
import Input, { type InputProps } from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import * as tokens from "@cloudscape-design/design-tokens";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { errorText } from "../api/errors";
import { useQuickFind } from "../api/hub";
import { useDebounced } from "../components/useDebounced";
import { freshResult, NOT_SEARCHABLE, searchable } from "../lib/search";
import { itemPath, onKey, rankResults, type QuickItem } from "./logic";

const BADGE: Record<QuickItem["kind"], { color: "blue" | "grey" | "green"; label: string }> = {
  customer: { color: "blue", label: "Customer" },
  account: { color: "grey", label: "Account" },
  contact: { color: "green", label: "Contact" },
};

/** Ctrl/Cmd+K: find a customer, an account or a key contact through the API's quick find, and open it. */
export default function QuickSwitcher({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const [text, setText] = useState("");
  const query = useDebounced(text.trim(), 150);
  const search = useQuickFind(query);
  // Only the answer for exactly what is typed is listed: the previous query's results (kept while
  // the next one loads) re-ranked against new text would let Enter open the wrong account.
  // (Shared with the selects: lib/search.ts. Nothing is typed: nothing to list.)
  const answer = query ? freshResult(text, query, search).data : undefined;
  const items = useMemo(
    () => (answer ? rankResults(query, answer.customers, answer.accounts, answer.contacts) : []),
    [answer, query],
  );
  const [active, setActive] = useState(-1);
  const listId = useId();
  const optionId = (index: number) => `${listId}-option-${index}`;

  const input = useRef<InputProps.Ref>(null);

  // The modal's focus lock focuses its first control (the close button) after our effects run;
  // move focus to the search field once it has.
  useEffect(() => {
    const timer = setTimeout(() => input.current?.focus(), 0);
    return () => clearTimeout(timer);
  }, []);
  useEffect(() => setActive(items.length ? 0 : -1), [items]);
  useEffect(() => {
    if (active >= 0) document.getElementById(optionId(active))?.scrollIntoView({ block: "nearest" });
  }, [active]);

  const open = (item: QuickItem) => {
    onClose();
    navigate(itemPath(item));
  };

  const pending = text.trim() !== query || (search.isFetching && !!query);
  let status: React.ReactNode;
  if (!text.trim()) {
    status = "Type an account id, name or alias, a customer's name or code, or a contact's name, e-mail, phone or role.";
  } else if (search.isError) {
    status = <StatusIndicator type="error">{errorText(search.error)}</StatusIndicator>;
  } else if (pending && items.length === 0) {
    status = <StatusIndicator type="loading">Searching</StatusIndicator>;
  } else if (items.length === 0) {
    status = searchable(query) ? `Nothing matches “${query}”.` : `Nothing matches “${query}”. ${NOT_SEARCHABLE}`;
  } else {
    status = `${items.length} ${items.length === 1 ? "result" : "results"}. Up and down arrows move, Enter opens.`;
  }

  return (
    <Modal
      visible
      onDismiss={onClose}
      header="Go to a customer, account or contact"
      closeAriaLabel="Close"
      size="medium"
      position="top"
    >
      <SpaceBetween size="s">
        <Input
          ref={input}
          autoComplete={false}
          type="search"
          value={text}
          placeholder="Search customers, accounts and contacts"
          ariaLabel="Search customers, accounts and contacts"
          clearAriaLabel="Clear search"
          onChange={({ detail }) => setText(detail.value)}
          onKeyDown={(event) => {
            const outcome = onKey(event.detail.key, active, items.length);
            if (outcome.type === "move") {
              event.preventDefault();
              setActive(outcome.index);
            } else if (outcome.type === "open") {
              event.preventDefault();
              const item = items[outcome.index];
              if (item) open(item);
            } else if (outcome.type === "close") {
              event.preventDefault();
              onClose();
            }
          }}
          nativeInputAttributes={{
            role: "combobox",
            "aria-autocomplete": "list",
            "aria-expanded": items.length > 0,
            "aria-controls": listId,
            "aria-activedescendant": active >= 0 ? optionId(active) : undefined,
          }}
        />
        <Box variant="small" color="text-body-secondary">
          <span role="status" aria-live="polite">
            {status}
          </span>
        </Box>
        <ul
          id={listId}
          role="listbox"
          aria-label="Customers, accounts and contacts"
          style={{ listStyle: "none", margin: 0, padding: 0, maxHeight: "50vh", overflowY: "auto" }}
        >
          {items.map((item, index) => (
            <li
              key={item.key}
              id={optionId(index)}
              role="option"
              aria-selected={index === active}
              onMouseMove={() => setActive(index)}
              onClick={() => open(item)}
              style={{
                cursor: "pointer",
                padding: `${tokens.spaceScaledXs} ${tokens.spaceScaledS}`,
                borderRadius: tokens.borderRadiusItem,
                border: `2px solid ${index === active ? tokens.colorBorderItemSelected : "transparent"}`,
                background:
                  index === active ? tokens.colorBackgroundItemSelected : "transparent",
              }}
            >
              <SpaceBetween direction="horizontal" size="xs" alignItems="center">
                <Badge color={BADGE[item.kind].color}>{BADGE[item.kind].label}</Badge>
                <Box fontWeight="bold">{item.title}</Box>
                <Box variant="small" color="text-body-secondary">
                  {item.detail}
                </Box>
              </SpaceBetween>
            </li>
          ))}
        </ul>
      </SpaceBetween>
    </Modal>
  );
}
