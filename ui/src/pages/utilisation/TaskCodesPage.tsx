import Box from "@cloudscape-design/components/box";
import Button, { type ButtonProps } from "@cloudscape-design/components/button";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import TextFilter from "@cloudscape-design/components/text-filter";
import { useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { useCustomers, useMe } from "../../api/hub";
import {
  usePutTaskCodes,
  useTaskCodeHistory,
  useTaskCodes,
  type TaskCodeChange,
  type TaskCodeMapping,
  type TaskCodes,
} from "../../api/utilisation";
import { when } from "../../breakglass/format";
import ConfirmModal from "../../components/ConfirmModal";
import ErrorAlert from "../../components/ErrorAlert";
import NoValue from "../../components/NoValue";
import PageLoading from "../../components/PageLoading";
import RefreshButton from "../../components/RefreshButton";
import { isAdmin } from "../../components/RequireAdmin";
import RouterLink from "../../components/RouterLink";
import SaveError from "../../components/SaveError";
import TableEmpty from "../../components/TableEmpty";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import { Clamp, Email, LONG_TOKENS, NoWrap } from "../../components/Wrap";
import { count } from "../../lib/plural";
import { mappingCode, mappingKey, matchMapping, normaliseCode, withoutMapping } from "../../lib/utilisation";
import { contractHref } from "../../utilisation/ContractsTable";
import MappingModal from "../../utilisation/MappingModal";

type Dialog = { kind: "add"; initial?: Partial<TaskCodeMapping> } | { kind: "edit"; key: string } | { kind: "remove"; key: string };

/**
 * Which task codes' hours count for which customer and contract (`/utilisation/task-codes`): the
 * mappings, what a code would match, and who changed them when. Admins add, edit and remove
 * mappings (each change sends the whole list at the version read); everyone else reads.
 * `?add=OPS-100` (from the unmapped hours) opens the add dialog with that code.
 */
export default function TaskCodesPage() {
  useDocumentTitle("Task codes");
  const taskCodes = useTaskCodes();
  const history = useTaskCodeHistory();
  const me = useMe();
  const admin = isAdmin(me.data?.roles);
  const customers = useCustomers("", "");
  const names = useMemo(
    () => new Map((customers.data?.pages ?? []).flatMap((p) => p.items).map((c) => [c.code, c.name])),
    [customers.data],
  );
  const [params, setParams] = useSearchParams();
  const preset = params.get("add");
  const presetPrefix = params.get("prefix") === "1";
  const [dialog, setDialog] = useState<Dialog | null>(null);
  useEffect(() => {
    if (admin && preset) setDialog({ kind: "add", initial: { code: preset, prefix: presetPrefix } });
  }, [admin, preset, presetPrefix]);
  const [notice, setNotice] = useState<string>();
  const noticeRef = useRef<HTMLDivElement>(null);
  const addRef = useRef<ButtonProps.Ref>(null);
  const [filter, setFilter] = useState("");

  // Drop ?add= once the dialog (and its unsaved-changes guard) is gone: a navigation while it is
  // still mounted would ask "Leave without saving?" over a mapping just saved.
  const [dropAdd, setDropAdd] = useState(false);
  useEffect(() => {
    if (dialog || !dropAdd) return;
    setDropAdd(false);
    setParams({}, { replace: true });
  }, [dialog, dropAdd, setParams]);
  const close = () => {
    setDialog(null);
    if (preset) setDropAdd(true);
  };
  const done = (message: string) => {
    close();
    setNotice(message);
    setFocusNotice(true);
  };
  // Once the dialog is gone (and has given focus back to what opened it), the notice takes focus.
  const [focusNotice, setFocusNotice] = useState(false);
  useEffect(() => {
    if (dialog || !focusNotice) return;
    const timer = setTimeout(() => {
      setFocusNotice(false);
      noticeRef.current?.focus();
    }, 100);
    return () => clearTimeout(timer);
  }, [dialog, focusNotice]);
  const customerText = (code: string) => names.get(code) ?? code;
  const describe = (m: TaskCodeMapping) =>
    `${mappingCode(m)} → ${customerText(m.customer)}${m.contract ? `, contract ${m.contract}` : ""}`;

  if (taskCodes.isPending) return <PageLoading text="Loading the task codes" />;
  if (taskCodes.isError) return <ErrorAlert error={taskCodes.error} onRetry={() => taskCodes.refetch()} />;
  const data = taskCodes.data;
  const find = (key: string) => data.mappings.find((m) => mappingKey(m) === key);
  const editing = dialog && dialog.kind !== "add" ? find(dialog.key) : undefined;
  const typed = normaliseCode(filter);
  const shown = typed ? data.mappings.filter((m) => m.code.includes(typed) || typed.startsWith(m.code)) : data.mappings;
  const match = typed ? matchMapping(data.mappings, typed) : undefined;

  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="Hours logged on a task code count for the customer and contract it is mapped to: an exact mapping (OPS-1234) wins, then the longest prefix (ACME-). Hours on codes no mapping matches are reported as unmapped, never dropped."
          actions={
            <SpaceBetween direction="horizontal" size="xs" alignItems="center">
              <RouterLink href="/utilisation/unmapped">Unmapped hours</RouterLink>
              <RefreshButton query={taskCodes} />
              {admin ? (
                <Button ref={addRef} variant="primary" onClick={() => setDialog({ kind: "add" })}>
                  Add mapping
                </Button>
              ) : null}
            </SpaceBetween>
          }
        >
          Task codes
        </Header>
      }
    >
      <SpaceBetween size="l">
        <div ref={noticeRef} tabIndex={-1} role="status" aria-live="polite" style={{ outline: "none" }}>
          {notice ? <Box color="text-status-success">{notice}</Box> : null}
        </div>
        <Table<TaskCodeMapping>
          wrapLines
          variant="container"
          items={shown}
          trackBy={mappingKey}
          ariaLabels={{ tableLabel: "Task code mappings" }}
          header={
            <Header
              variant="h2"
              counter={`(${data.mappings.length})`}
              description={`Version ${data.version ?? 0}${admin ? "" : ". Admins change the mappings."}`}
            >
              Mappings
            </Header>
          }
          filter={
            <SpaceBetween size="xxs">
              <TextFilter
                filteringText={filter}
                onChange={({ detail }) => setFilter(detail.filteringText)}
                filteringPlaceholder="Find a task code, or see where one goes"
                filteringAriaLabel="Find a task code"
                countText={typed ? count(shown.length, "mapping") : undefined}
              />
              {typed ? (
                <Box variant="small" color="text-body-secondary">
                  <span role="status">
                    {match ? `${typed} counts for ${describe(match)}.` : `${typed} matches no mapping: its hours are unmapped.`}
                  </span>
                </Box>
              ) : null}
            </SpaceBetween>
          }
          columnDefinitions={[
            {
              id: "code",
              header: "Task code",
              isRowHeader: true,
              cell: (m) => (
                <Box variant="code" tagOverride="span">
                  {mappingCode(m)}
                </Box>
              ),
            },
            { id: "match", header: "Match", cell: (m) => (m.prefix ? "Prefix" : "Exactly") },
            {
              id: "customer",
              header: "Customer",
              cell: (m) => (
                <RouterLink href={`/customers/${encodeURIComponent(m.customer)}/utilisation`}>
                  <Clamp text={customerText(m.customer)} />
                </RouterLink>
              ),
            },
            {
              id: "contract",
              header: "Contract",
              cell: (m) =>
                m.contract ? (
                  <RouterLink href={contractHref(m.customer, m.contract)}>{m.contract}</RouterLink>
                ) : (
                  <Box color="text-body-secondary">No contract</Box>
                ),
            },
            ...(admin
              ? [
                  {
                    id: "actions",
                    header: "Actions",
                    cell: (m: TaskCodeMapping) => (
                      <SpaceBetween direction="horizontal" size="xs">
                        <Button
                          variant="inline-link"
                          ariaLabel={`Edit the mapping of ${mappingCode(m)}`}
                          onClick={() => setDialog({ kind: "edit", key: mappingKey(m) })}
                        >
                          Edit
                        </Button>
                        <Button
                          variant="inline-link"
                          ariaLabel={`Remove the mapping of ${mappingCode(m)}`}
                          onClick={() => setDialog({ kind: "remove", key: mappingKey(m) })}
                        >
                          Remove
                        </Button>
                      </SpaceBetween>
                    ),
                  },
                ]
              : []),
          ]}
          empty={
            <Box textAlign="center" color="text-body-secondary">
              {typed ? "No mapping has this code." : `No task codes are mapped yet${admin ? ": Add mapping" : ""}.`}
            </Box>
          }
        />
        <History history={history} describe={describe} />
      </SpaceBetween>
      {dialog?.kind === "add" || (dialog?.kind === "edit" && editing) ? (
        <MappingModal
          taskCodes={data}
          editing={dialog.kind === "edit" ? editing : undefined}
          initial={dialog.kind === "add" ? dialog.initial : undefined}
          customerNames={names}
          onReload={() => taskCodes.refetch()}
          onClose={() => {
            close();
            if (preset) setTimeout(() => addRef.current?.focus(), 0);
          }}
          onSaved={(m) => done(`${dialog.kind === "add" ? "Added" : "Saved"}: ${describe(m)}.`)}
        />
      ) : null}
      {dialog?.kind === "remove" && editing ? (
        <RemoveModal
          taskCodes={data}
          mapping={editing}
          describe={describe}
          onReload={() => taskCodes.refetch()}
          onClose={close}
          onRemoved={() => done(`Removed: ${describe(editing)}. Its hours are unmapped unless another mapping matches them.`)}
        />
      ) : null}
    </ContentLayout>
  );
}

function RemoveModal({
  taskCodes,
  mapping,
  describe,
  onReload,
  onClose,
  onRemoved,
}: {
  taskCodes: TaskCodes;
  mapping: TaskCodeMapping;
  describe: (m: TaskCodeMapping) => string;
  onReload: () => Promise<unknown>;
  onClose: () => void;
  onRemoved: () => void;
}) {
  const put = usePutTaskCodes();
  return (
    <ConfirmModal
      header={`Remove the mapping of ${mappingCode(mapping)}?`}
      confirmText="Remove mapping"
      keepText="Keep it"
      busy={put.isPending}
      onClose={onClose}
      onConfirm={() =>
        put.mutate(
          { mappings: withoutMapping(taskCodes.mappings, mapping), version: taskCodes.version ?? 0 },
          { onSuccess: onRemoved },
        )
      }
    >
      <SpaceBetween size="s">
        <span>
          {describe(mapping)}. Hours on {mapping.prefix ? "codes starting with it" : "this code"} then count wherever another
          mapping sends them, or as unmapped hours. The change is kept in the history.
        </span>
        <SaveError
          error={put.error}
          onReload={async () => {
            await onReload();
            put.reset();
          }}
        />
      </SpaceBetween>
    </ConfirmModal>
  );
}

function History({
  history,
  describe,
}: {
  history: ReturnType<typeof useTaskCodeHistory>;
  describe: (m: TaskCodeMapping) => string;
}) {
  const items = history.data ?? [];
  return (
    <Table<TaskCodeChange>
      wrapLines
      variant="container"
      items={items}
      loading={history.isPending}
      loadingText="Loading the history"
      cellVerticalAlign="top"
      trackBy={(h) => `${h.at}/${h.by}`}
      ariaLabels={{ tableLabel: "Task code mapping history" }}
      header={
        <Header
          variant="h2"
          counter={history.data ? `(${items.length})` : undefined}
          description="Who changed the mappings when, newest first (the latest 50). A changed mapping is removed as it was and added as it is."
          actions={<RefreshButton query={history} />}
        >
          History
        </Header>
      }
      columnDefinitions={[
        { id: "at", header: "When", cell: (h) => <NoWrap>{when(h.at)}</NoWrap>, isRowHeader: true, width: 210 },
        { id: "by", header: "By", cell: (h) => <Email address={h.by} />, width: 290 },
        { id: "added", header: "Added", cell: (h) => <MappingList mappings={h.added} describe={describe} what="added" /> },
        { id: "removed", header: "Removed", cell: (h) => <MappingList mappings={h.removed} describe={describe} what="removed" /> },
      ]}
      empty={<TableEmpty query={history}>No changes yet.</TableEmpty>}
    />
  );
}

/** How many of a history entry's mappings show before "Show all". */
const HISTORY_TOP = 10;

/**
 * One history entry's added or removed mappings: the count when there are many, the first
 * `HISTORY_TOP`, and "Show all N" for the rest (a change may replace thousands at once).
 */
function MappingList({
  mappings,
  describe,
  what,
}: {
  mappings: TaskCodeMapping[];
  describe: (m: TaskCodeMapping) => string;
  what: "added" | "removed";
}) {
  const [all, setAll] = useState(false);
  if (!mappings.length) {
    return <NoValue label={`None ${what}`} />;
  }
  const many = mappings.length > HISTORY_TOP;
  const shown = all || !many ? mappings : mappings.slice(0, HISTORY_TOP);
  return (
    <SpaceBetween size="xxxs">
      {many ? <Box variant="small" color="text-body-secondary">{count(mappings.length, "mapping")} {what}</Box> : null}
      {shown.map((m) => (
        <span key={mappingKey(m)} style={LONG_TOKENS}>
          {describe(m)}
        </span>
      ))}
      {many ? (
        <Box>
          <Button
            variant="inline-link"
            onClick={() => setAll(!all)}
            ariaExpanded={all}
            ariaLabel={all ? `Show the first ${HISTORY_TOP} ${what} mappings` : `Show all ${mappings.length.toLocaleString()} ${what} mappings`}
          >
            {all ? `Show the first ${HISTORY_TOP}` : `Show all ${mappings.length.toLocaleString()}`}
          </Button>
        </Box>
      ) : null}
    </SpaceBetween>
  );
}
