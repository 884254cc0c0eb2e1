import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import Textarea from "@cloudscape-design/components/textarea";
import { useMemo, useState } from "react";
import { usePutTeam, useTeam, type Team } from "../../api/admin";
import { when } from "../../breakglass/format";
import SaveForm from "../../components/SaveForm";
import VersionedForm, { type SavedFlag } from "../../components/VersionedForm";
import { apiFieldErrors, checkEmail, splitEmails, teamDiff, type FieldErrors } from "../../lib/admin";

export default function TeamTab({ code }: { code: string }) {
  const team = useTeam(code);
  return (
    <VersionedForm
      query={team}
      loading="Loading the team"
      form={({ data, ...rest }) => <TeamForm code={code} team={data} {...rest} />}
    />
  );
}

function TeamForm({
  code,
  team,
  onReload,
  saved,
  setSaved,
}: {
  code: string;
  team: Team;
  onReload: () => Promise<unknown>;
} & SavedFlag) {
  const put = usePutTeam(code);
  const [text, setText] = useState(team.members.join("\n"));
  const [errors, setErrors] = useState<FieldErrors>({});
  const members = useMemo(() => splitEmails(text), [text]);
  const diff = teamDiff(team.members, members);
  const history = useMemo(() => [...team.history].reverse(), [team.history]);

  const submit = () => {
    const bad = members.find((m) => checkEmail(m));
    const found: FieldErrors = bad ? { members: `'${bad}' is not an e-mail address.` } : {};
    setErrors(found);
    if (bad) return;
    setSaved(false);
    put.mutate(
      { members, version: team.version ?? 0 },
      { onSuccess: () => setSaved(true), onError: (err) => setErrors(apiFieldErrors(err, ["members"])) },
    );
  };

  return (
    <SpaceBetween size="l">
      <SaveForm
        onSubmit={submit}
        saveText="Save team"
        savedText="Team saved."
        saved={saved}
        saving={put.isPending}
        error={put.error}
        onReload={onReload}
        dirty={diff.added.length + diff.removed.length > 0}
      >
        <Container
          header={
            <Header
              variant="h2"
              counter={`(${team.members.length})`}
              description="Who works on this customer: their profiles cover its accounts and they may ask for breakglass access."
            >
              Team
            </Header>
          }
        >
          <SpaceBetween size="s">
            <FormField
              label="Members"
              constraintText="One e-mail address per line (split on line breaks only)."
              errorText={errors.members}
              stretch
            >
              <Textarea
                value={text}
                rows={Math.min(12, Math.max(4, members.length + 1))}
                onChange={({ detail }) => {
                  setSaved(false);
                  setText(detail.value);
                  setErrors({});
                }}
              />
            </FormField>
            <Box variant="small" color="text-body-secondary" aria-live="polite">
              {diff.added.length || diff.removed.length
                ? `Saving adds ${diff.added.length ? diff.added.join(", ") : "nobody"} and removes ${diff.removed.length ? diff.removed.join(", ") : "nobody"}.`
                : "No changes."}
            </Box>
          </SpaceBetween>
        </Container>
      </SaveForm>
      <Table
        variant="container"
        wrapLines
        header={
          <Header variant="h2" description="The latest changes, newest first (the audit log keeps them all).">
            Team history
          </Header>
        }
        items={history}
        trackBy={(h) => `${h.at}-${h.by}`}
        empty={<Box textAlign="center" color="text-body-secondary">No changes yet.</Box>}
        columnDefinitions={[
          { id: "at", header: "When", cell: (h) => when(h.at), isRowHeader: true },
          { id: "by", header: "By", cell: (h) => h.by },
          { id: "added", header: "Added", cell: (h) => h.added.join(", ") || "—" },
          { id: "removed", header: "Removed", cell: (h) => h.removed.join(", ") || "—" },
        ]}
      />
    </SpaceBetween>
  );
}
