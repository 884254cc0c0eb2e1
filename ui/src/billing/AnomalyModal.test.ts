// Two anomalies of one kind in one service and account differ by their first day: so do their buttons.
import { describe, expect, it } from "vitest";
import type { StoredAnomaly } from "../api/billing";
import { anomalyButtonLabel } from "./AnomalyModal";

const anomaly = (first_day: string) =>
  ({
    service: "Amazon EC2",
    account: "100000096475",
    finding: { kind: "spike", first_day },
  }) as unknown as StoredAnomaly;

describe("anomalyButtonLabel", () => {
  it("names the anomaly's first day, so two buttons never share a name", () => {
    const march = anomalyButtonLabel("Acknowledge", anomaly("2026-03-02"));
    const may = anomalyButtonLabel("Acknowledge", anomaly("2026-05-11"));
    expect(march).toBe("Acknowledge Spike in Amazon EC2 (100000096475) from 2026-03-02");
    expect(march).not.toBe(may);
    expect(anomalyButtonLabel("Resolve", anomaly("2026-05-11"))).toMatch(/^Resolve .* from 2026-05-11$/);
  });
});
