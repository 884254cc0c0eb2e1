// End-to-end: what a new user found (ui-fixes). Each step drives the flow a person uses:
// stale search results never get picked, SSO grants show the access portal instead of credentials,
// credential_process never silently runs a bare `cc`, tables fit at 1440 px with ticket links,
// revoked grants show when they ended, times carry their zone, focus after Escape / invalid submit,
// a skip link, confirmation before cancelling, and navigation by role.

import { apiAs, escape, signedIn } from "./people.mjs";

const ENGINEER = "erin.engineer@demo.customer-central.dev";
const SENIOR = "sam.senior@demo.customer-central.dev";
const ADMIN_ONLY = "ada.admin@demo.customer-central.dev";
const ROLE_ACCOUNT = { id: "100000013943", name: "borealis-energy management" };
const TICKET_ACCOUNT = "100000484230"; // borealis-energy identity prod (role)
const SSO_ACCOUNT = "100000480863"; // acme-retail payments prod (SSO: SRE-Breakglass)
const LONG_TICKET = `https://jira.example.com/browse/OPS-4242?focusedCommentId=${"1234567890".repeat(7)}&page=com.atlassian.jira.plugin.system.issuetabpanels`;
const ZONE = /\b(UTC|GMT([+-]\d{1,2}(:\d{2})?)?|[A-Z]{2,5}T)\b/;

async function must(result, what) {
  if (result.status >= 300) throw new Error(`${what}: HTTP ${result.status} ${JSON.stringify(result.body)}`);
  return result.body;
}

/** A request made and approved through the API (erin asks, sam approves as often as needed). */
export async function activeGrant(erin, sam, body) {
  const created = await must(await apiAs(erin, "POST", "/api/v1/access-requests", body), "create request");
  for (let i = 0; i < created.approvals_required; i++) {
    const approver = i === 0 ? sam : null;
    if (!approver) throw new Error(`the demo policy needs ${created.approvals_required} approvals`);
    await must(
      await apiAs(approver, "POST", `/api/v1/access-requests/${created.id}/decisions`, { decision: "approve", comment: "ok for the e2e run" }),
      "approve",
    );
  }
  for (let i = 0; i < 50; i++) {
    const seen = await must(await apiAs(erin, "GET", `/api/v1/access-requests/${created.id}`), "read request");
    if (seen.status === "active") return seen;
    await erin.waitForTimeout(200);
  }
  throw new Error(`request ${created.id} never became active`);
}

const activeIsInvalid = (page) => page.evaluate(() => document.activeElement?.getAttribute("aria-invalid") === "true");

export async function fixes({ browser, base, step, shot, axe, fail }) {
  const contexts = [];
  let current;
  try {
    const erin = await signedIn(browser, base, ENGINEER, fail);
    const sam = await signedIn(browser, base, SENIOR, fail);
    contexts.push(erin.context, sam.context);
    current = erin.page;

    await step("fixes: navigation shows breakglass items only to roles that can use them", async () => {
      const ada = await signedIn(browser, base, ADMIN_ONLY, fail);
      contexts.push(ada.context);
      const links = async (page) => {
        const nav = page.getByRole("navigation", { name: "Side navigation" });
        await nav.getByRole("link", { name: "My requests" }).waitFor();
        await page.waitForLoadState("networkidle");
        return {
          request: await nav.getByRole("link", { name: "Request access" }).count(),
          approve: await nav.getByRole("link", { name: "Waiting for my approval" }).count(),
        };
      };
      const a = await links(ada.page);
      if (a.request || a.approve) throw new Error(`the admin-only user sees ${JSON.stringify(a)}`);
      const e = await links(erin.page);
      if (!e.request || e.approve) throw new Error(`the engineer sees ${JSON.stringify(e)}`);
      const s = await links(sam.page);
      if (!s.request || !s.approve) throw new Error(`the senior sees ${JSON.stringify(s)}`);
      await shot(ada.page, "fx-01-admin-only-nav");
      await ada.context.close();
    });

    await step("fixes: 'Skip to main content' is the first tab stop and moves focus to the page", async () => {
      const page = erin.page;
      await page.goto(base + "/breakglass/requests");
      await page.getByRole("heading", { level: 1, name: "My requests" }).waitFor();
      await page.keyboard.press("Tab");
      const first = await page.evaluate(() => document.activeElement?.textContent?.trim());
      if (first !== "Skip to main content") throw new Error(`the first tab stop is "${first}"`);
      await shot(page, "fx-02-skip-link");
      await page.keyboard.press("Enter");
      const inMain = await page.evaluate(() => !!document.activeElement?.closest("#main-content"));
      if (!inMain) throw new Error("Enter on the skip link did not move focus into the main content");
    });

    await step("fixes: an invalid submit moves focus to the first field with an error", async () => {
      const page = erin.page;
      await page.goto(base + "/breakglass/request");
      await page.getByRole("heading", { level: 1, name: "Request breakglass access" }).waitFor();
      await page.getByRole("textbox", { name: /Justification/ }).fill("too short");
      // Submit with the keyboard from the ticket field (Enter submits the form).
      await page.getByRole("textbox", { name: /Ticket/ }).press("Enter");
      await page.getByText("Some fields need attention before this can be sent.", { exact: true }).waitFor();
      await page.waitForFunction(() => document.activeElement?.getAttribute("aria-invalid") === "true");
      if (!(await activeIsInvalid(page))) throw new Error("focus is not on a field with an error");
      const label = await page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent ?? "");
      console.log(`note fixes: focus went to "${label.slice(0, 60)}"`);
    });

    await step("fixes: the account picker never acts on results of an earlier text", async () => {
      const page = erin.page;
      await page.goto(base + "/breakglass/request");
      await page.getByRole("button", { name: /Account/ }).first().click();
      const box = page.getByRole("searchbox", { name: "Search accounts" }).or(page.getByRole("combobox", { name: "Search accounts" })).first();
      await page.getByRole("option").first().waitFor(); // the unfiltered first page is on screen
      await box.pressSequentially(ROLE_ACCOUNT.id, { delay: 5 });
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      await page.waitForTimeout(100);
      const trigger = page.getByRole("button", { name: /Account/ }).first();
      const picked = ((await trigger.textContent()) ?? "").trim();
      if (picked && !picked.includes(ROLE_ACCOUNT.id) && !picked.includes("Choose an account"))
        throw new Error(`Enter right after typing picked "${picked}"`);
      // Once the answer for the text is in, ↓ Enter picks it.
      if (!(await box.isVisible().catch(() => false))) await trigger.click();
      const input = page.getByRole("searchbox", { name: "Search accounts" }).or(page.getByRole("combobox", { name: "Search accounts" })).first();
      if ((await input.inputValue()) !== ROLE_ACCOUNT.id) await input.fill(ROLE_ACCOUNT.id);
      await page.getByRole("option", { name: new RegExp(escape(ROLE_ACCOUNT.name)) }).waitFor();
      const options = await page.getByRole("option").count();
      if (options !== 1) throw new Error(`${options} options for the account id, expected 1`);
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      await page.getByRole("button", { name: new RegExp(`${escape(ROLE_ACCOUNT.name)} \\(${ROLE_ACCOUNT.id}\\)`) }).first().waitFor();
    });
    await shot(erin.page, "fx-03-picker");

    await step("fixes: the start time says which time zone it is in", async () => {
      const page = erin.page;
      await page.getByRole("checkbox", { name: "Schedule a start time" }).check();
      const input = page.getByPlaceholder("hh:mm");
      await input.waitFor();
      const name = (await input.getAttribute("aria-label")) ?? "";
      if (!/\(.+\)/.test(name)) throw new Error(`the start time input is labelled "${name}"`);
      await page.getByText(/Times are in your time zone/).waitFor();
      await page.getByText(/^Your time zone: /).waitFor();
      await shot(page, "fx-04-start-zone");
      await page.getByRole("checkbox", { name: "Schedule a start time" }).uncheck();
    });

    let ticketRequest;
    await step("fixes: approvals fit at 1440 px with a long ticket URL, as a safe link, naming the customer", async () => {
      ticketRequest = await must(
        await apiAs(erin.page, "POST", "/api/v1/access-requests", {
          account_id: TICKET_ACCOUNT,
          duration_minutes: 60,
          justification: `Rotate the identity provider signing keys after the incident ${"x".repeat(120)}`,
          ticket: LONG_TICKET,
        }),
        "create the long-ticket request",
      );
      const page = sam.page;
      current = page;
      await page.goto(base + "/breakglass/approvals");
      await page.getByRole("heading", { level: 1, name: "Waiting for my approval" }).waitFor();
      const approve = page.getByRole("button", { name: new RegExp(`^Approve ${escape(ENGINEER)}'s request for identity prod`) });
      await approve.waitFor();
      const boxes = [];
      for (const name of [/^Approve /, /^Reject /]) {
        const all = page.getByRole("button", { name });
        for (let i = 0; i < (await all.count()); i++) boxes.push(await all.nth(i).boundingBox());
      }
      const width = await page.evaluate(() => window.innerWidth);
      for (const box of boxes) if (!box || box.x + box.width > width) throw new Error(`a decision button is off-screen: ${JSON.stringify(box)} in ${width}`);
      const scrolls = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
      if (scrolls) throw new Error("the page scrolls sideways");
      const link = page.getByRole("link", { name: /^jira\.example\.com\/browse/ }).first();
      await link.waitFor();
      if ((await link.getAttribute("rel")) !== "noopener noreferrer") throw new Error(`ticket link rel=${await link.getAttribute("rel")}`);
      if ((await link.getAttribute("href")) !== new URL(LONG_TICKET).href) throw new Error("the ticket link goes elsewhere");
      if (!((await link.textContent()) ?? "").includes("…")) throw new Error("the long ticket is not visibly shortened");
      await page.getByText("Customer borealis-energy").first().waitFor();
      await shot(page, "fx-05-approvals-long-ticket");
      await axe(page, "fixes approvals (long ticket)");
    });

    await step("fixes: Escape closes a dialog and focus returns to the button that opened it", async () => {
      const page = sam.page;
      const reject = page.getByRole("button", { name: new RegExp(`^Reject ${escape(ENGINEER)}'s request for identity prod`) });
      await reject.focus();
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog");
      await dialog.getByRole("textbox", { name: /Comment/ }).waitFor();
      // An invalid submit (a rejection needs a comment) focuses the comment.
      await dialog.getByRole("button", { name: "Reject", exact: true }).click();
      await dialog.getByText("Say why, so the requester knows what to change.").waitFor();
      await page.waitForFunction(() => document.activeElement?.getAttribute("aria-invalid") === "true");
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      await page.waitForFunction(() => /^Reject /.test(document.activeElement?.getAttribute("aria-label") ?? ""));
    });

    await step("fixes: cancelling a request asks first; Escape keeps it and returns focus", async () => {
      const page = erin.page;
      current = page;
      await page.goto(`${base}/breakglass/requests/${ticketRequest.id}`);
      const cancel = page.getByRole("button", { name: "Cancel request" });
      await cancel.focus();
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog");
      await dialog.getByText(/approvers can no longer approve it/).waitFor();
      await shot(page, "fx-06-cancel-confirm");
      await axe(page, "fixes cancel confirmation");
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      await page.waitForFunction(() => document.activeElement?.textContent?.trim() === "Cancel request");
      const still = await must(await apiAs(page, "GET", `/api/v1/access-requests/${ticketRequest.id}`), "read");
      if (still.status !== "pending") throw new Error(`Escape left the request ${still.status}`);
      await cancel.click();
      await dialog.getByRole("button", { name: "Cancel request" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByText("Cancelled", { exact: true }).first().waitFor();
    });

    await step("fixes: an SSO grant shows the access portal and permission set, never credentials", async () => {
      const grant = await activeGrant(erin.page, sam.page, {
        account_id: SSO_ACCOUNT,
        duration_minutes: 60,
        justification: "Check the payments permission set during the incident",
        ticket: "OPS-77",
      });
      const page = erin.page;
      await page.goto(base + "/breakglass/sessions");
      const session = page.getByRole("region", { name: /Session on payments prod/ });
      await session.waitFor();
      await session.getByText("How to use this access (AWS access portal)").waitFor();
      await session.getByRole("link", { name: /^https:\/\/acme-retail\.awsapps\.com\/start/ }).waitFor();
      await session.getByText("[profile acme-retail-payments-prod-sre-breakglass]").waitFor();
      for (const text of [/Get credentials/, /credential_process/]) {
        if (await session.getByText(text).count()) throw new Error(`the SSO session offers ${text}`);
        if (await session.getByRole("button", { name: text }).count()) throw new Error(`the SSO session offers a button ${text}`);
      }
      await shot(page, "fx-07-sso-session", true);
      await axe(page, "fixes SSO session");
      await page.goto(`${base}/breakglass/requests/${grant.id}`);
      await page.getByRole("heading", { name: "How to use this access" }).waitFor();
      await page.getByRole("link", { name: /^https:\/\/acme-retail\.awsapps\.com\/start/ }).first().waitFor();
      if (await page.getByRole("button", { name: /Get credentials/ }).count()) throw new Error("the SSO request offers Get credentials");
      if (await page.getByText(/credential_process =/).count()) throw new Error("the SSO request shows a credential_process line");
      await shot(page, "fx-08-sso-request", true);
      // Revoke it: My requests then shows when it actually ended.
      await must(await apiAs(page, "POST", `/api/v1/access-requests/${grant.id}/revoke`, { reason: "done with the e2e check" }), "revoke");
      const ended = await must(await apiAs(page, "GET", `/api/v1/access-requests/${grant.id}`), "read");
      await page.goto(base + "/breakglass/requests");
      const row = page.getByRole("row", { name: /payments prod/ }).first();
      await row.waitFor();
      const text = (await row.textContent()) ?? "";
      if (!/Ended .+\(revoked\)/.test(text)) throw new Error(`the revoked grant's row reads "${text.slice(0, 200)}"`);
      const shownEnd = await page.evaluate((iso) => new Date(iso).getMinutes(), ended.ended_at);
      if (!text.includes(`:${String(shownEnd).padStart(2, "0")}`)) throw new Error("the row does not show the revoke time");
      if (!ZONE.test(text)) throw new Error(`no time zone in "${text.slice(0, 200)}"`);
      await shot(page, "fx-09-my-requests-ended");
    });

    await step("fixes: a role grant's credential_process line says to use the CLI's full path", async () => {
      const grant = await activeGrant(erin.page, sam.page, {
        account_id: ROLE_ACCOUNT.id,
        duration_minutes: 60,
        justification: "Restart the stuck ingestion workers again",
        ticket: "OPS-78",
      });
      const page = erin.page;
      await page.goto(`${base}/breakglass/requests/${grant.id}`);
      await page.getByText(/credential_process = cc credentials --account 100000013943/).waitFor();
      await page.getByText("Use the full path of the Customer Central CLI").waitFor();
      await shot(page, "fx-10-role-grant-cli-note");
      await must(await apiAs(page, "POST", `/api/v1/access-requests/${grant.id}/revoke`, { reason: "done with the e2e check" }), "revoke");
    });

    await step("fixes: the profiles download never silently runs a bare cc", async () => {
      const page = erin.page;
      await page.goto(base + "/profiles");
      await page.getByRole("heading", { level: 1, name: "AWS profiles" }).waitFor();
      await page.getByRole("region", { name: "Profiles preview (AWS config)" }).waitFor();
      // No breakglass role grant is active now; a bare cc may still be in breakglass role profiles.
      const preview = page.getByRole("region", { name: "Profiles preview (AWS config)" });
      const before = (await preview.textContent()) ?? "";
      if (/^credential_process = cc /m.test(before) || before.includes("credential_process = cc ")) {
        await page.getByText("These profiles run a bare cc").waitFor();
      }
      await page.getByRole("textbox", { name: "Customer Central CLI (full path)" }).fill("/opt/customer-central/bin/cc");
      await page.getByTestId("sync-command").getByText(/^\/opt\/customer-central\/bin\/cc profiles sync/).waitFor();
      await page.waitForFunction(
        () => !/credential_process = cc /.test(document.querySelector('[aria-label="Profiles preview (AWS config)"]')?.textContent ?? ""),
      );
      const after = (await preview.textContent()) ?? "";
      if (before.includes("credential_process") && !after.includes("credential_process = /opt/customer-central/bin/cc credentials"))
        throw new Error("the preview does not run the given CLI path");
      if (await page.getByText("These profiles run a bare cc").count()) throw new Error("the bare-cc warning stayed");
      await shot(page, "fx-11-profiles-cli-path");
      // A path with a space and a quote: quoted as sh and shlex.split (botocore) read it back.
      await page.getByRole("textbox", { name: "Customer Central CLI (full path)" }).fill("/opt/o'brien tools/cc");
      const quoted = "'/opt/o'\\''brien tools/cc'";
      await page.getByTestId("sync-command").getByText(`${quoted} profiles sync`, { exact: true }).waitFor();
      await page.waitForFunction(
        (q) => (document.querySelector('[aria-label="Profiles preview (AWS config)"]')?.textContent ?? "").includes(`credential_process = ${q} credentials`),
        quoted,
      );
      await page.getByRole("textbox", { name: "Customer Central CLI (full path)" }).fill("~/.cargo/bin/cc");
      await page.getByText(/credential_process runs without a shell, so ~ is not expanded/).waitFor();
      await page.getByTestId("sync-command").getByText("~/.cargo/bin/cc profiles sync", { exact: true }).waitFor();
    });
  } catch (err) {
    if (current) await shot(current, "fx-failure").catch(() => {});
    throw err;
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
  }
}
