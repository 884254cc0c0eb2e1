// End-to-end: monthly reports (issue 15) on the demo's reports of Acme Retail (version 1 by the
// schedule, version 2 by the demo lead with a summary): the customer page's link, the months and
// versions with who built each and why and which sections had data, a version's page inline in a
// sandboxed frame, a download button for every output a version lists (PDF whenever one is
// listed), the build dialog's checks (a summary over 20,000 characters refused before sending,
// the API's 400 for a control character shown), a new version built with a summary whose preview
// renders markdown and drops script, the new version listed with the older ones still
// downloadable, the versions compared field by field, and the portfolio list of the month.
import { readFileSync } from "node:fs";
import { overflowingTables } from "./newuser.mjs";
import { apiAs, signedIn } from "./people.mjs";

const LEAD = "lee.lead@demo.customer-central.dev";
const ENGINEER = "erin.engineer@demo.customer-central.dev";
const CUSTOMER = "acme-retail";

/** `cc serve --demo` writes Acme Retail's reports after start-up: wait for the month's two versions. */
async function demoReports(page) {
  for (let i = 0; i < 120; i++) {
    const r = await apiAs(page, "GET", `/api/v1/reports?customer=${CUSTOMER}`);
    const month = r.body?.items?.[0];
    if (month && month.versions >= 2) return month.month;
    await page.waitForTimeout(500);
  }
  throw new Error("the demo reports of acme-retail never appeared");
}

/** Two animation frames: the sandboxed frame (its own process) has painted before a screenshot. */
async function painted(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForTimeout(200);
}

function monthName(month) {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
}

export async function reports({ browser, base, step: runStep, shot, axe, fail }) {
  let page;
  const contexts = [];
  const step = (name, fn) =>
    runStep(name, async () => {
      try {
        await fn();
      } catch (err) {
        if (page) await shot(page, "reports-failure").catch(() => {});
        throw err;
      }
    });
  try {
    const lee = await signedIn(browser, base, LEAD, fail);
    contexts.push(lee.context);
    page = lee.page;
    const month = await demoReports(page);
    const name = monthName(month);
    const versionsTable = () => page.getByRole("table", { name: `Versions of ${name}` });
    const downloads = async (version, format) => {
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: `Download version ${version} as ${format}` }).first().click(),
      ]);
      const file = await download.path();
      return { name: download.suggestedFilename(), text: readFileSync(file, "utf8") };
    };

    await step("reports: the customer page links to the reports; months and versions with who, when, why, sections", async () => {
      await page.goto(`${base}/customers/${CUSTOMER}`);
      await page.getByRole("link", { name: "Monthly reports" }).click();
      await page.waitForURL(new RegExp(`/customers/${CUSTOMER}/reports$`));
      await page.getByRole("heading", { level: 1, name: "Acme Retail: reports" }).waitFor();
      await page.getByRole("table", { name: "Acme Retail's report months" }).getByText(`${name} (shown)`).waitFor();
      const rows = versionsTable().getByRole("row");
      await rows.nth(2).waitFor();
      if ((await rows.count()) !== 3) throw new Error(`expected a header and 2 versions, saw ${await rows.count()} rows`);
      // Newest first: v2 by the lead with the reason given, v1 by the schedule.
      const v2 = rows.nth(1);
      await v2.getByText("Version 2 (shown)").waitFor();
      await v2.getByText(`by ${LEAD}`).waitFor();
      await v2.getByText("summary written").waitFor();
      const v1 = rows.nth(2);
      await v1.getByText("by the monthly schedule").waitFor();
      await v1.getByText("No summary").waitFor();
      await v2.getByRole("list", { name: "Sections" }).getByText("Billing").waitFor();
    });
    await shot(page, "reports-01-versions");
    await shot(page, "reports-01-versions-full", true);
    await axe(page, "reports");

    await step("reports: a download button for each output the version lists (PDF when it has one), none other", async () => {
      const versions = await apiAs(page, "GET", `/api/v1/reports/${CUSTOMER}/${month}/versions`);
      for (const v of versions.body.items) {
        for (const format of ["PDF", "HTML", "JSON"]) {
          const listed = v.outputs.some((o) => o.format.toUpperCase() === format);
          const shown = await versionsTable().getByRole("button", { name: `Download version ${v.version} as ${format}` }).count();
          if ((shown > 0) !== listed) throw new Error(`v${v.version} ${format}: listed ${listed}, button ${shown > 0}`);
        }
      }
    });

    await step("reports: the shown version's page is inline in a sandboxed frame without scripts", async () => {
      const frame = page.getByTitle(`Acme Retail's report for ${name}, version 2`);
      await frame.waitFor();
      if ((await frame.getAttribute("sandbox")) !== "") throw new Error(`sandbox="${await frame.getAttribute("sandbox")}"`);
      const inner = page.frameLocator(`iframe[title="Acme Retail's report for ${name}, version 2"]`);
      await inner.getByText("What we did this month").waitFor();
      await frame.scrollIntoViewIfNeeded();
      await painted(page);
    });
    await shot(page, "reports-02-page-inline");

    await step("reports: the demo's two versions compared: the summary added", async () => {
      const table = page.getByRole("table", { name: "Changes from version 1 to version 2" });
      await table.waitFor();
      // The summary's object added whole reads as its field: data.markdown, added.
      const row = table.getByRole("row").filter({ hasText: "data.markdown" });
      await row.getByText(/What we did this month/).waitFor();
      await row.getByText("Added").waitFor();
      await table.scrollIntoViewIfNeeded();
    });
    await shot(page, "reports-03-compare-demo");

    await step("reports: the build dialog refuses a summary over 20,000 characters before sending", async () => {
      await page.getByRole("button", { name: "Build a new version" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.waitFor();
      // It starts with the month's newest summary.
      const summary = dialog.getByRole("textbox", { name: /Summary \(markdown\)/ });
      if (!(await summary.inputValue()).includes("What we did this month")) throw new Error("the summary did not start as v2's");
      await summary.fill("x".repeat(20_001));
      await dialog.getByRole("button", { name: "Build version" }).click();
      await dialog.getByText("The summary is 20,001 characters; at most 20,000.").waitFor();
      await shot(page, "reports-04-summary-too-long");
    });

    await step("reports: the API's refusal (a control character in the summary) is shown in the dialog", async () => {
      const dialog = page.getByRole("dialog");
      await dialog.getByRole("textbox", { name: /Summary \(markdown\)/ }).fill("bell \u0007 here");
      await dialog.getByRole("button", { name: "Build version" }).click();
      // The API's message under the field it names (the earlier, local error went with the edit).
      await dialog.getByText(/^summary must not contain a control character \(U\+0007/).waitFor();
      if (await dialog.getByText(/20,001 characters/).count()) throw new Error("the old error stayed after the edit");
      await shot(page, "reports-05-api-refusal");
    });

    await step("reports: build a new version with a summary; its preview renders markdown without script", async () => {
      const dialog = page.getByRole("dialog");
      const summary = dialog.getByRole("textbox", { name: /Summary \(markdown\)/ });
      await summary.fill(
        "## Highlights\n\n- **Renewed** the Savings Plan\n- Closed [the ticket](https://example.com/t/1)\n\n<script>alert('x')</script>\n\n| Item | Done |\n|---|---|\n| Patching | yes |",
      );
      await dialog.getByRole("textbox", { name: /Why/ }).fill("Added the month's highlights");
      const preview = dialog.getByRole("region", { name: "Summary preview" });
      await preview.getByRole("heading", { name: "Highlights" }).waitFor();
      await preview.getByRole("link", { name: "the ticket" }).waitFor();
      await preview.getByRole("cell", { name: "Patching" }).waitFor();
      if (await preview.locator("script").count()) throw new Error("the preview kept a script");
      await shot(page, "reports-06-build-dialog");
      await dialog.getByRole("button", { name: "Build version" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByText(`Version 3 of ${name} built`).waitFor();
    });

    await step("reports: the new version is listed newest first, with the older ones", async () => {
      const rows = versionsTable().getByRole("row");
      await rows.nth(3).waitFor();
      if ((await rows.count()) !== 4) throw new Error(`expected 3 versions, saw ${(await rows.count()) - 1}`);
      // The page moved to the new version by itself (no "Leave without saving?" for what was just saved).
      await page.waitForURL(/version=3/);
      if (await page.getByText("Leave without saving?").count()) throw new Error("building asked to leave unsaved changes");
      await rows.nth(1).getByText("Version 3 (shown)").waitFor();
      await rows.nth(1).getByText("Added the month's highlights").waitFor();
      await rows.nth(1).getByText(`by ${LEAD}`).waitFor();
      const inner = page.frameLocator(`iframe[title="Acme Retail's report for ${name}, version 3"]`);
      await inner.getByText("Highlights").first().waitFor();
      await painted(page);
    });
    await shot(page, "reports-07-new-version");

    await step("reports: the old versions are still downloadable (JSON and HTML of v1)", async () => {
      await versionsTable().getByRole("button", { name: "Show version 1" }).click();
      await page.getByTitle(`Acme Retail's report for ${name}, version 1`).waitFor();
      await page.waitForURL(/version=1/);
      const json = await downloads(1, "JSON");
      if (json.name !== `${CUSTOMER}-${month}-v1.json`) throw new Error(`file name ${json.name}`);
      const snap = JSON.parse(json.text);
      if (snap.month !== month || snap.customer?.code !== CUSTOMER) throw new Error("v1's JSON is not acme-retail's month");
      if (snap.summary?.status !== "missing") throw new Error("v1's JSON has a summary: it is not version 1");
      const html = await downloads(1, "HTML");
      if (!/<html/i.test(html.text) || html.text.includes("Highlights")) throw new Error("v1's HTML is not version 1's page");
    });

    await step("reports: compare v2 and v3: the summary's markdown from and to", async () => {
      const table = page.getByRole("table", { name: "Changes from version 2 to version 3" });
      await table.waitFor();
      const row = table.getByRole("row").filter({ hasText: "data.markdown" });
      await row.getByText(/What we did this month/).waitFor();
      await row.getByText(/## Highlights/).waitFor();
      // Pick another pair: v1 to v3.
      await page.getByRole("button", { name: /Compare from version/ }).click();
      await page.getByRole("option", { name: /Version 1/ }).click();
      await page.getByRole("table", { name: "Changes from version 1 to version 3" }).waitFor();
      await page.waitForURL(/from=1&to=3/);
      await page.getByRole("table", { name: "Changes from version 1 to version 3" }).scrollIntoViewIfNeeded();
    });
    await shot(page, "reports-08-compare");

    await step("reports: every table fits its container at 1440x900 (side navigation open)", async () => {
      const problems = [];
      for (const path of [`/customers/${CUSTOMER}/reports?month=${month}&from=2&to=3`, "/reports"]) {
        await page.goto(base + path);
        await page.getByRole("table").first().waitFor();
        await page.waitForTimeout(300);
        for (const bad of await overflowingTables(page)) problems.push(`${path}: ${bad}`);
      }
      if (problems.length) throw new Error(problems.join("; "));
    });

    await step("reports: the portfolio list shows the month's reports by customer", async () => {
      await page.goto(`${base}/reports`);
      const row = page.getByRole("table", { name: `Reports of ${name}` }).getByRole("row").filter({ hasText: CUSTOMER });
      await row.getByRole("link", { name: "Acme Retail" }).waitFor();
      await row.getByText("Added the month's highlights").waitFor();
      await row.getByRole("cell", { name: "3", exact: true }).waitFor();
      await page.getByRole("table", { name: "Monthly schedule runs" }).waitFor();
    });
    await shot(page, "reports-09-portfolio");
    await axe(page, "reports-portfolio");

    await step("reports: an engineer reads the reports; Build only when on the customer's team", async () => {
      const erin = await signedIn(browser, base, ENGINEER, fail);
      contexts.push(erin.context);
      const me = await apiAs(erin.page, "GET", "/api/v1/me");
      const onTeam = me.body.customers.includes(CUSTOMER);
      await erin.page.goto(`${base}/customers/${CUSTOMER}/reports`);
      await erin.page.getByRole("table", { name: `Versions of ${name}` }).getByText("Version 3 (shown)").waitFor();
      const buttons = await erin.page.getByRole("button", { name: "Build a new version" }).count();
      if ((buttons > 0) !== onTeam) throw new Error(`on the team: ${onTeam}, Build shown: ${buttons > 0}`);
      // Off the team, the API refuses too (the button is not the only guard).
      if (!onTeam) {
        const r = await apiAs(erin.page, "POST", "/api/v1/reports", { customer: CUSTOMER, month });
        if (r.status !== 403) throw new Error(`an engineer off the team built a report: ${r.status}`);
      }
    });
  } finally {
    for (const c of contexts) await c.close();
  }
}
