// @vitest-environment happy-dom
// The import's result and refusal as rendered: counts and the skipped rows to review; a 400's
// problems as a table of row, field and message; any other error as an alert.
import { act, createElement } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError, toApiError } from "../../api/errors";
import { ImportProblems, ImportResult } from "./ImportAccounts";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe("the import's result", () => {
  let container: HTMLDivElement;
  let root: Root;
  beforeEach(() => {
    container = document.createElement("div");
    document.body.appendChild(container);
    root = createRoot(container);
  });
  afterEach(() => {
    act(() => root.unmount());
    container.remove();
  });
  const cells = (label: string) =>
    [...container.querySelectorAll(`table[aria-label="${label}"] tbody tr`)].map((tr) =>
      [...tr.querySelectorAll("td, th")].map((c) => c.textContent?.trim()),
    );

  it("shows what was created and skipped, listing the rows that differ", () => {
    act(() =>
      root.render(
        createElement(ImportResult, {
          outcome: {
            created: 2,
            ids: ["210987654321", "210987654322"],
            transactions: 1,
            skipped: [
              { row: 1, id: "210987654320", cause: "in_hub", matches: true, differs: [], reason: "r" },
              { row: 3, id: "210987654323", cause: "in_hub", matches: false, differs: ["name"], reason: "r" },
            ],
          },
        }),
      ),
    );
    expect(container.querySelector('[role="status"]')?.textContent).toBe(
      "Imported: 2 accounts created, 2 skipped (1 differs from the hub)",
    );
    expect(container.textContent).toContain("1 skipped account is already in the hub as in the file.");
    expect(cells("Skipped accounts to review")).toEqual([["3", "210987654323", "Already in the hub; differs in name"]]);
  });

  it("shows only counts when every skipped account matches", () => {
    act(() =>
      root.render(
        createElement(ImportResult, {
          outcome: {
            created: 0,
            ids: [],
            transactions: 0,
            skipped: [1, 2].map((row) => ({ row, id: `21098765432${row}`, cause: "in_hub" as const, matches: true, differs: [], reason: "r" })),
          },
        }),
      ),
    );
    expect(container.querySelector('[role="status"]')?.textContent).toBe("Imported: 0 accounts created, 2 skipped");
    expect(container.querySelector("table")).toBeNull();
  });

  it("lists a refusal's problems by row, field and message", () => {
    const error = toApiError(400, {
      error: {
        code: "validation_failed",
        message: "2 problem(s) in 2 of the 3 accounts; nothing was written",
        errors: [
          { row: 0, field: "header", message: "unknown column 'colour'" },
          { row: 2, field: "access.read_role_arn", message: "not an ARN" },
          { row: 3, message: "the row has 3 fields; the header has 9" },
        ],
      },
    });
    act(() => root.render(createElement(ImportProblems, { error })));
    expect(container.querySelector('[role="alert"]')?.textContent).toBe("Not imported: nothing was written");
    expect(container.textContent).toContain("2 problem(s) in 2 of the 3 accounts");
    expect(cells("Problems by row")).toEqual([
      ["File", "header", "unknown column 'colour'"],
      ["2", "access.read_role_arn", "not an ARN"],
      ["3", "—", "the row has 3 fields; the header has 9"],
    ]);
  });

  it("points to the checkbox when rows are already in the hub", () => {
    const error = toApiError(400, {
      error: {
        code: "validation_failed",
        message: "1 problem(s) in 1 of the 1 accounts; nothing was written",
        errors: [{ row: 1, field: "id", message: "account 210987654321 is already in the hub (...)" }],
      },
    });
    act(() => root.render(createElement(ImportProblems, { error })));
    expect(container.textContent).toContain("tick “Skip accounts already in the hub” and import again");
  });

  it("shows any other error as it is", () => {
    act(() => root.render(createElement(ImportProblems, { error: new ApiError(403, "forbidden", "Admins only.") })));
    expect(container.textContent).toContain("Not imported: nothing was written");
    expect(container.textContent).toContain("Admins only.");
    expect(container.querySelector("table")).toBeNull();
  });
});
