import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useMemo } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { useMe } from "../../api/hub";
import { useUnmapped, type UnmappedCode } from "../../api/utilisation";
import DateRangeForm from "../../components/DateRangeForm";
import RefreshButton from "../../components/RefreshButton";
import { isAdmin } from "../../components/RequireAdmin";
import RouterLink from "../../components/RouterLink";
import TableEmpty from "../../components/TableEmpty";
import { useDocumentTitle } from "../../components/useDocumentTitle";
import { Email, NoWrap } from "../../components/Wrap";
import { checkOptionalRange } from "../../lib/days";
import { count } from "../../lib/plural";
import { apportionHours, formatHours, suggestPrefix } from "../../lib/utilisation";

/**
 * Hours on task codes no mapping matches, per code, most first (`/utilisation/unmapped`), over a
 * range in the address (`?from=&to=`; none: the API's default, the 90 days to today). An admin maps
 * a code from its row: the task code editor opens with the code (or its prefix) filled in.
 */
export default function UnmappedPage() {
  useDocumentTitle("Unmapped hours");
  const [params, setParams] = useSearchParams();
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? "";
  // A bad range in the address is said by the form, and nothing is asked for it (no other range's
  // hours behind inputs that say otherwise).
  const rangeProblem = checkOptionalRange(from, to);
  const asked = useUnmapped(from, to, !rangeProblem);
  const unmapped = rangeProblem ? { ...asked, data: undefined, isPending: false, isError: false } : asked;
  const me = useMe();
  const admin = isAdmin(me.data?.roles);
  const navigate = useNavigate();
  // Each code's hours rounded so that they add up to the total as shown.
  const items = useMemo(() => {
    const codes = unmapped.data ?? [];
    const hours = apportionHours(codes.map((c) => c.hours));
    return codes.map((c, i) => ({ ...c, hours: hours[i]! }));
  }, [unmapped.data]);
  const total = (unmapped.data ?? []).reduce((n, c) => n + c.hours, 0);
  const setRange = (f: string, t: string) =>
    setParams(f || t ? { ...(f ? { from: f } : {}), ...(t ? { to: t } : {}) } : {}, { replace: true });
  const map = (code: string, prefix: boolean) =>
    navigate(`/utilisation/task-codes?add=${encodeURIComponent(code)}${prefix ? "&prefix=1" : ""}`);

  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="Hours logged on task codes that no mapping sends to a customer. They count for nobody until a code (or a prefix of it) is mapped."
          actions={
            <SpaceBetween direction="horizontal" size="xs" alignItems="center">
              <RouterLink href="/utilisation/task-codes">Task codes</RouterLink>
              <RefreshButton query={unmapped} />
            </SpaceBetween>
          }
        >
          Unmapped hours
        </Header>
      }
    >
      <Table<UnmappedCode>
        wrapLines
        variant="container"
        items={items}
        loading={unmapped.isPending}
        loadingText="Loading unmapped hours"
        trackBy="task_code"
        ariaLabels={{ tableLabel: "Unmapped hours by task code" }}
        header={
          <Header
            variant="h2"
            counter={unmapped.data ? `(${items.length})` : undefined}
            description={
              rangeProblem
                ? "No range shown"
                : (from || to ? `${from || "90 days before the end"} – ${to || "today"}` : "The last 90 days to today (UTC)") +
                  (unmapped.data ? ` · ${formatHours(total)} on ${count(items.length, "code")}` : "")
            }
          >
            Task codes without a mapping
          </Header>
        }
        filter={
          <DateRangeForm
            from={from}
            to={to}
            check={checkOptionalRange}
            onSubmit={setRange}
            fromDescription="Empty: 90 days before the end."
            toDescription="Empty: today (UTC)."
            actions={
              from || to ? (
                <Button variant="link" formAction="none" onClick={() => setRange("", "")}>
                  Last 90 days
                </Button>
              ) : null
            }
          />
        }
        columnDefinitions={[
          {
            id: "code",
            header: "Task code",
            isRowHeader: true,
            cell: (c) => (
              <Box variant="code" tagOverride="span">
                {c.task_code}
              </Box>
            ),
          },
          { id: "hours", header: "Hours", cell: (c) => <NoWrap>{formatHours(c.hours)}</NoWrap> },
          { id: "worklogs", header: "Worklogs", cell: (c) => c.worklogs.toLocaleString() },
          {
            id: "days",
            header: "Logged",
            cell: (c) =>
              c.first_day === c.last_day ? (
                <NoWrap>{c.first_day}</NoWrap>
              ) : (
                <span>
                  <NoWrap>{c.first_day}</NoWrap> – <NoWrap>{c.last_day}</NoWrap>
                </span>
              ),
          },
          {
            id: "people",
            header: "By",
            cell: (c) => (
              <SpaceBetween size="xxxs">
                {c.people.slice(0, 3).map((p) => (
                  <Email key={p} address={p} clamp={2} />
                ))}
                {c.people.length > 3 ? (
                  <Box variant="small" color="text-body-secondary">
                    and {count(c.people.length - 3, "other")}
                  </Box>
                ) : null}
              </SpaceBetween>
            ),
          },
          ...(admin
            ? [
                {
                  id: "map",
                  header: "Map",
                  cell: (c: UnmappedCode) => {
                    const prefix = suggestPrefix(c.task_code);
                    return (
                      <SpaceBetween direction="horizontal" size="xs">
                        <Button variant="inline-link" onClick={() => map(c.task_code, false)}>
                          Map {c.task_code}
                        </Button>
                        {prefix ? (
                          <Button variant="inline-link" onClick={() => map(prefix, true)}>
                            Map {prefix}…
                          </Button>
                        ) : null}
                      </SpaceBetween>
                    );
                  },
                },
              ]
            : []),
        ]}
        empty={
          <TableEmpty query={unmapped}>
            {rangeProblem ? (
              "No range shown: correct the days and choose Show."
            ) : (
              <SpaceBetween size="xxs">
                <b>No unmapped hours</b>
                <span>Every hour logged in this range counts for a customer.</span>
              </SpaceBetween>
            )}
          </TableEmpty>
        }
      />
    </ContentLayout>
  );
}
