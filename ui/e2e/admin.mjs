// End-to-end steps for the profiles page and the admin pages (issue 12). Called once from run.mjs with
// its browser, the server's base URL and its step/shot/axe helpers; opens its own browser contexts.
import { readFileSync } from "node:fs";
import { apiWith as apiCall, devToken as token, escape } from "./people.mjs";

const ADMIN = "ada.admin@demo.customer-central.dev";
const ENGINEER = "erin.engineer@demo.customer-central.dev";
// A customer the engineer's team works on and that other modules leave alone.
const CUSTOMER = "kestrel-aviation";
const CONFLICT_NOTE = "Changed through the API while the form was open (e2e).";

async function signIn(page, base, email) {
  await page.goto(base + "/sign-in");
  await page.getByRole("radio", { name: new RegExp(escape(email)) }).check();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/customers$/);
}

/** Chooses an option of a Cloudscape Select by its label. */
async function choose(page, label, option) {
  await page.getByRole("button", { name: new RegExp(`^${escape(label)}`) }).first().click();
  await page.getByRole("option", { name: option, exact: true }).click();
}

export async function runAdminE2E({ browser, base, step: runStep, shot, axe }) {
  const engineerCtx = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const adminCtx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await engineerCtx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  const eng = await engineerCtx.newPage();
  const adm = await adminCtx.newPage();
  for (const p of [eng, adm]) {
    p.setDefaultTimeout(15_000);
    p.on("pageerror", (err) => console.error(`FAIL page error (admin e2e): ${err.message}`));
  }
  let current = eng;
  const step = (name, fn) =>
    runStep(name, async () => {
      try {
        await fn();
      } catch (err) {
        await shot(current, "admin-failure").catch(() => {});
        throw err;
      }
    });
  const engTok = await token(base, ENGINEER);
  const admTok = await token(base, ADMIN);

  try {
    // ---------------- profiles (the engineer's own) ----------------
    const preview = eng.getByRole("region", { name: "Profiles preview (AWS config)" });
    const summary = eng.getByText(/^\d+ profiles? · \d+ SSO sessions · \d+ lines$/);
    const profileCount = async () => Number((await summary.textContent()).match(/^(\d+)/)[1]);
    let all = 0;

    await step("profiles: the preview shows my profiles, and the same count as the API", async () => {
      await signIn(eng, base, ENGINEER);
      await eng.getByRole("link", { name: "Profiles", exact: true }).click();
      await eng.waitForURL(/\/profiles$/);
      await eng.getByRole("heading", { level: 1, name: "AWS profiles" }).waitFor();
      await preview.getByText("[sso-session", { exact: false }).first().waitFor();
      all = await profileCount();
      const api = await apiCall(base, engTok, "GET", "/profiles?format=json");
      if (api.body.profiles.length !== all) throw new Error(`page says ${all} profiles, the API ${api.body.profiles.length}`);
      if (all < 10) throw new Error(`only ${all} profiles`);
      await eng.getByText("cc profiles sync", { exact: true }).waitFor();
      await eng.getByText(/without.*|stay exactly as they are/).first().waitFor();
      if ((await eng.title()) !== "AWS profiles · Customer Central") throw new Error(`title ${await eng.title()}`);
    });
    await shot(eng, "profiles-01-preview");
    await axe(eng, "profiles");

    await step("profiles: a filter changes the preview and the sync command", async () => {
      await choose(eng, "Environment", "Production");
      await eng.getByText("cc profiles sync --environment prod", { exact: true }).waitFor();
      await eng.waitForFunction(
        (before) => {
          const m = document.body.innerText.match(/(\d+) profiles? · \d+ SSO sessions/);
          return m && Number(m[1]) < before && Number(m[1]) > 0;
        },
        all,
      );
      // The INI text and the JSON counts are two requests: wait for the text too.
      await eng.waitForFunction(() => {
        const pre = document.querySelector('[aria-label="Profiles preview (AWS config)"]');
        return pre && pre.textContent.includes("env=prod") && !pre.textContent.includes("env=non-prod");
      });
      const api = await apiCall(base, engTok, "GET", "/profiles?format=json&environment=prod");
      if (api.body.profiles.length !== (await profileCount())) throw new Error("filtered count differs from the API's");
    });
    await shot(eng, "profiles-02-filtered");

    await step("profiles: Download saves the INI as customer-central.aws-config", async () => {
      const [download] = await Promise.all([
        eng.waitForEvent("download"),
        eng.getByRole("button", { name: "Download" }).click(),
      ]);
      if (download.suggestedFilename() !== "customer-central.aws-config") {
        throw new Error(`file name ${download.suggestedFilename()}`);
      }
      const content = readFileSync(await download.path(), "utf8");
      if (!/^(\[sso-session [^\]]+\]|# cc: |\[profile [^\]]+\])/.test(content)) {
        throw new Error(`the file does not start like an AWS config: ${JSON.stringify(content.slice(0, 80))}`);
      }
      if (!content.includes("sso_start_url = ") || content.includes("env=non-prod")) throw new Error("the file is not the filtered INI");
    });

    await step("profiles: Copy puts the command and the profiles on the clipboard", async () => {
      await eng.getByRole("button", { name: "Copy the sync command" }).click();
      await eng.getByText("Command copied").waitFor();
      const command = await eng.evaluate(() => navigator.clipboard.readText());
      if (command !== "cc profiles sync --environment prod") throw new Error(`clipboard: ${command}`);
      await eng.getByRole("button", { name: "Copy to clipboard" }).click();
      await eng.getByText("Profiles copied").waitFor();
      const ini = await eng.evaluate(() => navigator.clipboard.readText());
      if (!ini.startsWith("[sso-session ") || ini.includes("env=non-prod")) throw new Error(`clipboard: ${ini.slice(0, 60)}`);
    });

    await step("profiles: the template shows in the command and the names; a bad template is refused", async () => {
      await eng.getByRole("textbox", { name: "Naming template" }).fill("{env}-{account}-{role}");
      await eng
        .getByText("cc profiles sync --environment prod --template '{env}-{account}-{role}'", { exact: true })
        .waitFor();
      await preview.getByText("[profile prod-", { exact: false }).first().waitFor();
      await eng.getByRole("textbox", { name: "Naming template" }).fill("{bogus}");
      await eng.getByText(/Unknown placeholder \{bogus\}/).waitFor();
      await eng.getByRole("textbox", { name: "Naming template" }).fill("");
      await eng.getByText("cc profiles sync --environment prod", { exact: true }).waitFor();
    });

    // ---------------- an engineer and the admin pages ----------------
    await step("an engineer sees no Admin section, and an admin URL says not allowed", async () => {
      const nav = eng.getByRole("navigation", { name: "Side navigation" });
      await nav.getByRole("link", { name: "Profiles" }).waitFor();
      if (await nav.getByText("Admin", { exact: true }).count()) throw new Error("the engineer sees the Admin section");
      await eng.goto(`${base}/admin/customers/${CUSTOMER}?tab=policy`);
      await eng.getByRole("heading", { level: 1, name: "Not allowed" }).waitFor();
      await eng.getByText(/the admin pages need the admin role/).waitFor();
      if (await eng.getByRole("button", { name: "Save policy" }).count()) throw new Error("the policy form is shown");
    });
    await shot(eng, "admin-00-engineer-not-allowed");
    await axe(eng, "admin-not-allowed");

    // ---------------- admin ----------------
    current = adm;
    await step("admin: the Admin section lists the customers", async () => {
      await signIn(adm, base, ADMIN);
      const nav = adm.getByRole("navigation", { name: "Side navigation" });
      await nav.getByText("Admin", { exact: true }).waitFor();
      await nav.getByRole("link", { name: "Customers and accounts" }).click();
      await adm.waitForURL(/\/admin\/customers$/);
      await adm.getByRole("heading", { level: 1, name: /Admin: customers/ }).waitFor();
      await adm.getByRole("link", { name: "Kestrel Aviation" }).waitFor();
    });
    await shot(adm, "admin-01-customers");
    await axe(adm, "admin-customers");

    await step("admin: Add customer validates as the API documents, and shows the API's refusal", async () => {
      await adm.getByRole("button", { name: "Add customer" }).click();
      const dialog = adm.getByRole("dialog");
      await dialog.waitFor();
      await dialog.getByRole("textbox", { name: "Code" }).fill("Bad Code");
      await dialog.getByRole("button", { name: "Add customer" }).click();
      await dialog.getByText(/2-32 characters of a-z, 0-9 and '-'/).waitFor();
      await dialog.getByText(/Name must be 1-120 characters/).waitFor();
      await shot(adm, "admin-02-add-customer-invalid");
      await axe(adm, "admin-add-customer");
      // A code that is taken: only the API knows, and its message is shown.
      await dialog.getByRole("textbox", { name: "Code" }).fill(CUSTOMER);
      await dialog.getByRole("textbox", { name: "Name" }).fill("Kestrel again");
      await dialog.getByRole("button", { name: "Add customer" }).click();
      await dialog.getByText("Not added").waitFor();
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.getByRole("button", { name: "Discard changes" }).click();
      await dialog.waitFor({ state: "hidden" });
    });

    await step("admin: Add customer opens fresh after a failed attempt (no old error, no old values)", async () => {
      await adm.getByRole("button", { name: "Add customer" }).click();
      const dialog = adm.getByRole("dialog");
      await dialog.getByRole("textbox", { name: "Code" }).waitFor();
      const code = await dialog.getByRole("textbox", { name: "Code" }).inputValue();
      const name = await dialog.getByRole("textbox", { name: "Name" }).inputValue();
      if (code || name) throw new Error(`the dialog reopened with code ${JSON.stringify(code)}, name ${JSON.stringify(name)}`);
      if (await dialog.getByText("Not added").count()) throw new Error("the dialog reopened with the old error");
      if (await dialog.getByText(/2-32 characters of a-z/).count()) throw new Error("the dialog reopened with an old field error");
      // Untouched: Cancel closes without asking.
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "hidden" });
    });

    await step("admin: a customer's details form", async () => {
      await adm.getByRole("link", { name: "Kestrel Aviation" }).click();
      await adm.waitForURL(new RegExp(`/admin/customers/${CUSTOMER}$`));
      await adm.getByRole("heading", { level: 1, name: "Kestrel Aviation" }).waitFor();
      await adm.getByRole("button", { name: "Save details" }).waitFor();
    });
    await shot(adm, "admin-03-customer-details");
    // No full-page shot here: Chromium resizes the page for it, and Cloudscape's layout may take the
    // moment for a narrow screen and close the side navigation the later steps use.
    await axe(adm, "admin-customer-details");

    await step("admin: a conflict shows 'Changed by someone else — reload', and Reload keeps the page", async () => {
      await adm.getByRole("textbox", { name: "Notes", exact: true }).fill("My edit from the UI.");
      const changed = await apiCall(base, admTok, "PATCH", `/customers/${CUSTOMER}`, { notes: CONFLICT_NOTE });
      if (changed.status !== 200) throw new Error(`API change: HTTP ${changed.status}`);
      await adm.getByRole("button", { name: "Save details" }).click();
      await adm.getByText("Changed by someone else — reload").waitFor();
      await adm.waitForTimeout(500); // the alert fades in
      await shot(adm, "admin-04-conflict");
      await axe(adm, "admin-conflict");
      const url = adm.url();
      await adm.getByRole("button", { name: "Reload" }).click();
      await adm.getByText("Changed by someone else — reload").waitFor({ state: "detached" });
      if (adm.url() !== url) throw new Error(`Reload moved from ${url} to ${adm.url()}`);
      // The form is rebuilt from the fresh customer (it is keyed by the version): poll for it.
      let notes = "";
      for (let i = 0; i < 50 && notes !== CONFLICT_NOTE; i++) {
        notes = await adm.getByRole("textbox", { name: "Notes", exact: true }).inputValue().catch(() => "");
        if (notes !== CONFLICT_NOTE) await adm.waitForTimeout(100);
      }
      if (notes !== CONFLICT_NOTE) throw new Error(`after Reload the notes are ${JSON.stringify(notes)}`);
      // And now the save goes through.
      await adm.getByRole("textbox", { name: "Notes", exact: true }).fill(`${CONFLICT_NOTE} Then edited in the UI.`);
      await adm.getByRole("button", { name: "Save details" }).click();
      await adm.getByText("Saved.").waitFor();
    });

    await step("admin: the approval policy needs two approvers", async () => {
      await adm.getByRole("tab", { name: "Approval policy" }).click();
      await adm.waitForURL(/tab=policy/);
      await adm.getByRole("button", { name: "Save policy" }).waitFor();
      await choose(adm, "Approvals needed", "2 approvers");
      await adm.getByRole("button", { name: "Save policy" }).click();
      await adm.getByText("Policy saved.").waitFor();
      const policy = await apiCall(base, admTok, "GET", `/customers/${CUSTOMER}/approval-policy`);
      if (policy.body.approvals_required !== 2) throw new Error(`policy says ${policy.body.approvals_required}`);
    });
    await shot(adm, "admin-05-policy");
    await axe(adm, "admin-policy");

    await step("an engineer's new breakglass request under that policy needs two approvals", async () => {
      const accounts = await apiCall(base, engTok, "GET", `/accounts?customer=${CUSTOMER}&limit=50`);
      let made;
      const refusals = [];
      for (const account of accounts.body.items) {
        const r = await apiCall(base, engTok, "POST", "/access-requests", {
          account_id: account.id,
          duration_minutes: 60,
          justification: "End-to-end check of the two-approver policy set in the admin UI.",
          ticket: "OPS-1234",
        });
        if (r.status === 201) {
          made = r.body;
          break;
        }
        refusals.push(`${account.id}: ${r.status} ${r.body?.error?.message}`);
      }
      if (!made) throw new Error(`no request could be made: ${refusals.slice(0, 3).join("; ")}`);
      if (made.approvals_required !== 2) throw new Error(`the request needs ${made.approvals_required} approvals`);
      // Leave nothing open for other checks.
      const cancelled = await apiCall(base, engTok, "POST", `/access-requests/${made.id}/cancel`, {});
      if (cancelled.status >= 300) console.log(`note: cancelling ${made.id}: HTTP ${cancelled.status}`);
    });

    await step("admin: the accounts tab and its form (SSO and IAM role access)", async () => {
      await adm.getByRole("tab", { name: /Accounts/ }).click();
      await adm.waitForURL(/tab=accounts/);
      await adm.getByRole("heading", { name: /AWS accounts/ }).waitFor();
      await adm.getByRole("button", { name: /^Edit kestrel-aviation management/ }).waitFor();
    });
    await shot(adm, "admin-06-accounts");
    await axe(adm, "admin-accounts");

    await step("admin: editing an account checks its fields and shows the API's field errors", async () => {
      await adm.getByRole("button", { name: /^Edit kestrel-aviation management/ }).click();
      const dialog = adm.getByRole("dialog");
      await dialog.getByRole("textbox", { name: "External id" }).waitFor();
      await shot(adm, "admin-07-account-edit");
      await axe(adm, "admin-account-edit");
      await dialog.getByRole("textbox", { name: "External id" }).fill("x");
      await dialog.getByRole("button", { name: "Save account" }).click();
      await dialog.getByText("2-1224 characters of letters, digits and +=,.@:/-").first().waitFor();
      await dialog.getByRole("radio", { name: /IAM Identity Center/ }).check();
      await dialog.getByRole("textbox", { name: "SSO start URL" }).waitFor();
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.getByRole("button", { name: "Discard changes" }).click();
      await dialog.waitFor({ state: "hidden" });
      await adm.getByRole("button", { name: "Add account" }).click();
      await dialog.getByRole("textbox", { name: "Account id" }).fill("100000079323");
      await dialog.getByRole("textbox", { name: "Name" }).fill("a second copy");
      await dialog.getByRole("textbox", { name: "Home region" }).fill("eu-west-1");
      await dialog.getByRole("textbox", { name: "Read role ARN" }).fill("arn:aws:iam::100000079323:role/Read");
      await dialog.getByRole("textbox", { name: "Breakglass role ARN" }).fill("arn:aws:iam::100000079323:role/Breakglass");
      await dialog.getByRole("textbox", { name: "External id" }).fill("cc-e2e");
      await dialog.getByRole("button", { name: "Add account" }).click();
      await dialog.getByText("account 100000079323 is already in the hub").waitFor();
      await shot(adm, "admin-08-account-api-error");
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.getByRole("button", { name: "Discard changes" }).click();
      await dialog.waitFor({ state: "hidden" });
    });

    await step("admin: a conflict inside the account dialog reloads the dialog in place", async () => {
      const accounts = await apiCall(base, admTok, "GET", `/accounts?customer=${CUSTOMER}&limit=50`);
      const target = accounts.body.items.find((a) => a.name === "identity prod");
      if (!target) throw new Error("no 'identity prod' account");
      await adm.getByRole("button", { name: "Edit identity prod", exact: true }).click();
      const dialog = adm.getByRole("dialog");
      const alias = dialog.getByRole("textbox", { name: "Alias (optional)" });
      await alias.waitFor();
      const changed = await apiCall(base, admTok, "PATCH", `/accounts/${target.id}`, { alias: "changed-by-the-api" });
      if (changed.status !== 200) throw new Error(`API change: HTTP ${changed.status}`);
      await alias.fill("changed-in-the-ui");
      await dialog.getByRole("button", { name: "Save account" }).click();
      await dialog.getByText("Changed by someone else — reload").waitFor();
      await dialog.getByRole("button", { name: "Reload" }).click();
      await dialog.getByText("Changed by someone else — reload").waitFor({ state: "detached" });
      // The dialog is rebuilt from the fresh account (it is keyed by the version): poll for it.
      let value = "";
      for (let i = 0; i < 50 && value !== "changed-by-the-api"; i++) {
        value = await alias.inputValue().catch(() => "");
        if (value !== "changed-by-the-api") await adm.waitForTimeout(100);
      }
      if (value !== "changed-by-the-api") throw new Error(`alias after Reload: ${value}`);
      await alias.fill("changed-in-the-ui");
      await dialog.getByRole("button", { name: "Save account" }).click();
      await dialog.waitFor({ state: "hidden" });
      await adm.getByText("changed-in-the-ui").waitFor();
    });

    await step("admin: Import accounts: a 2-row CSV creates 2; again it is refused row by row; with skip, 2 skipped; a changed row is named", async () => {
      const ids = ["210987650001", "210987650002"];
      const csv = (rows) =>
        Buffer.from(
          "id,customer,name,environment,region,access.method,read_role_arn,breakglass_role_arn,external_id\n" +
            rows.map(([id, name, env]) => `${id},${CUSTOMER},${name},${env},eu-west-1,role,arn:aws:iam::${id}:role/CustomerCentralRead,arn:aws:iam::${id}:role/CustomerCentralBreakglass,cc-e2e-import\n`).join(""),
        );
      const file = { name: "accounts.csv", mimeType: "text/csv", buffer: csv([[ids[0], "imported one", "prod"], [ids[1], "imported two", "non-prod"]]) };
      const dialog = adm.getByRole("dialog");
      const result = dialog.getByLabel("Import result");
      const focusOnResult = () =>
        adm
          .waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "Import result", undefined, { timeout: 3000 })
          .catch(async () => {
            const at = await adm.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
            throw new Error(`focus is on ${at}, not the import's result`);
          });
      await adm.getByRole("tab", { name: /Accounts/ }).click();
      await adm.getByRole("button", { name: "Import accounts" }).click();
      await dialog.getByRole("heading", { name: "Import accounts" }).waitFor();
      await dialog.locator('input[type="file"]').setInputFiles(file);
      await dialog.getByText("accounts.csv").waitFor();
      // A double click imports once: no "already in the hub" from a second request over the success.
      const posts = [];
      const seen = (req) => req.method() === "POST" && new URL(req.url()).pathname === "/api/v1/accounts/bulk" && posts.push(req);
      adm.on("request", seen);
      await dialog.getByRole("button", { name: "Import", exact: true }).dblclick();
      await result.getByText("Imported: 2 accounts created").waitFor();
      await adm.waitForTimeout(300);
      adm.off("request", seen);
      if (posts.length !== 1) throw new Error(`a double click on Import sent ${posts.length} requests`);
      await result.getByText("Imported: 2 accounts created").waitFor();
      await focusOnResult();
      await shot(adm, "admin-09-import-created");
      await axe(adm, "admin-import-created");

      // The same file again: refused, each row named; with the checkbox, both skipped.
      await dialog.getByRole("button", { name: "Import", exact: true }).click();
      await result.getByText("Not imported: nothing was written").waitFor();
      await focusOnResult();
      const problems = result.getByRole("table", { name: "Problems by row" });
      await problems.getByRole("row", { name: new RegExp(`^1 id account ${ids[0]} is already in the hub`) }).waitFor();
      await problems.getByRole("row", { name: new RegExp(`^2 id account ${ids[1]} is already in the hub`) }).waitFor();
      await shot(adm, "admin-10-import-refused");
      await axe(adm, "admin-import-refused");
      await dialog.getByRole("checkbox", { name: "Skip accounts already in the hub" }).check();
      await dialog.getByRole("button", { name: "Import", exact: true }).click();
      await result.getByText("Imported: 0 accounts created, 2 skipped").waitFor();
      await result.getByText("2 skipped accounts are already in the hub as in the file.").waitFor();
      await focusOnResult();
      await shot(adm, "admin-11-import-skipped");

      // A changed name is skipped too, and named as differing.
      await dialog.locator('input[type="file"]').setInputFiles({ ...file, buffer: csv([[ids[0], "renamed in the file", "prod"]]) });
      await dialog.getByRole("button", { name: "Import", exact: true }).click();
      await result.getByText("Imported: 0 accounts created, 1 skipped (1 differs from the hub)").waitFor();
      await result
        .getByRole("table", { name: "Skipped accounts to review" })
        .getByRole("row", { name: new RegExp(`^1 ${ids[0]} Already in the hub; differs in name`) })
        .waitFor();
      await shot(adm, "admin-12-import-differs");
      await axe(adm, "admin-import-differs");
      // The footer's Close (the icon button in the header is called Close too, without text).
      await dialog.getByRole("button", { name: "Close", exact: true }).filter({ hasText: "Close" }).click();
      await dialog.waitFor({ state: "hidden" });
      await adm.getByRole("button", { name: "Edit imported two", exact: true }).waitFor();
      for (const id of ids) {
        const got = await apiCall(base, admTok, "GET", `/accounts/${id}`);
        if (got.status !== 200 || got.body.customer !== CUSTOMER) throw new Error(`${id}: HTTP ${got.status}`);
      }
    });

    await step("admin: contacts and team tabs", async () => {
      await adm.getByRole("tab", { name: "Contacts" }).click();
      await adm.getByRole("heading", { name: /Key contacts/ }).waitFor();
      await adm.getByRole("button", { name: /^Edit / }).first().waitFor();
    });
    await shot(adm, "admin-09-contacts");
    await axe(adm, "admin-contacts");
    await step("admin: the team form says what a save changes", async () => {
      await adm.getByRole("tab", { name: "Team" }).click();
      const members = adm.getByRole("textbox", { name: "Members" });
      await members.waitFor();
      const before = await members.inputValue();
      await members.fill(`${before}\nnot-an-email`);
      await adm.getByText(/Saving adds not-an-email/).waitFor();
      await adm.getByRole("button", { name: "Save team" }).click();
      await adm.getByText("'not-an-email' is not an e-mail address.").waitFor();
      await members.fill(before);
      await adm.getByText("No changes.").waitFor();
    });
    await shot(adm, "admin-10-team");
    await axe(adm, "admin-team");

    await step("admin: every customer's approval policy at a glance", async () => {
      await adm.getByRole("navigation", { name: "Side navigation" }).getByRole("link", { name: "Approval policies" }).click();
      await adm.waitForURL(/\/admin\/policies$/);
      await adm.getByRole("heading", { level: 1, name: /Admin: approval policies/ }).waitFor();
      const row = adm.getByRole("row", { name: /Kestrel Aviation/ });
      await row.getByText("Version", { exact: false }).waitFor();
      const cells = await row.getByRole("cell").allTextContents();
      if (cells[0] !== "2") throw new Error(`Kestrel's row: ${cells.join(" | ")}`);
    });
    await shot(adm, "admin-11-policies");
    await axe(adm, "admin-policies");

    await step("admin: the profiles page offers every customer", async () => {
      await adm.goto(base + "/profiles");
      // The admin is on no team: nothing until "every customer".
      await adm.getByText(/No profiles match/).waitFor();
      const started = Date.now();
      await adm.getByRole("checkbox", { name: /Every customer/ }).check();
      await adm.getByText("cc profiles sync --all", { exact: true }).waitFor();
      // Every customer's profiles: thousands of lines in one <pre>, not thousands of components.
      await adm.getByText(/^\d+ profiles · \d+ SSO sessions · \d{4,} lines$/).waitFor();
      await adm.getByRole("region", { name: "Profiles preview (AWS config)" }).waitFor();
      const lines = await adm.getByText(/ lines$/).textContent();
      console.log(`note profiles for every customer: ${lines}, shown ${Date.now() - started} ms after the toggle (incl. 400 ms debounce)`);
      // Still responsive: the next interaction answers promptly.
      const t0 = Date.now();
      await choose(adm, "Environment", "Non-production");
      await adm.getByText("cc profiles sync --environment non-prod --all", { exact: true }).waitFor();
      console.log(`note an interaction on the large preview took ${Date.now() - t0} ms`);
    });
    await shot(adm, "profiles-03-admin-all");
  } finally {
    await engineerCtx.close();
    await adminCtx.close();
  }
}
