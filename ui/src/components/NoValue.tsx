import Box from "@cloudscape-design/components/box";

/** Read by screen readers, not shown (the skip link's technique). */
const VISUALLY_HIDDEN: React.CSSProperties = {
  position: "absolute",
  width: 1,
  height: 1,
  margin: -1,
  padding: 0,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
  border: 0,
};

/**
 * What every page shows where a value is absent (no management account, no rows skipped, no
 * console link): a grey dash, never the word "None", "null" or an empty cell a reader cannot
 * tell from one still loading. The dash itself is hidden from screen readers, which read `label`
 * instead ("No management account"): a bare "—" is read as "dash", or not at all.
 */
export default function NoValue({ label }: { label: string }) {
  return (
    <Box variant="span" color="text-body-secondary">
      <span aria-hidden="true">—</span>
      <span style={VISUALLY_HIDDEN}>{label}</span>
    </Box>
  );
}
