import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { importContentType, importHeadline, rowLabel, skippedMatching, skippedToReview, skipText } from "./accountImport";

type Skipped = Schemas["SkippedAccount"];
const skipped = (row: number, over: Partial<Skipped> = {}): Skipped => ({
  row,
  id: String(210987654320 + row),
  cause: "in_hub",
  matches: true,
  differs: [],
  reason: "r",
  ...over,
});

describe("importContentType", () => {
  it("goes by the extension, then by the first characters", () => {
    expect(importContentType("accounts.JSON", "id,customer")).toBe("application/json");
    expect(importContentType("accounts.csv", "{")).toBe("text/csv");
    expect(importContentType("accounts", '\uFEFF  \n{"accounts": []}')).toBe("application/json");
    expect(importContentType("accounts.txt", "id,customer,name")).toBe("text/csv");
  });
});

describe("the outcome", () => {
  const outcome = {
    created: 2,
    ids: ["1", "2"],
    transactions: 1,
    skipped: [
      skipped(4, { matches: false, differs: ["name", "access.read_role_arn"] }),
      skipped(1),
      skipped(7, { cause: "customer_deleted", matches: null, reason: "customer 'x' was deleted during the import" }),
      skipped(3),
    ],
  };

  it("says what was created and skipped in one line", () => {
    expect(importHeadline(outcome)).toBe("2 accounts created, 4 skipped (1 differs from the hub)");
    expect(importHeadline({ created: 1, ids: ["1"], skipped: [], transactions: 1 })).toBe("1 account created");
    expect(importHeadline({ created: 0, ids: [], skipped: [skipped(1), skipped(2)], transactions: 0 })).toBe(
      "0 accounts created, 2 skipped",
    );
  });

  it("lists the skipped rows that need a look, by row, and counts the rest", () => {
    expect(skippedToReview(outcome).map((s) => s.row)).toEqual([4, 7]);
    expect(skippedMatching(outcome)).toBe(2);
    expect(skipText(outcome.skipped[0]!)).toBe("Already in the hub; differs in name, access.read_role_arn");
    expect(skipText(outcome.skipped[1]!)).toBe("Already in the hub, as in the file");
    expect(skipText(outcome.skipped[2]!)).toBe("customer 'x' was deleted during the import");
    expect(skipText(skipped(9, { cause: "added_meanwhile", matches: false, differs: ["region"] }))).toBe(
      "Added by someone else during the import; differs in region",
    );
  });

  it("calls row 0 the file", () => {
    expect(rowLabel(0)).toBe("File");
    expect(rowLabel(12)).toBe("12");
  });
});
