// End-to-end: what an admin can do that the API allows beyond editing (issue 12, ui-gaps): move an
// account to another customer, delete an account (refused while breakglass access on it is open;
// End open access first), revoke someone else's active grant with a reason, and delete a customer
// (refused while it owns accounts, saying what to do). Runs last on the demo server: it deletes data.
import { apiWith as call, devToken as token, escape } from "./people.mjs";

const ADMIN = "ada.admin@demo.customer-central.dev";
const ENGINEER = "erin.engineer@demo.customer-central.dev";
const APPROVERS = ["sam.senior@demo.customer-central.dev", "sasha.senior@demo.customer-central.dev"];
const SOURCE = "borealis-energy"; // erin and sam are on its team
// Accounts of SOURCE the other modules use: left alone.
const USED = new Set(["100000013943", "100000484230"]);
const TARGET = { code: "e2e-move-target", name: "Move Target (e2e)" };

async function must(result, what) {
  if (result.status >= 300) throw new Error(`${what}: HTTP ${result.status} ${JSON.stringify(result.body)}`);
  return result.body;
}

export async function runAdminActionsE2E({ browser, base, step: runStep, shot, axe }) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (err) => console.error(`FAIL page error (admin actions e2e): ${err.message}`));
  const step = (name, fn) =>
    runStep(name, async () => {
      try {
        await fn();
      } catch (err) {
        await shot(page, "actions-failure").catch(() => {});
        throw err;
      }
    });
  const admin = await token(base, ADMIN);
  const erin = await token(base, ENGINEER);
  const approvers = await Promise.all(APPROVERS.map((e) => token(base, e)));
  const dialog = page.getByRole("dialog");

  /** erin asks for `account`, approvers approve as often as the policy needs: an active grant. */
  const activeGrant = async (account) => {
    const created = await must(
      await call(base, erin, "POST", "/access-requests", {
        account_id: account,
        duration_minutes: 60,
        justification: "End-to-end check of what an admin can end and delete.",
        ticket: "OPS-4242",
      }),
      "create request",
    );
    for (let i = 0; i < created.approvals_required; i++) {
      await must(
        await call(base, approvers[i], "POST", `/access-requests/${created.id}/decisions`, { decision: "approve", comment: "e2e" }),
        "approve",
      );
    }
    for (let i = 0; i < 50; i++) {
      const seen = await must(await call(base, erin, "GET", `/access-requests/${created.id}`), "read request");
      if (seen.status === "active") return seen;
      await page.waitForTimeout(200);
    }
    throw new Error(`request ${created.id} never became active`);
  };

  /** Opens the Actions menu of an account row and picks `item`. */
  const rowAction = async (account, item) => {
    await page.getByRole("button", { name: `More actions for ${account.name} (${account.id})`, exact: true }).click();
    await page.getByRole("menuitem", { name: item, exact: true }).click();
    await dialog.waitFor();
  };

  /** After a dialog's action, focus lands on the line saying what happened (its row may be gone). */
  const focusOnNotice = () =>
    page
      .waitForFunction(() => document.activeElement?.getAttribute("role") === "status", undefined, { timeout: 3000 })
      .catch(async () => {
        const at = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
        throw new Error(`focus is on ${at}, not the message saying what happened`);
      });

  try {
    await must(await call(base, admin, "POST", "/customers", { code: TARGET.code, name: TARGET.name, status: "active", notes: "" }), "create the target");
    const accounts = (await must(await call(base, admin, "GET", `/accounts?customer=${SOURCE}&limit=200`), "list")).items.filter(
      (a) => !USED.has(a.id) && a.access.method === "role",
    );
    if (accounts.length < 3) throw new Error(`${SOURCE} has only ${accounts.length} spare role accounts`);
    const [moved, deleted, revoked] = accounts;

    await step("actions: the admin moves an account to a customer picked by search", async () => {
      await page.goto(base + "/sign-in");
      await page.getByRole("radio", { name: new RegExp(escape(ADMIN)) }).check();
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/customers$/);
      await page.goto(`${base}/admin/customers/${SOURCE}?tab=accounts`);
      await page.getByRole("heading", { name: /AWS accounts/ }).waitFor();
      await rowAction(moved, "Move to another customer");
      await dialog.getByText("What moves with it").waitFor();
      await dialog.getByRole("button", { name: "Move account" }).click();
      await dialog.getByText("Choose the customer the account moves to.").waitFor();
      await dialog.getByRole("button", { name: /New customer/ }).click();
      await page.getByRole("combobox", { name: "Search customers by name or code" }).or(page.getByRole("searchbox", { name: "Search customers by name or code" })).first().fill("move target");
      await page.getByRole("option", { name: new RegExp(escape(TARGET.name)) }).click();
      await shot(page, "actions-01-move");
      await axe(page, "actions-move");
      await dialog.getByRole("button", { name: "Move account" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByText(new RegExp(`^Moved ${escape(moved.name)} \\(${moved.id}\\) to ${escape(TARGET.name)}\\.$`)).waitFor();
      await focusOnNotice();
      await page.getByRole("row", { name: new RegExp(moved.id) }).waitFor({ state: "detached" });
      const now = await must(await call(base, admin, "GET", `/accounts/${moved.id}`), "read the account");
      if (now.customer !== TARGET.code) throw new Error(`the account is at ${now.customer}`);
    });

    await step("actions: Delete is refused while a grant is open; End open access (with a reason) ends it; then it deletes", async () => {
      const grant = await activeGrant(deleted.id);
      await rowAction(deleted, "Delete");
      await dialog.getByRole("button", { name: "Delete account" }).click();
      await dialog.getByText("Not deleted").waitFor();
      await dialog.getByText(/open breakglass request/).waitFor();
      await dialog.getByText(/choose End open access in the account's Actions menu/).waitFor();
      await shot(page, "actions-02-delete-refused");
      await axe(page, "actions-delete-refused");
      await dialog.getByRole("button", { name: "Keep account" }).click();
      await dialog.waitFor({ state: "hidden" });
      await rowAction(deleted, "End open access");
      await dialog.getByRole("button", { name: "End access now" }).click();
      await dialog.getByText(/Say why the access ends/).waitFor();
      await dialog.getByRole("textbox", { name: "Reason" }).fill("The account leaves the hub (e2e).");
      await dialog.getByRole("button", { name: "End access now" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByText(/^Ended 1 open breakglass request or grant on /).waitFor();
      await focusOnNotice();
      const ended = await must(await call(base, erin, "GET", `/access-requests/${grant.id}`), "read the grant");
      if (ended.status === "active") throw new Error("the grant is still active");
      await rowAction(deleted, "Delete");
      await dialog.getByRole("button", { name: "Delete account" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByText(`Deleted ${deleted.name} (${deleted.id}).`).waitFor();
      await page.getByRole("row", { name: new RegExp(deleted.id) }).waitFor({ state: "detached" });
      await focusOnNotice();
      const gone = await call(base, admin, "GET", `/accounts/${deleted.id}`);
      if (gone.status !== 404) throw new Error(`the deleted account answers ${gone.status}`);
    });

    await step("actions: the admin revokes someone else's active grant with a reason (Everyone's sessions)", async () => {
      const grant = await activeGrant(revoked.id);
      await page.goto(`${base}/breakglass/sessions?scope=all`);
      await page.getByRole("heading", { level: 1, name: /All active sessions/ }).waitFor();
      await page.getByRole("button", { name: `Revoke access to ${revoked.name} (${revoked.id})` }).click();
      await dialog.getByRole("textbox", { name: "Reason" }).fill("Revoked by the admin (e2e).");
      await dialog.getByRole("button", { name: "Revoke now" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByRole("region", { name: `Session on ${revoked.name} (${revoked.id})` }).waitFor({ state: "detached" });
      const after = await must(await call(base, erin, "GET", `/access-requests/${grant.id}`), "read the grant");
      if (after.end_reason !== "revoked") throw new Error(`the grant ended as ${after.status}/${after.end_reason}`);
    });

    await step("actions: End all access on a customer; deleting it while it owns accounts says what to do; empty, it deletes", async () => {
      await page.goto(`${base}/admin/customers/${TARGET.code}`);
      await page.getByRole("heading", { level: 1, name: TARGET.name }).waitFor();
      // End all access first (nothing is open on it: the API says how many it ended).
      await page.getByRole("button", { name: "End all access" }).click();
      await dialog.getByRole("textbox", { name: "Reason" }).fill("The customer leaves the hub (e2e).");
      await dialog.getByRole("button", { name: "End access now" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByText(`Ended 0 open breakglass requests and grants on ${TARGET.name}'s accounts.`).waitFor();
      await page.getByRole("button", { name: "Delete customer" }).click();
      await dialog.getByRole("button", { name: "Delete customer" }).click();
      await dialog.getByText(/still owns 1 account\(s\); move or delete them first/).waitFor();
      await dialog.getByText(/set its status to Offboarded/).waitFor();
      await shot(page, "actions-03-customer-has-accounts");
      await axe(page, "actions-customer-has-accounts");
      await dialog.getByRole("button", { name: "Go to its accounts" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.waitForURL(/tab=accounts/);
      await rowAction(moved, "Delete");
      await dialog.getByRole("button", { name: "Delete account" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByText(`Deleted ${moved.name} (${moved.id}).`).waitFor();
      await focusOnNotice();
      await page.getByRole("button", { name: "Delete customer" }).click();
      await dialog.getByRole("button", { name: "Delete customer" }).click();
      await page.waitForURL(/\/admin\/customers$/);
      await page.getByText(`Deleted customer ${TARGET.name} (${TARGET.code}).`).waitFor();
      await page.getByRole("link", { name: "Kestrel Aviation" }).waitFor();
      if (await page.getByRole("link", { name: TARGET.name }).count()) throw new Error("the deleted customer is still listed");
      const gone = await call(base, admin, "GET", `/customers/${TARGET.code}`);
      if (gone.status !== 404) throw new Error(`the deleted customer answers ${gone.status}`);
    });
    await shot(page, "actions-04-customer-deleted");
    await axe(page, "actions-customer-deleted");
  } finally {
    await ctx.close();
  }
}
