// End-to-end: billing (issue 13) on the demo's cost history: the overview's month to date, cost
// anomalies acknowledged and resolved through their dialogs (a stale one explained with Reload),
// a customer's billing page (stacked chart of the API's top 8 services and Other with its
// estimated days marked, accounts, movers, range), an admin's Fetch now for one customer listed in
// the runs, an export import refused by row and column then accepted, the parts of one export
// chosen together and summed in one request, a customer billed in two currencies (the chart's
// Currency switch, thresholds in each currency, the overview sorted within one currency), a shared
// link's from/to without range=custom, settings saved with the version read, discovered accounts
// added (a warning for a suspended one), absent values as a labelled dash (never "None"), an
// engineer reading without admin controls, and every billing table fitting its container at 1440x900.
import { overflowingTables } from "./newuser.mjs";
import { apiAs, escape, signedIn } from "./people.mjs";

const ADMIN = "ada.admin@demo.customer-central.dev";
const ENGINEER = "erin.engineer@demo.customer-central.dev";
const KIND = { step: "Step up", spike: "Spike", drift: "Drift", new_service: "New service" };
const label = (a) => `${KIND[a.finding.kind]} in ${a.service} (${a.account})`;

/** Counts the POSTs to `path` from now on (a double click must send one). */
export function posts(page, path) {
  let n = 0;
  const seen = (req) => {
    if (req.method() === "POST" && new URL(req.url()).pathname === path) n++;
  };
  page.on("request", seen);
  return { count: () => n, stop: () => page.off("request", seen) };
}

/** The demo writes its cost history in the background after start-up: wait for it and its anomalies. */
async function demoCosts(page) {
  for (let i = 0; i < 120; i++) {
    const overview = await apiAs(page, "GET", "/api/v1/billing/overview");
    const open = await apiAs(page, "GET", "/api/v1/billing/anomalies?status=open");
    const acme = overview.body?.customers?.find((c) => c.customer === "acme-retail");
    const customers = new Set((open.body?.items ?? []).map((a) => a.customer));
    if (acme?.month_to_date?.length && customers.has("acme-retail") && customers.has("driftwood-media")) return open.body.items;
    await page.waitForTimeout(500);
  }
  throw new Error("the demo cost history (with open anomalies at acme-retail and driftwood-media) never appeared");
}

export async function billing({ browser, base, step: runStep, shot, axe, fail }) {
  const contexts = [];
  let page;
  const step = (name, fn) =>
    runStep(name, async () => {
      try {
        await fn();
      } catch (err) {
        if (page) await shot(page, "billing-failure").catch(() => {});
        throw err;
      }
    });
  try {
    const ada = await signedIn(browser, base, ADMIN, fail);
    contexts.push(ada.context);
    page = ada.page;
    const open = await demoCosts(page);
    const acme = open.find((a) => a.customer === "acme-retail");
    const drift = open.find((a) => a.customer === "driftwood-media");
    const dialog = page.getByRole("dialog");

    await step("billing: the overview lists every customer's month to date, as of yesterday, sortable", async () => {
      await page.getByRole("link", { name: "Billing", exact: true }).click();
      await page.waitForURL(/\/billing$/);
      await page.getByRole("heading", { level: 1, name: "Billing" }).waitFor();
      await page.getByText(/^As of \d{4}-\d{2}-\d{2} \(the last complete day, UTC\)/).waitFor();
      const row = page.getByRole("row", { name: /Acme Retail/ });
      await row.waitFor();
      if (!/\$[\d,]+\.\d\d/.test(await row.innerText())) throw new Error(`no month-to-date money in the Acme Retail row: ${await row.innerText()}`);
      await page.getByRole("heading", { name: "All customers, month to date" }).waitFor();
      // Customers without data yet say so (the demo seeds only the first few).
      await page.getByText("No cost data yet").first().waitFor();
      // Sort by name: Acme Retail first.
      await page.getByRole("columnheader", { name: /^Customer/ }).getByRole("button").click();
      const first = page.getByRole("row").nth(1);
      if (!/Acme Retail/.test(await first.innerText())) throw new Error(`sorted by name, the first row is ${await first.innerText()}`);
    });
    await shot(page, "billing-01-overview");
    await axe(page, "billing overview");

    await step("billing: acknowledge an open anomaly with a note; it moves to acknowledged", async () => {
      await page.getByRole("link", { name: "Cost anomalies" }).click();
      await page.waitForURL(/\/billing\/anomalies$/);
      await page.getByRole("heading", { level: 1, name: "Cost anomalies" }).waitFor();
      await page.getByRole("button", { name: `Acknowledge ${label(acme)}` }).click();
      await dialog.getByRole("heading", { name: "Acknowledge the anomaly" }).waitFor();
      await dialog.getByRole("textbox", { name: /Note/ }).fill("Looking at the new instances (e2e).");
      await shot(page, "billing-02-acknowledge");
      await axe(page, "billing acknowledge dialog");
      await dialog.getByRole("button", { name: "Acknowledge", exact: true }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByText(`Acknowledged: ${label(acme)} at acme-retail.`).waitFor();
      await page.waitForFunction(() => document.activeElement?.getAttribute("role") === "status", undefined, { timeout: 3000 });
      await page.getByRole("button", { name: `Acknowledge ${label(acme)}` }).waitFor({ state: "detached" });
      await page.getByRole("radio", { name: "Acknowledged", exact: true }).or(page.getByRole("button", { name: "Acknowledged", exact: true })).first().click();
      await page.waitForURL(/status=acknowledged/);
      const row = page.getByRole("row", { name: new RegExp(escape(acme.account)) });
      await row.getByText(/Acknowledged by ada\.admin@demo\.customer-central\.dev/).waitFor();
      await row.getByText("Looking at the new instances (e2e).", { exact: false }).waitFor();
    });
    await shot(page, "billing-03-acknowledged");
    await axe(page, "billing anomalies acknowledged");

    await step("billing: resolving asks for a note, then the anomaly is resolved", async () => {
      await page.getByRole("button", { name: `Resolve ${label(acme)}` }).click();
      await dialog.getByRole("heading", { name: "Resolve the anomaly" }).waitFor();
      await dialog.getByRole("button", { name: "Resolve", exact: true }).click();
      await dialog.getByText(/Say what was done about it/).waitFor();
      await dialog.getByRole("textbox", { name: /Note/ }).fill("A load test left running; stopped (e2e).");
      await dialog.getByRole("button", { name: "Resolve", exact: true }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByText(`Resolved: ${label(acme)} at acme-retail.`).waitFor();
      await page.getByRole("radio", { name: "Resolved", exact: true }).or(page.getByRole("button", { name: "Resolved", exact: true })).first().click();
      await page.waitForURL(/status=resolved/);
      const row = page.getByRole("row", { name: new RegExp(escape(acme.account)) });
      await row.getByText(/Resolved by ada\.admin@demo\.customer-central\.dev/).waitFor();
      await row.getByText("A load test left running; stopped (e2e).", { exact: false }).waitFor();
    });
    await shot(page, "billing-04-resolved");
    await axe(page, "billing anomalies resolved");

    await step("billing: an anomaly changed elsewhere says so, and Reload shows it as it is", async () => {
      await page.getByRole("radio", { name: "Open", exact: true }).or(page.getByRole("button", { name: "Open", exact: true })).first().click();
      await page.getByRole("button", { name: `Acknowledge ${label(drift)}` }).waitFor();
      // Someone else acknowledges it meanwhile (this page still shows version 1).
      const other = await apiAs(page, "POST", `/api/v1/billing/anomalies/${drift.id}/acknowledge`, {
        customer: drift.customer,
        note: "Taken by a colleague (e2e).",
        version: drift.version,
      });
      if (other.status !== 200) throw new Error(`acknowledge elsewhere: HTTP ${other.status} ${JSON.stringify(other.body)}`);
      await page.getByRole("button", { name: `Acknowledge ${label(drift)}` }).click();
      await dialog.getByRole("button", { name: "Acknowledge", exact: true }).click();
      await dialog.getByText("Changed by someone else — reload").waitFor();
      await shot(page, "billing-05-conflict");
      await dialog.getByRole("button", { name: "Reload" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByRole("button", { name: `Acknowledge ${label(drift)}` }).waitFor({ state: "detached" });
    });

    await step("billing: a customer's billing shows the stacked chart, accounts and movers; the range changes", async () => {
      await page.goto(base + "/billing");
      await page.getByRole("link", { name: "Acme Retail billing" }).click();
      await page.waitForURL(/\/customers\/acme-retail\/billing$/);
      await page.getByRole("heading", { level: 1, name: "Acme Retail: billing" }).waitFor();
      // The chart: an SVG with bars, its legend naming the services.
      const chart = page.getByRole("application", { name: "Daily cost by service in USD" });
      await chart.waitFor();
      await page.waitForFunction(() => (document.querySelector('svg[aria-label="Daily cost by service in USD"]')?.querySelectorAll("rect").length ?? 0) > 30);
      if ((await chart.evaluate((svg) => svg.tagName.toLowerCase())) !== "svg") throw new Error("the chart is not an SVG");
      await page.getByText("Amazon Relational Database Service").first().waitFor();
      // The demo's last two days are estimated, as Cost Explorer's are: a dashed line named in the
      // legend, and the note under the chart.
      await page.getByRole("button", { name: /^Estimated from [A-Z][a-z]{2} \d+$/ }).waitFor();
      await page.getByText(/Cost Explorer may still revise these days\.$/).waitFor();
      // The chart asks the API for the top 8 services and Other: at most 9 rows a day, totals whole.
      const asOf = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      const first = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
      const grouped = await apiAs(page, "GET", `/api/v1/billing/costs?customer=acme-retail&from=${first}&to=${asOf}&group=service&top=8`);
      const rows = grouped.body?.rows ?? [];
      if (grouped.status !== 200 || !rows.length || rows.length > 30 * 9 || rows.some((r) => r.account))
        throw new Error(`group=service&top=8: HTTP ${grouped.status}, ${rows.length} rows`);
      const estimated = [...new Set(rows.filter((r) => r.estimated).map((r) => r.period))];
      if (estimated.length !== 2 || !estimated.includes(asOf)) throw new Error(`estimated days: ${estimated.join(", ")}`);
      const accounts = page.getByRole("table").filter({ has: page.getByRole("columnheader", { name: "Share" }) });
      await accounts.getByRole("link", { name: "acme-retail management" }).waitFor();
      await page.getByRole("heading", { name: /Top movers/ }).waitFor();
      await page.getByRole("heading", { name: /Billing settings/ }).waitFor();
      await page.getByRole("heading", { name: /Import a cost export/ }).waitFor();
      await shot(page, "billing-06-customer");
      await shot(page, "billing-06-customer-full-page", true);
      // A full-page shot resizes the window, which folds the side navigation away: start afresh.
      await page.reload();
      await page.getByRole("heading", { level: 1, name: "Acme Retail: billing" }).waitFor();
      await axe(page, "billing customer");
      await page.getByRole("radio", { name: "Last 90 days", exact: true }).or(page.getByRole("button", { name: "Last 90 days", exact: true })).first().click();
      await page.waitForURL(/range=90d/);
      await page.getByText(/ · daily · top 8 services and Other/).waitFor();
      // A custom range: checked as the API checks it, then by month past about three months.
      await page.getByRole("radio", { name: "Custom", exact: true }).or(page.getByRole("button", { name: "Custom", exact: true })).first().click();
      await page.waitForURL(/range=custom/);
      const [from, to] = [page.getByRole("textbox", { name: "From" }), page.getByRole("textbox", { name: "To" })];
      await to.fill("");
      await to.pressSequentially("20200101");
      await page.getByRole("button", { name: "Show", exact: true }).click();
      await page.getByText("The end is before the start.").waitFor();
      const end = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      const start = `${end.slice(0, 7)}-01`.replace(/^(\d{4})-(\d{2})/, (_, y, m) => (m > "06" ? `${y}-${String(m - 6).padStart(2, "0")}` : `${y - 1}-${String(+m + 6).padStart(2, "0")}`));
      await from.fill("");
      await from.pressSequentially(start.replace(/-/g, ""));
      await to.fill("");
      await to.pressSequentially(end.replace(/-/g, ""));
      await page.getByRole("button", { name: "Show", exact: true }).click();
      await page.waitForURL(new RegExp(`range=custom&from=${start}&to=${end}`));
      await page.getByText(/ · by month · top 8 services and Other/).waitFor();
      await page.getByRole("application", { name: "Monthly cost by service in USD" }).waitFor();
      // A bad range in the address: its message at once, and no other range's data behind it.
      await page.goto(base + "/customers/acme-retail/billing?range=custom&from=2026-11-20&to=2026-11-10");
      await page.getByText("This range cannot be shown").waitFor();
      await page.getByText("The end is before the start.").first().waitFor();
      if (await page.getByText(/ · daily · top 8 services and Other/).count()) throw new Error("a bad range in the address still shows a range's costs");
    });

    await step("billing: the admin fetches now for one customer and sees the run listed", async () => {
      await page.getByRole("link", { name: "Fetch costs now" }).click();
      await page.waitForURL(/\/billing\/runs/);
      await page.getByRole("heading", { level: 1, name: "Fetch runs" }).waitFor();
      // Opened from Acme Retail's billing: the dialog is open, with the customer chosen.
      await dialog.getByRole("heading", { name: "Fetch costs now" }).waitFor();
      await dialog.getByText("Acme Retail").first().waitFor();
      await shot(page, "billing-07-fetch-now");
      await axe(page, "billing fetch now dialog");
      // A double click starts one run.
      const runs = posts(page, "/api/v1/billing/runs");
      await dialog.getByRole("button", { name: "Fetch now" }).dblclick();
      await dialog.waitFor({ state: "hidden" });
      if (runs.count() !== 1) throw new Error(`a double click on Fetch now sent ${runs.count()} requests`);
      runs.stop();
      await page.getByText(/^Fetch for Acme Retail done: /).waitFor();
      const row = page.getByRole("row", { name: /Fetch now by ada\.admin@demo\.customer-central\.dev/ }).first();
      await row.getByRole("link", { name: "acme-retail" }).waitFor();
      await row.getByText(/Cost Explorer needs a read role|Fetched/).first().waitFor();
    });
    await shot(page, "billing-08-runs");
    await axe(page, "billing runs");

    await step("billing: the customer's page says what its last fetch did, and why it was skipped", async () => {
      await page.goto(base + "/customers/acme-retail/billing");
      await page.getByText(/^Last fetch, /).waitFor();
      await page.getByText(/Cost Explorer needs a read role/).first().waitFor();
    });

    await step("billing: the admin imports an export; a bad row names its row and column and stores nothing", async () => {
      const day = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
      const next = new Date(Date.now() - 39 * 86_400_000).toISOString().slice(0, 10);
      const header = "BillingAccountId,SubAccountId,ServiceName,ChargePeriodStart,ChargePeriodEnd,BilledCost,BillingCurrency,ProviderName";
      const row = (cost) => `999900001111,999900001111,Amazon Kinesis,${day}T00:00:00Z,${next}T00:00:00Z,${cost},USD,AWS`;
      await page.goto(base + "/customers/granite-insurance/billing");
      await page.getByRole("heading", { name: /Import a cost export/ }).waitFor();
      const input = page.locator('input[type="file"]');
      await input.setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from([header, row("12.50"), row("twelve")].join("\n") + "\n") });
      await page.getByRole("button", { name: "Import", exact: true }).click();
      await page.getByText("Not imported: nothing was stored").waitFor();
      await page.getByText(/row 3/).waitFor();
      await page.getByText(/BilledCost/).first().waitFor();
      await shot(page, "billing-09-import-refused");
      await page.getByRole("button", { name: "Remove bad.csv" }).click();
      await input.setInputFiles({ name: "good.csv", mimeType: "text/csv", buffer: Buffer.from([header, row("12.50"), row("7.25")].join("\n") + "\n") });
      await page.getByText("Not imported: nothing was stored").waitFor({ state: "detached" });
      const imports = posts(page, "/api/v1/billing/imports");
      await page.getByRole("button", { name: "Import", exact: true }).dblclick();
      await page.getByText("Imported: 1 daily cell written").waitFor();
      await page.waitForTimeout(300);
      if (imports.count() !== 1) throw new Error(`a double click on Import sent ${imports.count()} requests`);
      imports.stop();
      await page.getByText("Accounts that are not this customer's in the hub").waitFor();
      await page.getByText("999900001111", { exact: true }).waitFor();
      // Nothing skipped is a dash that says so, not the word "None".
      await page.getByText("No rows skipped").waitFor();
      if (await page.getByText("None", { exact: true }).count()) throw new Error("the import summary shows 'None'");
      await shot(page, "billing-10-imported");
      await axe(page, "billing import summary");
    });

    await step("billing: the parts of one export are chosen together, listed, and sent in one request that sums them", async () => {
      // Two parts of one EUR export with the same (account, service, day): summed, 12.50 + 7.25.
      const day = new Date(Date.now() - 5 * 86_400_000).toISOString().slice(0, 10);
      const next = new Date(Date.now() - 4 * 86_400_000).toISOString().slice(0, 10);
      const header = "BillingAccountId,SubAccountId,ServiceName,ChargePeriodStart,ChargePeriodEnd,BilledCost,BillingCurrency,ProviderName";
      const part = (cost) => Buffer.from(`${header}\n999900002222,999900002222,Amazon Kinesis,${day}T00:00:00Z,${next}T00:00:00Z,${cost},EUR,AWS\n`);
      await page.goto(base + "/customers/granite-insurance/billing");
      await page.getByRole("heading", { name: /Import a cost export/ }).waitFor();
      await page.locator('input[type="file"]').setInputFiles([
        { name: "export-00001.csv", mimeType: "text/csv", buffer: part("12.50") },
        { name: "export-00002.csv", mimeType: "text/csv", buffer: part("7.25") },
      ]);
      // Both listed, each removable, and the button says how many go.
      await page.getByRole("button", { name: "Remove export-00001.csv" }).waitFor();
      await page.getByRole("button", { name: "Remove export-00002.csv" }).waitFor();
      const imports = [];
      const seen = (req) => {
        if (req.method() === "POST" && new URL(req.url()).pathname === "/api/v1/billing/imports") imports.push(req.headers()["content-type"] ?? "");
      };
      page.on("request", seen);
      await page.getByRole("button", { name: "Import 2 files", exact: true }).click();
      await page.getByText("Imported: 1 daily cell written").waitFor();
      page.off("request", seen);
      if (imports.length !== 1) throw new Error(`two parts sent in ${imports.length} requests`);
      if (!imports[0].startsWith("multipart/form-data; boundary=")) throw new Error(`the parts were sent as ${imports[0]}`);
      // The API read both files of that one request, by name.
      await page.getByText("Files (2), summed").waitFor();
      await page.getByText("export-00001.csv: 1 row").waitFor();
      await page.getByText("export-00002.csv: 1 row").waitFor();
      await shot(page, "billing-10b-imported-parts");
      const costs = await apiAs(page, "GET", `/api/v1/billing/costs?customer=granite-insurance&account=999900002222&from=${day}&to=${day}`);
      const total = costs.body?.total?.find((t) => t.currency === "EUR")?.amount;
      if (Math.abs((total ?? 0) - 19.75) > 1e-9) throw new Error(`the parts were not summed: ${JSON.stringify(costs.body?.total)}`);
      // Choosing one part twice is refused before anything is sent.
      // The parts stay listed after the import; choosing one of them again is refused before anything is sent.
      await page.locator('input[type="file"]').setInputFiles([{ name: "export-00001.csv", mimeType: "text/csv", buffer: part("12.50") }]);
      await page.getByText("export-00001.csv is chosen twice").waitFor();
    });

    await step("billing: a customer billed in two currencies switches the chart's currency; thresholds say which currency", async () => {
      await page.goto(base + "/customers/granite-insurance/billing");
      await page.getByRole("heading", { level: 1, name: "Granite Insurance: billing" }).waitFor();
      // The largest first (the demo's USD), EUR a click away; the address keeps the choice.
      await page.getByRole("application", { name: "Daily cost by service in USD" }).waitFor();
      await page.getByText(/shown in USD; also billed in EUR/).waitFor();
      await page.getByRole("radio", { name: "EUR", exact: true }).or(page.getByRole("button", { name: "EUR", exact: true })).first().click();
      await page.waitForURL(/currency=EUR/);
      await page.getByRole("application", { name: "Daily cost by service in EUR" }).waitFor();
      await page.getByText(/shown in EUR; also billed in USD/).waitFor();
      await page.getByRole("button", { name: "Amazon Kinesis" }).first().waitFor();
      await shot(page, "billing-10c-chart-eur");
      // A range change keeps the currency.
      await page.getByRole("radio", { name: "Last 90 days", exact: true }).or(page.getByRole("button", { name: "Last 90 days", exact: true })).first().click();
      await page.waitForURL(/range=90d/);
      if (!/currency=EUR/.test(page.url())) throw new Error(`the range change dropped the currency: ${page.url()}`);
      await page.getByRole("application", { name: "Daily cost by service in EUR" }).waitFor();
      // The absolute threshold applies in each billing currency, and says so.
      await page.getByRole("spinbutton", { name: "Smallest impact (in each billing currency: USD, EUR)" }).waitFor();
    });
    await axe(page, "billing two currencies");

    await step("billing: the overview sorts month to date within one currency, and says which", async () => {
      await page.goto(base + "/billing");
      const table = page.getByRole("table", { name: "Customers' month-to-date costs" });
      await table.getByRole("row", { name: /Granite Insurance/ }).waitFor();
      await page.getByText(/^Sorted by the amount in USD; customers without USD costs after them/).waitFor();
      const first = async () => (await table.getByRole("row").nth(1).innerText()).split("\n")[0];
      // In USD Granite Insurance is not first (its USD month is not the largest)...
      if ((await first()).includes("Granite Insurance")) throw new Error("Granite Insurance leads the USD order");
      // ...in EUR it is: the one customer billed in EUR, sorted by its euros, not its dollars.
      await page.getByRole("button", { name: /Sort amounts in/ }).click();
      await page.getByRole("option", { name: "EUR" }).click();
      await page.getByText(/^Sorted by the amount in EUR; customers without EUR costs after them/).waitFor();
      if (!(await first()).includes("Granite Insurance")) throw new Error(`sorted in EUR, the first row is ${await first()}`);
      // Its EUR line comes first in its cells: the line it is sorted by.
      const cell = await table.getByRole("row", { name: /Granite Insurance/ }).getByRole("cell").nth(0).innerText();
      if (!/^€/.test(cell.trim())) throw new Error(`Granite Insurance's month to date does not start with its euros: ${cell}`);
      await shot(page, "billing-10d-overview-eur");
    });
    await axe(page, "billing overview sorted in EUR");

    await step("billing: a shared link with from and to shows those days, without range=custom; bad ones say so", async () => {
      const to = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
      const from = new Date(Date.now() - 24 * 86_400_000).toISOString().slice(0, 10);
      await page.goto(base + `/customers/acme-retail/billing?from=${from}&to=${to}`);
      await page.getByText(`${from} – ${to} · daily · top 8 services and Other`).waitFor();
      const custom = page.getByRole("radio", { name: "Custom", exact: true });
      if ((await custom.count()) && !(await custom.isChecked())) throw new Error("the range picker does not say Custom");
      if ((await page.getByRole("textbox", { name: "From" }).inputValue()) !== from) throw new Error("the From input does not show the link's day");
      const accounts = page.getByRole("heading", { name: /^Accounts/ });
      await accounts.waitFor();
      await page.goto(base + `/customers/acme-retail/billing?from=${to}&to=${from}`);
      await page.getByText("This range cannot be shown").waitFor();
      await page.getByText("The end is before the start.").first().waitFor();
      if (await page.getByText(/ · daily · top 8 services and Other/).count()) throw new Error("a bad shared range still shows a range's costs");
    });

    await step("billing: the admin saves billing settings with the version read", async () => {
      await page.goto(base + "/customers/granite-insurance/billing");
      const impact = page.getByRole("spinbutton", { name: /Smallest impact/ });
      await impact.fill("60");
      await page.getByRole("button", { name: "Save settings" }).click();
      await page.getByText("Settings saved.").waitFor();
      const saved = await apiAs(page, "GET", "/api/v1/billing/settings/granite-insurance");
      if (saved.body?.thresholds?.min_impact !== 60 || saved.body?.version !== 1) throw new Error(`saved ${JSON.stringify(saved.body)}`);
    });

    await step("billing: the admin adds discovered accounts, warned about a suspended one; the list refreshes", async () => {
      // A fetch through Cobalt Health's management account reads its organisation: two accounts the
      // hub lacks, one active and one suspended (the local Organizations stand-in).
      const run = await apiAs(page, "POST", "/api/v1/billing/runs", { customer: "cobalt-health" });
      if (run.status >= 300) throw new Error(`fetch: HTTP ${run.status} ${JSON.stringify(run.body)}`);
      const org = await apiAs(page, "GET", "/api/v1/billing/organizations/cobalt-health");
      const active = org.body?.discovered?.find((d) => !d.flagged);
      const suspended = org.body?.discovered?.find((d) => d.flagged);
      if (!active || !suspended) throw new Error(`discovered: ${JSON.stringify(org.body?.discovered)}`);
      await page.goto(base + "/customers/cobalt-health/billing");
      const table = page.getByRole("table").filter({ has: page.getByRole("columnheader", { name: "E-mail" }) });
      await table.getByRole("row", { name: new RegExp(active.id) }).waitFor();
      // Nothing flagged among the hub's accounts: a dash, not "None".
      await page.getByText("No hub account flagged").waitFor();
      if (await page.getByText("None", { exact: true }).count()) throw new Error("the organisation section shows 'None'");
      await page.getByRole("checkbox", { name: `Select ${active.name} (${active.id})` }).check();
      await page.getByRole("checkbox", { name: `Select ${suspended.name} (${suspended.id})` }).check();
      await page.getByRole("button", { name: "Add 2 accounts to the hub" }).click();
      await dialog.getByRole("heading", { name: "Add 2 accounts to the hub" }).waitFor();
      await dialog.getByText("1 selected account is not active").waitFor();
      await dialog.getByText(new RegExp(`${suspended.id}\\): suspended`)).waitFor();
      await page.waitForTimeout(300); // the dialog's fade-in, for the screenshot
      await shot(page, "billing-11-add-discovered-warning");
      await axe(page, "billing add discovered dialog");
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "hidden" });
      // Only the active one, then: no warning.
      await page.getByRole("checkbox", { name: `Select ${suspended.name} (${suspended.id})` }).uncheck();
      await page.getByRole("button", { name: "Add 1 account to the hub" }).click();
      await dialog.getByRole("heading", { name: "Add 1 account to the hub" }).waitFor();
      if (await dialog.getByText(/not active/).count()) throw new Error("a warning for an active account");
      const adds = posts(page, "/api/v1/billing/organizations/cobalt-health/discovered");
      await dialog.getByRole("button", { name: "Add 1 account", exact: true }).dblclick();
      await dialog.waitFor({ state: "hidden" });
      await page.getByText(`Added 1 account to Cobalt Health in the hub: ${active.name} (${active.id}).`).waitFor();
      if (adds.count() !== 1) throw new Error(`a double click on Add sent ${adds.count()} requests`);
      adds.stop();
      // The list is read again: the added account leaves it, the suspended one stays.
      await table.getByRole("row", { name: new RegExp(active.id) }).waitFor({ state: "detached" });
      await table.getByRole("row", { name: new RegExp(suspended.id) }).waitFor();
      const added = await apiAs(page, "GET", `/api/v1/accounts/${active.id}`);
      if (added.status !== 200 || added.body?.customer !== "cobalt-health") throw new Error(`the added account: HTTP ${added.status} ${JSON.stringify(added.body)}`);
      await shot(page, "billing-12-discovered-added");
    });

    await step("billing: absent values are a dash that says what is absent, never 'None' (an account without console links)", async () => {
      // An account without an alias, whose console links the API answers with none (every account
      // the hub can store has one today: the answer is stood in for, to see how none is shown).
      const id = "999900003333";
      const created = await apiAs(page, "POST", "/api/v1/accounts", {
        id,
        customer: "granite-insurance",
        name: "no-links sandbox",
        environment: "non-prod",
        region: "eu-west-1",
        access: {
          method: "role",
          read_role_arn: `arn:aws:iam::${id}:role/CustomerCentralRead`,
          breakglass_role_arn: `arn:aws:iam::${id}:role/CustomerCentralBreakglass`,
          external_id: "cc-granite-e2e",
        },
      });
      if (created.status !== 201) throw new Error(`account: HTTP ${created.status} ${JSON.stringify(created.body)}`);
      await page.route(`**/api/v1/accounts/${id}/console-links*`, (route) =>
        route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ items: [], next_cursor: null }) }),
      );
      try {
        await page.goto(base + `/customers/granite-insurance?account=${id}`);
        const row = page.getByRole("row", { name: /no-links sandbox/ });
        await row.getByText("No console link").waitFor();
        const region = page.getByRole("region", { name: "Account no-links sandbox" });
        await region.getByText("No alias").waitFor();
        await region.getByText("No console link").waitFor();
        if (await page.getByText(/^(None|null|undefined)$/).count()) throw new Error("the customer page shows 'None', 'null' or 'undefined'");
        await shot(page, "billing-13-no-console-link");
      } finally {
        await page.unroute(`**/api/v1/accounts/${id}/console-links*`);
      }
    });

    await step("billing: an engineer reads billing without Fetch now, settings edits or imports", async () => {
      const erin = await signedIn(browser, base, ENGINEER, fail);
      contexts.push(erin.context);
      await erin.page.goto(base + "/billing/runs");
      await erin.page.getByRole("heading", { level: 1, name: "Fetch runs" }).waitFor();
      if (await erin.page.getByRole("button", { name: "Fetch now" }).count()) throw new Error("an engineer is offered Fetch now");
      await erin.page.goto(base + "/customers/acme-retail/billing");
      await erin.page.getByRole("heading", { name: /Billing settings/ }).waitFor();
      await erin.page.getByText("Cost metric").waitFor();
      if (await erin.page.getByRole("button", { name: "Save settings" }).count()) throw new Error("an engineer may edit billing settings");
      if (await erin.page.getByRole("heading", { name: /Import a cost export/ }).count()) throw new Error("an engineer is offered an import");
      // The threshold in the customer's one currency.
      await erin.page.getByText("Smallest impact raised").waitFor();
      await erin.page.getByText("$50.00", { exact: true }).waitFor();
      // No Add for discovered accounts either.
      await erin.page.goto(base + "/customers/cobalt-health/billing");
      await erin.page.getByRole("heading", { name: /Discovered accounts/ }).waitFor();
      if (await erin.page.getByRole("button", { name: /Add .*to the hub/ }).count()) throw new Error("an engineer may add discovered accounts");
    });

    await step("billing: every billing table fits its container at 1440x900", async () => {
      const problems = [];
      for (const path of ["/billing", "/billing/anomalies?status=resolved", "/billing/runs", "/customers/acme-retail/billing", "/customers/borealis-energy/billing?range=90d"]) {
        await page.goto(base + path);
        await page.locator("table").first().waitFor();
        await page.waitForLoadState("networkidle");
        await page.waitForTimeout(300);
        for (const bad of await overflowingTables(page)) problems.push(`${path}: ${bad}`);
      }
      if (problems.length) throw new Error(`tables wider than their container: ${problems.join("; ")}`);
    });
  } finally {
    for (const c of contexts) await c.close();
  }
}
