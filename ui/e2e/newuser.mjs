// End-to-end: what a second new user found (ui-newuser): Add customer goes to the new customer
// without asking "Leave without saving?", an old server error goes away when the fields are edited,
// every table fits its container at 1440x900 with a ~110-character customer name in the data, and
// a search text with no letter or digit matches nothing, Profiles offers nothing built from an
// invalid control, and a grant revoked elsewhere leaves
// Active sessions within seconds.

import { activeGrant } from "./fixes.mjs";
import { apiAs, signedIn } from "./people.mjs";

const ADMIN = "ada.admin@demo.customer-central.dev";
const SENIOR = "sam.senior@demo.customer-central.dev";
const ENGINEER = "erin.engineer@demo.customer-central.dev";
const LONG_CODE = "long-name-co";
const LONG_NAME = "Northern Hemisphere Renewable Energy Cooperative of Independent Wind, Solar and Hydro Producers Holding";

/** Tables wider than the box that shows them (clipped, or scrolled with no cue): their headers. */
export async function overflowingTables(page) {
  return page.evaluate(() => {
    const bad = [];
    for (const table of document.querySelectorAll("table")) {
      let box = table.parentElement;
      while (box && !["auto", "scroll", "hidden"].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
      if (!box) continue;
      if (box.scrollWidth > box.clientWidth + 1) {
        const headers = [...table.querySelectorAll("thead th")].map((th) => th.textContent?.trim()).join("|");
        bad.push(`${headers}: ${box.scrollWidth} px in ${box.clientWidth} px`);
      }
    }
    return bad;
  });
}

export async function newuser({ browser, base, step, shot, axe, fail }) {
  const contexts = [];
  try {
    const ada = await signedIn(browser, base, ADMIN, fail);
    const sam = await signedIn(browser, base, SENIOR, fail);
    contexts.push(ada.context, sam.context);
    const page = ada.page;

    await step("newuser: Add customer drops the server's error on an edit, and goes to the new customer without asking", async () => {
      await page.goto(base + "/admin/customers");
      await page.getByRole("button", { name: "Add customer" }).click();
      const dialog = page.getByRole("dialog", { name: "Add customer" });
      await dialog.getByRole("textbox", { name: "Code" }).fill("acme-retail");
      await dialog.getByRole("textbox", { name: "Name" }).fill("Second Co");
      await dialog.getByRole("button", { name: "Add customer" }).click();
      await dialog.getByText("Not added").waitFor();
      await dialog.getByRole("textbox", { name: "Code" }).fill("Bad Code");
      await dialog.getByText("Not added").waitFor({ state: "detached" });
      await dialog.getByRole("button", { name: "Add customer" }).click();
      await dialog.getByText(/2-32 characters of a-z, 0-9 and '-'/).waitFor();
      if (await dialog.getByText(/is taken/).count()) throw new Error("the old 'is taken' error stayed");
      await dialog.getByRole("textbox", { name: "Code" }).fill("newuser-co2");
      await dialog.getByRole("button", { name: "Add customer" }).click();
      await page.waitForURL(/\/admin\/customers\/newuser-co2$/);
      await page.getByRole("heading", { level: 1, name: "Second Co" }).waitFor();
      await page.waitForTimeout(300);
      if (await page.getByRole("dialog", { name: "Leave without saving?" }).count()) throw new Error("asked to leave without saving after saving");
      if (await page.getByRole("dialog", { name: "Add customer" }).count()) throw new Error("the Add customer dialog stayed open");
    });

    await step("newuser: a search with no letter or digit matches nothing", async () => {
      await page.goto(base + "/customers?q=%25");
      await page.getByText("No matching customers").waitFor();
      await page.getByText(/Type a letter or digit/).waitFor();
      if (await page.getByRole("link", { name: "Acme Retail" }).count()) throw new Error("'%' listed every customer");
    });

    await step("newuser: every table fits its container at 1440x900, with a long customer name", async () => {
      const created = await apiAs(page, "POST", "/api/v1/customers", { code: LONG_CODE, name: LONG_NAME, status: "active", notes: "" });
      if (created.status >= 300) throw new Error(`create ${LONG_CODE}: HTTP ${created.status} ${JSON.stringify(created.body)}`);
      const pages = [
        [page, "/customers", "Customers"],
        [page, "/admin/customers", "Admin: customers"],
        [page, "/customers/borealis-energy", "Borealis Energy"],
        [page, "/customers/acme-retail", "Acme Retail"],
        [page, `/customers/${LONG_CODE}`, LONG_NAME],
        [page, "/admin/policies", null],
        [page, "/admin/customers/borealis-energy?tab=accounts", null],
        [page, "/admin/customers/borealis-energy?tab=contacts", null],
        [page, "/admin/customers/borealis-energy?tab=team", null],
        [sam.page, "/breakglass/approvals", null],
        [sam.page, "/breakglass/requests", null],
      ];
      const problems = [];
      for (const [p, path] of pages) {
        await p.goto(base + path);
        await p.locator("table").first().waitFor();
        await p.waitForLoadState("networkidle");
        await p.waitForTimeout(300);
        for (const bad of await overflowingTables(p)) problems.push(`${path}: ${bad}`);
      }
      await shot(page, "newuser-01-customer-long-name");
      if (problems.length) throw new Error(`tables wider than their container: ${problems.join("; ")}`);
    });

    await step("newuser: Profiles offers no preview or command built from an invalid control", async () => {
      const page = sam.page; // on teams, so the preview has profiles
      await page.goto(base + "/profiles");
      const preview = page.getByRole("region", { name: "Profiles preview (AWS config)" });
      await preview.waitFor();
      const region = page.getByRole("textbox", { name: "Region" });
      await region.fill("not a region");
      await page.getByText("Not a region code like eu-west-1.").waitFor();
      await preview.waitFor({ state: "detached" });
      if (await page.getByTestId("sync-command").count()) throw new Error("a sync command with an invalid region is offered");
      await page.getByText(/the last preview does not match them/).waitFor();
      await region.fill("");
      await preview.waitFor();
      const template = page.getByRole("textbox", { name: "Naming template" });
      await template.fill("{foo}-{role}");
      await preview.waitFor({ state: "detached" });
      if (await page.getByTestId("sync-command").count()) throw new Error("a sync command with an invalid template is offered");
      await axe(page, "newuser profiles invalid");
      await template.fill("");
      await page.getByTestId("sync-command").waitFor();
    });

    await step("newuser: a grant revoked elsewhere leaves Active sessions within seconds, without a reload", async () => {
      const erin = await signedIn(browser, base, ENGINEER, fail);
      contexts.push(erin.context);
      const grant = await activeGrant(erin.page, sam.page, {
        account_id: "100000013943",
        duration_minutes: 60,
        justification: "Check the sessions page notices a revoke from another tab",
        ticket: "OPS-79",
      });
      await erin.page.goto(base + "/breakglass/sessions");
      const link = erin.page.locator(`a[href="/breakglass/requests/${grant.id}"]`);
      await link.waitFor();
      // Another tab (same person) revokes it: this page hears nothing but must notice soon.
      const other = await erin.context.newPage();
      await other.goto(base + "/customers");
      const revoked = await apiAs(other, "POST", `/api/v1/access-requests/${grant.id}/revoke`, { reason: "done elsewhere" });
      if (revoked.status >= 300) throw new Error(`revoke: HTTP ${revoked.status}`);
      await other.close();
      await link.waitFor({ state: "detached", timeout: 9_000 });
    });
  } finally {
    for (const c of contexts) await c.close();
  }
}
