import type { CustomerStatus } from "../api/client";

export const STATUS_OPTIONS: Array<{ value: CustomerStatus | ""; label: string }> = [
  { value: "", label: "Any status" },
  { value: "active", label: "Active" },
  { value: "onboarding", label: "Onboarding" },
  { value: "offboarded", label: "Offboarded" },
];

export const STATUS_INDICATOR: Record<
  CustomerStatus,
  { type: "success" | "in-progress" | "stopped"; label: string }
> = {
  active: { type: "success", label: "Active" },
  onboarding: { type: "in-progress", label: "Onboarding" },
  offboarded: { type: "stopped", label: "Offboarded" },
};

export function parseStatus(value: string | null): CustomerStatus | "" {
  return value === "active" || value === "onboarding" || value === "offboarded" ? value : "";
}

/** `2025-01-01 – 2027-12-31`, `from 2025-01-01`, `until 2027-12-31`, or empty. */
export function contractPeriod(startsOn?: string | null, endsOn?: string | null): string {
  if (startsOn && endsOn) return `${startsOn} – ${endsOn}`;
  if (startsOn) return `from ${startsOn}`;
  if (endsOn) return `until ${endsOn}`;
  return "";
}
