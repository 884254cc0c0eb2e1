import { describe, expect, it } from "vitest";
import { count } from "./plural";

describe("count", () => {
  it("says one thing in the singular, others in the plural", () => {
    expect(count(1, "request")).toBe("1 request");
    expect(count(0, "request")).toBe("0 requests");
    expect(count(2, "anomaly", "anomalies")).toBe("2 anomalies");
    expect(count(1, "anomaly", "anomalies")).toBe("1 anomaly");
    expect(count(1200, "cell")).toBe(`${(1200).toLocaleString()} cells`);
  });
});
