// End-to-end: breakglass access, from request to revoke, across two people (issue 12).
// An engineer asks for access to a demo account; an approver (a senior, and a second approver when
// the customer's policy needs two) approves in a second browser context; the engineer sees the
// session count down, copies credentials and revokes it. The requester never gets an approve
// button, and the API refuses their own approval. axe and a screenshot on every new page.

import { apiAs, escape, signedIn } from "./people.mjs";

const ENGINEER = "erin.engineer@demo.customer-central.dev";
const SENIOR = "sam.senior@demo.customer-central.dev";
const SECOND_APPROVER = "sasha.senior@demo.customer-central.dev";
const ACCOUNT = "borealis-energy management"; // a role-based demo account erin and sam both work on
const OFF_TEAM_ACCOUNT = "driftwood-media management"; // erin is not on driftwood-media's team
const JUSTIFICATION = "Restart the stuck ingestion workers during the outage";
const COUNTDOWN = /^\d{2}:\d{2}:\d{2}$/;

export async function breakglass({ browser, base, step, shot, axe, fail }) {
  const contexts = [];
  let engineer;
  let requestId;
  let current; // the page a failure screenshot shows
  try {
    await step("breakglass: the engineer opens Request access from the side navigation", async () => {
      engineer = await signedIn(browser, base, ENGINEER, fail);
      contexts.push(engineer.context);
      current = engineer.page;
      const page = engineer.page;
      const nav = page.getByRole("navigation", { name: "Side navigation" });
      await nav.getByText("Breakglass").waitFor();
      if (await nav.getByRole("link", { name: "Waiting for my approval" }).count())
        throw new Error("an engineer without an approver role sees 'Waiting for my approval'");
      await nav.getByRole("link", { name: "Request access" }).click();
      await page.waitForURL(/\/breakglass\/request$/);
      await page.getByRole("heading", { level: 1, name: "Request breakglass access" }).waitFor();
      if ((await page.title()) !== "Request breakglass access · Customer Central") throw new Error(`title ${await page.title()}`);
    });

    await step("breakglass: a request the API refuses shows the API's message", async () => {
      // erin is not on driftwood-media's team: the form warns, and the API's 403 is shown as it is.
      const page = engineer.page;
      await page.getByRole("button", { name: /Account/ }).first().click();
      await page.getByRole("searchbox", { name: "Search accounts" }).or(page.getByRole("combobox", { name: "Search accounts" })).first().fill(OFF_TEAM_ACCOUNT);
      await page.getByRole("option", { name: new RegExp(escape(OFF_TEAM_ACCOUNT)) }).first().click();
      await page.getByText("You are not on driftwood-media's team").waitFor();
      await page.getByRole("textbox", { name: /Justification/ }).fill(JUSTIFICATION);
      await page.getByRole("button", { name: "Submit request" }).click();
      await page.getByText("The API refused the request").waitFor();
      await page.getByText(/you are not on customer driftwood-media's team/).waitFor();
      if (!/\/breakglass\/request$/.test(page.url())) throw new Error("left the form after a refusal");
      await shot(page, "bg-02b-request-refused");
      await page.getByRole("textbox", { name: /Justification/ }).fill("");
    });

    await step("breakglass: picks an account by search and sees its policy before sending", async () => {
      const page = engineer.page;
      await page.getByRole("button", { name: /Account/ }).first().click();
      await page.getByRole("searchbox", { name: "Search accounts" }).or(page.getByRole("combobox", { name: "Search accounts" })).first().fill(ACCOUNT);
      await page.getByRole("option", { name: new RegExp(escape(ACCOUNT)) }).first().click();
      await page.getByText("Customer borealis-energy").waitFor();
      await page.getByText(/1 approval \(senior or lead\)|approvals from different people/).waitFor();
      await page.getByText("4 hours", { exact: true }).first().waitFor();
      await page.getByText(/^(Optional|Required): /).first().waitFor();
      await page.getByText("CustomerCentralBreakglass").first().waitFor();
    });
    await shot(engineer.page, "bg-01-request-form");
    await axe(engineer.page, "breakglass request form");

    await step("breakglass: the form checks the justification as the API does, then submits", async () => {
      const page = engineer.page;
      const justification = page.getByRole("textbox", { name: /Justification/ });
      await justification.fill("fix it");
      await page.getByRole("button", { name: "Submit request" }).click();
      await page.getByText("say why in at least a sentence (3+ words, 15+ characters not counting extra spaces)").first().waitFor();
      if (!/\/breakglass\/request$/.test(page.url())) throw new Error("an invalid form was sent");
      await shot(page, "bg-02-request-form-errors");
      await justification.fill(JUSTIFICATION);
      await page.getByRole("textbox", { name: /Ticket/ }).fill("OPS-4242");
      await page.getByRole("button", { name: "Submit request" }).click();
      await page.waitForURL(/\/breakglass\/requests\/[a-z0-9]+$/);
      requestId = page.url().split("/").pop();
      await page.getByRole("heading", { level: 1, name: `Request for ${ACCOUNT}` }).waitFor();
      await page.getByText("Pending", { exact: true }).first().waitFor();
      await page.getByText(JUSTIFICATION).first().waitFor();
    });

    await step("breakglass: the requester has no approve button, and the API refuses their own approval", async () => {
      const page = engineer.page;
      await page.getByRole("button", { name: "Cancel request" }).waitFor();
      await page.getByRole("heading", { name: /Audit trail/ }).waitFor();
      await page.getByText("request created").waitFor();
      for (const name of ["Approve", "Reject"]) {
        if (await page.getByRole("button", { name, exact: true }).count()) throw new Error(`the requester sees ${name}`);
      }
      const refused = await apiAs(page, "POST", `/api/v1/access-requests/${requestId}/decisions`, {
        decision: "approve",
        comment: "my own",
      });
      if (refused.status !== 403 && refused.status !== 409)
        throw new Error(`own approval answered ${refused.status}, expected 403 or 409`);
      if (!refused.body?.error?.message) throw new Error("own approval refused without a message");
      console.log(`note breakglass: own approval refused ${refused.status}: ${refused.body.error.message}`);
    });
    await shot(engineer.page, "bg-03-request-detail-pending");
    await axe(engineer.page, "breakglass request detail (pending)");

    await step("breakglass: My requests lists it with its status badge", async () => {
      const page = engineer.page;
      await page.getByRole("navigation", { name: "Side navigation" }).getByRole("link", { name: "My requests" }).click();
      await page.waitForURL(/\/breakglass\/requests$/);
      await page.getByRole("heading", { level: 1, name: "My requests" }).waitFor();
      const row = page.getByRole("row", { name: new RegExp(escape(ACCOUNT)) }).first();
      await row.waitFor();
      await row.getByText("Pending").waitFor();
    });
    await shot(engineer.page, "bg-04-my-requests");
    await axe(engineer.page, "breakglass my requests");

    let approvalsRequired = 1;
    const approvers = [SENIOR, SECOND_APPROVER];
    for (let i = 0; i < approvalsRequired; i++) {
      const email = approvers[i];
      await step(`breakglass: ${email} approves in a second browser`, async () => {
        const approver = await signedIn(browser, base, email, fail);
        contexts.push(approver.context);
        const page = approver.page;
        current = page;
        await page.getByRole("navigation", { name: "Side navigation" }).getByRole("link", { name: "Waiting for my approval" }).click();
        await page.waitForURL(/\/breakglass\/approvals$/);
        await page.getByRole("heading", { level: 1, name: "Waiting for my approval" }).waitFor();
        const approve = page.getByRole("button", { name: `Approve ${ENGINEER}'s request for ${ACCOUNT}` });
        await approve.waitFor();
        if (i === 0) {
          const seen = await apiAs(page, "GET", `/api/v1/access-requests/${requestId}`);
          approvalsRequired = seen.body?.approvals_required ?? 1;
          if (approvalsRequired > approvers.length) throw new Error(`the demo policy needs ${approvalsRequired} approvals`);
          await shot(page, "bg-05-approvals");
          await axe(page, "breakglass approvals");
        }
        await approve.click();
        const dialog = page.getByRole("dialog");
        await dialog.getByRole("textbox", { name: /Comment/ }).fill(`Approved by ${email} for the outage`);
        if (i === 0) {
          await shot(page, "bg-06-approve-modal");
          await axe(page, "breakglass approve modal");
        }
        await dialog.getByRole("button", { name: "Approve", exact: true }).click();
        await dialog.waitFor({ state: "hidden" });
        await approve.waitFor({ state: "detached" });
      });
    }

    await step("breakglass: the engineer sees the session with a live countdown", async () => {
      const page = engineer.page;
      current = page;
      await page.getByRole("navigation", { name: "Side navigation" }).getByRole("link", { name: "Active sessions" }).click();
      await page.waitForURL(/\/breakglass\/sessions$/);
      await page.getByRole("heading", { level: 1, name: "My active sessions" }).waitFor();
      const session = page.getByRole("region", { name: new RegExp(`Session on ${escape(ACCOUNT)}`) });
      await session.waitFor();
      const countdown = session.getByTestId("countdown");
      const first = (await countdown.textContent())?.trim() ?? "";
      if (!COUNTDOWN.test(first)) throw new Error(`countdown shows "${first}"`);
      await page.waitForTimeout(2100);
      const later = (await countdown.textContent())?.trim() ?? "";
      if (!COUNTDOWN.test(later) || later === first) throw new Error(`countdown did not move: ${first} then ${later}`);
    });

    await step("breakglass: copies credentials (export lines) and gets a console link", async () => {
      const page = engineer.page;
      const session = page.getByRole("region", { name: new RegExp(`Session on ${escape(ACCOUNT)}`) });
      await session.getByText(/credential_process = cc credentials --account \d{12}/).waitFor();
      await session.getByRole("button", { name: new RegExp(`^Get credentials for ${escape(ACCOUNT)}`) }).click();
      const exports = session.getByText(/export AWS_ACCESS_KEY_ID='[^']+'/);
      await exports.waitFor();
      const rendered = (await exports.textContent()) ?? "";
      for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) {
        if (!rendered.includes(`export ${name}=`)) throw new Error(`rendered credentials lack ${name}`);
      }
      await session.getByRole("button", { name: "Copy export commands" }).click();
      await session.getByText("Copied").first().waitFor();
      const clip = await page.evaluate(() => navigator.clipboard.readText()).catch((err) => `unreadable: ${err}`);
      if (clip.startsWith("unreadable")) console.log(`note breakglass: clipboard ${clip}; checked the rendered text`);
      else if (!clip.includes("export AWS_ACCESS_KEY_ID=") || !clip.includes("export AWS_SESSION_TOKEN="))
        throw new Error(`clipboard holds "${clip.slice(0, 60)}"`);
      await session.getByRole("button", { name: new RegExp(`Console sign-in link for ${escape(ACCOUNT)}`) }).click();
      const link = session.getByRole("link", { name: new RegExp(`Open the AWS console for ${escape(ACCOUNT)}`) });
      await link.waitFor();
      if ((await link.getAttribute("target")) !== "_blank") throw new Error("the console link does not open a new tab");
      if (!(await link.getAttribute("href"))?.startsWith("http")) throw new Error("the console link has no URL");
    });
    await shot(engineer.page, "bg-07-sessions");
    await shot(engineer.page, "bg-07-sessions-full-page", true);
    await axe(engineer.page, "breakglass sessions");

    await step("breakglass: the active request's detail shows decisions, countdown and audit", async () => {
      const page = engineer.page;
      await page.goto(`${base}/breakglass/requests/${requestId}`);
      await page.getByText("Active", { exact: true }).first().waitFor();
      await page.getByRole("row", { name: new RegExp(escape(SENIOR)) }).first().waitFor();
      await page.getByTestId("countdown").first().waitFor();
      await page.getByText(/^granted until /).first().waitFor();
      await page.getByText("credentials issued").first().waitFor();
      await page.getByRole("button", { name: "Revoke", exact: true }).waitFor();
    });
    await shot(engineer.page, "bg-08-request-detail-active");
    await shot(engineer.page, "bg-08-request-detail-active-full-page", true);
    await axe(engineer.page, "breakglass request detail (active)");

    await step("breakglass: the engineer revokes the session with a reason", async () => {
      const page = engineer.page;
      await page.goto(`${base}/breakglass/sessions`);
      const session = page.getByRole("region", { name: new RegExp(`Session on ${escape(ACCOUNT)}`) });
      await session.getByRole("button", { name: new RegExp(`Revoke access to ${escape(ACCOUNT)}`) }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByRole("button", { name: "Revoke now" }).click();
      await dialog.getByText("Say why the access ends early.").waitFor();
      await dialog.getByRole("textbox", { name: "Reason" }).fill("Outage over, access no longer needed");
      await shot(page, "bg-09-revoke-modal");
      await axe(page, "breakglass revoke modal");
      await dialog.getByRole("button", { name: "Revoke now" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByText("No active sessions").waitFor();
      const after = await apiAs(page, "GET", `/api/v1/access-requests/${requestId}`);
      if (after.body?.status !== "ended" || after.body?.end_reason !== "revoked")
        throw new Error(`after revoke the request is ${after.body?.status}/${after.body?.end_reason}`);
    });
    await shot(engineer.page, "bg-10-sessions-empty");
    await axe(engineer.page, "breakglass sessions (empty)");
  } catch (err) {
    if (current) await shot(current, "bg-failure").catch(() => {});
    throw err;
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
  }
}
