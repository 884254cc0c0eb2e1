import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useReportDiff, type ReportVersion } from "../api/reports";
import { when } from "../breakglass/format";
import NoValue from "../components/NoValue";
import TableEmpty from "../components/TableEmpty";
import { LONG_TOKENS } from "../components/Wrap";
import { builtBy, changePlace, defaultPair, diffValue, readableChanges, type ReportChange } from "../lib/reports";
import { count } from "../lib/plural";

const KIND_TEXT: Record<ReportChange["kind"], string> = { added: "Added", removed: "Removed", changed: "Changed" };

/**
 * Two versions of a month side by side as what changed between their JSON snapshots: each changed
 * field with its section, place, and value before and after (the API's diff, in document order).
 * `from`/`to` come from the address; by default the newest version against the one before it.
 */
export default function CompareVersions({
  customer,
  month,
  versions,
  from,
  to,
  onChange,
}: {
  customer: string;
  month: string;
  versions: readonly ReportVersion[];
  from: string | null;
  to: string | null;
  onChange: (from: number, to: number) => void;
}) {
  const numbers = new Set(versions.map((v) => v.version));
  const asked = from && to && numbers.has(Number(from)) && numbers.has(Number(to)) ? { from: Number(from), to: Number(to) } : undefined;
  const pair = asked ?? defaultPair(versions);
  const same = pair && pair.from === pair.to;
  const diff = useReportDiff(customer, month, same ? undefined : pair);
  const options = versions.map((v) => ({
    value: String(v.version),
    label: `Version ${v.version}`,
    description: `${when(v.built_at)} by ${builtBy(v.trigger)}`,
  }));
  const option = (n: number | undefined) => options.find((o) => o.value === String(n)) ?? null;

  if (!pair) {
    return (
      <Container header={<Header variant="h2">Compare versions</Header>}>
        <Box color="text-body-secondary">This month has one version: build another to compare them.</Box>
      </Container>
    );
  }
  const changes = readableChanges(diff.data?.changes ?? []);
  return (
    <Table<ReportChange>
      variant="container"
      wrapLines
      items={same ? [] : changes}
      loading={!same && diff.isPending}
      loadingText="Comparing the versions"
      ariaLabels={{ tableLabel: `Changes from version ${pair.from} to version ${pair.to}` }}
      header={
        <SpaceBetween size="m">
          <Header
            variant="h2"
            counter={diff.data && !same ? `(${changes.length})` : undefined}
            description="What changed between the two versions' data, field by field."
          >
            Compare versions
          </Header>
          <SpaceBetween direction="horizontal" size="l">
            <FormField label="From (older)">
              <Select
                selectedOption={option(pair.from)}
                options={options}
                ariaLabel="Compare from version"
                onChange={({ detail }) => onChange(Number(detail.selectedOption.value), pair.to)}
              />
            </FormField>
            <FormField label="To (newer)">
              <Select
                selectedOption={option(pair.to)}
                options={options}
                ariaLabel="Compare to version"
                onChange={({ detail }) => onChange(pair.from, Number(detail.selectedOption.value))}
              />
            </FormField>
          </SpaceBetween>
          {diff.data && !same ? (
            <Box color="text-body-secondary">
              {changes.length
                ? `${count(changes.length, "change")} from version ${pair.from} to version ${pair.to}.`
                : `Versions ${pair.from} and ${pair.to} have the same data.`}
            </Box>
          ) : null}
        </SpaceBetween>
      }
      columnDefinitions={[
        { id: "section", header: "Section", minWidth: 140, cell: (c) => changePlace(c.path).section },
        {
          id: "field",
          header: "Field",
          isRowHeader: true,
          minWidth: 220,
          cell: (c) => <code style={LONG_TOKENS}>{changePlace(c.path).rest || "(the whole section)"}</code>,
        },
        { id: "kind", header: "Change", minWidth: 100, cell: (c) => KIND_TEXT[c.kind] },
        { id: "from", header: `Version ${pair.from}`, cell: (c) => <Value value={c.from} absent="Not in this version" /> },
        { id: "to", header: `Version ${pair.to}`, cell: (c) => <Value value={c.to} absent="Not in this version" /> },
      ]}
      empty={
        same ? (
          <Box textAlign="center" color="text-body-secondary">
            Choose two different versions.
          </Box>
        ) : (
          <TableEmpty query={diff}>No differences: the two versions have the same data.</TableEmpty>
        )
      }
    />
  );
}

function Value({ value, absent }: { value: unknown; absent: string }) {
  const text = diffValue(value, 600);
  if (text === undefined) return <NoValue label={absent} />;
  return <span style={{ ...LONG_TOKENS, whiteSpace: "pre-wrap" }}>{text}</span>;
}
