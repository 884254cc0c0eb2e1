const WHEN_FORMAT: Intl.DateTimeFormatOptions = {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
  timeZoneName: "short",
};

/** A timestamp in the reader's locale, short, with its time zone (`Nov 29, 2026, 10:23 PM UTC`). */
export function when(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { ...WHEN_FORMAT, timeZone });
}

/** The reader's own time zone, for inputs that take local times: `Europe/Berlin (GMT+1)`. */
export function localZoneText(at: Date = new Date(), timeZone?: string): string {
  const name = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? "local time";
  const short =
    new Intl.DateTimeFormat(undefined, { timeZone: name, timeZoneName: "shortOffset" })
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")?.value ?? "";
  return short && short !== name ? `${name} (${short})` : name;
}
