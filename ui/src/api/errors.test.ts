import { describe, expect, it } from "vitest";
import { ApiError, describeError, errorText, saysStale, thrownMessage, toApiError } from "./errors";

describe("toApiError", () => {
  it("keeps the server's code, message and field", () => {
    const err = toApiError(400, {
      error: { code: "invalid_query", message: "unknown variant `x`", field: "status" },
    });
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.code).toBe("invalid_query");
    expect(err.message).toBe("unknown variant `x`");
    expect(err.field).toBe("status");
  });

  it("keeps a bulk input's row problems, dropping malformed ones", () => {
    const err = toApiError(400, {
      error: {
        code: "validation_failed",
        message: "2 problem(s)",
        errors: [
          { row: 2, field: "name", message: "name is empty" },
          { row: 5, message: "the row has 3 fields" },
          { field: "id" },
          "nonsense",
        ],
      },
    });
    expect(err.rows).toEqual([
      { row: 2, field: "name", message: "name is empty" },
      { row: 5, message: "the row has 3 fields" },
    ]);
    expect(toApiError(404, { error: { code: "not_found", message: "m" } }).rows).toEqual([]);
  });

  it("drops a null or empty field", () => {
    expect(toApiError(404, { error: { code: "not_found", message: "m", field: null } }).field).toBeUndefined();
    expect(toApiError(404, { error: { code: "not_found", message: "m", field: "" } }).field).toBeUndefined();
  });

  it.each([
    [401, "unauthenticated", /Sign in again/],
    [403, "forbidden", /permission/],
    [404, "not_found", /not found/],
    [409, "conflict", /changed this/],
    [429, "rate_limited", /Too many/],
    [502, "internal", /HTTP 502/],
    [418, "bad_request", /HTTP 418/],
  ])("gives status %i without a JSON body a code and a sentence", (status, code, message) => {
    const err = toApiError(status, "<html>Bad gateway</html>");
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it("treats a blank message as missing", () => {
    expect(toApiError(500, { error: { code: "internal", message: "  " } }).message).toMatch(/HTTP 500/);
  });
});

describe("describeError", () => {
  it("offers retry for server errors but not for client mistakes", () => {
    expect(describeError(new ApiError(503, "internal", "down")).retryable).toBe(true);
    expect(describeError(new ApiError(400, "validation_failed", "bad")).retryable).toBe(false);
    expect(describeError(new ApiError(404, "not_found", "gone")).title).toBe("Not found");
  });

  it("explains a network failure", () => {
    const shown = describeError(new TypeError("Failed to fetch"));
    expect(shown.title).toMatch(/Cannot reach/);
    expect(shown.retryable).toBe(true);
  });

  it("falls back for anything else", () => {
    expect(describeError("boom").message).toBe("Something went wrong.");
    expect(describeError(new Error("odd")).message).toBe("odd");
  });
});

describe("errorText", () => {
  it("names the field when there is one", () => {
    expect(errorText(new ApiError(400, "validation_failed", "q must be 1-200 characters", "q"))).toBe(
      "q must be 1-200 characters (field: q)",
    );
    expect(errorText(new ApiError(404, "not_found", "customer 'x' was not found"))).toBe(
      "customer 'x' was not found",
    );
  });
});

describe("thrownMessage", () => {
  it("is an Error's own message, or the thrown value as text", () => {
    expect(thrownMessage(new Error("No matching state found in storage"))).toBe("No matching state found in storage");
    expect(thrownMessage(new ApiError(404, "not_found", "gone"))).toBe("gone");
    expect(thrownMessage("popup closed")).toBe("popup closed");
    expect(thrownMessage(undefined)).toBe("undefined");
  });
});

describe("saysStale (a request or grant changed elsewhere)", () => {
  it("is a 409 or a 'not active' answer, nothing else", () => {
    expect(saysStale(new ApiError(409, "conflict", "request is revoked"))).toBe(true);
    expect(saysStale(new ApiError(400, "invalid", "the request is not active"))).toBe(true);
    expect(saysStale(new ApiError(403, "forbidden", "you may not"))).toBe(false);
    expect(saysStale(new Error("not active"))).toBe(false);
  });
});
