import Box from "@cloudscape-design/components/box";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import { sectionLabel, sectionText, type SectionState } from "../lib/reports";

/** A version's sections, each marked with data or without (and why), in the report's order. */
export default function SectionList({ sections }: { sections: readonly SectionState[] }) {
  return (
    <ul style={{ listStyle: "none", margin: 0, padding: 0, display: "flex", flexWrap: "wrap", columnGap: 12 }} aria-label="Sections">
      {sections.map((s) => (
        <li key={s.section} style={{ whiteSpace: "nowrap" }}>
          {s.ready ? (
            <StatusIndicator type="success">{sectionLabel(s.section)}</StatusIndicator>
          ) : (
            <StatusIndicator type="stopped">
              <Box variant="span" color="text-body-secondary">
                {sectionText(s)}
              </Box>
            </StatusIndicator>
          )}
        </li>
      ))}
    </ul>
  );
}
