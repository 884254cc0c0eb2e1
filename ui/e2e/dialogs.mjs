// End-to-end steps for the shared UI pieces (FormModal, useFieldForm, TableEmpty, useScope): the
// admin's contact dialog driven the whole way (Cancel, a field error that clears on edit, add,
// change, the two-step delete), and the ?scope=all choice of My requests and Active sessions.
// Called once from run.mjs with its browser, the server's base URL and its step/shot/axe helpers;
// opens its own browser context and leaves the demo data as it found it.

const ADMIN = "ada.admin@demo.customer-central.dev";
// A customer the other modules do not change the contacts of.
const CUSTOMER = "evergreen-logistics";
const NAME = "Dana Dialog (e2e)";

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export async function runDialogsE2E({ browser, base, step: runStep, shot, axe }) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (err) => console.error(`FAIL page error (dialogs e2e): ${err.message}`));
  const step = (name, fn) =>
    runStep(name, async () => {
      try {
        await fn();
      } catch (err) {
        await shot(page, "dialogs-failure").catch(() => {});
        throw err;
      }
    });
  const dialog = page.getByRole("dialog");
  const contacts = page.getByRole("table");

  try {
    await step("dialogs: the admin opens a customer's contacts", async () => {
      await page.goto(base + "/sign-in");
      await page.getByRole("radio", { name: new RegExp(escape(ADMIN)) }).check();
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/customers$/);
      await page.goto(`${base}/admin/customers/${CUSTOMER}?tab=contacts`);
      await page.getByRole("heading", { name: /Key contacts/ }).waitFor();
      await page.getByRole("button", { name: /^Edit / }).first().waitFor();
    });

    await step("dialogs: Cancel closes an untouched dialog at once; with changes it asks first", async () => {
      await page.getByRole("button", { name: "Add contact" }).click();
      await dialog.getByRole("textbox", { name: "Name" }).waitFor();
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByRole("button", { name: "Add contact" }).click();
      await dialog.getByRole("textbox", { name: "Name" }).fill(NAME);
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.getByText("Discard your changes?").waitFor();
      await shot(page, "dialogs-00-discard-changes");
      await axe(page, "dialogs-discard-changes");
      await dialog.getByRole("button", { name: "Keep editing" }).click();
      if ((await dialog.getByRole("textbox", { name: "Name" }).inputValue()) !== NAME) throw new Error("Keep editing lost the name");
      await page.keyboard.press("Escape");
      await dialog.getByText("Discard your changes?").waitFor();
      await dialog.getByRole("button", { name: "Discard changes" }).click();
      await dialog.waitFor({ state: "hidden" });
      if (await contacts.getByText(NAME).count()) throw new Error("Cancel added the contact");
    });

    await step("dialogs: Ctrl+K does not open the quick switcher over an open dialog", async () => {
      await page.getByRole("button", { name: "Add contact" }).click();
      const name = dialog.getByRole("textbox", { name: "Name" });
      await name.focus();
      await page.keyboard.press("Control+K");
      await page.waitForTimeout(400); // the switcher is lazy: give it the time it would take to show
      if (await page.getByRole("combobox", { name: "Search customers, accounts and contacts" }).count())
        throw new Error("Ctrl+K opened the quick switcher over the dialog");
      const inDialog = await page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'));
      if (!inDialog) throw new Error("focus left the dialog");
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "hidden" });
      // Without a dialog, the shortcut works as before.
      await page.keyboard.press("Control+K");
      await page.getByRole("combobox", { name: "Search customers, accounts and contacts" }).waitFor();
      await page.keyboard.press("Escape");
      await page.getByRole("combobox", { name: "Search customers, accounts and contacts" }).waitFor({ state: "detached" });
    });

    await step("dialogs: a bad e-mail is named under its field, editing the field clears it, then it adds", async () => {
      await page.getByRole("button", { name: "Add contact" }).click();
      await dialog.getByRole("textbox", { name: "Name" }).fill(NAME);
      const email = dialog.getByRole("textbox", { name: "E-mail" });
      await email.fill("not-an-email");
      await dialog.getByRole("button", { name: "Add contact" }).click();
      await dialog.getByText("Not an e-mail address.").waitFor();
      await email.fill("dana@example.com");
      await dialog.getByText("Not an e-mail address.").waitFor({ state: "hidden" });
      await dialog.getByRole("button", { name: "Add contact" }).click();
      await dialog.waitFor({ state: "hidden" });
      await contacts.getByRole("rowheader", { name: NAME }).waitFor();
    });
    await axe(page, "dialogs-contacts");

    await step("dialogs: the contact is changed through the edit dialog", async () => {
      await page.getByRole("button", { name: `Edit ${NAME}` }).click();
      await dialog.getByRole("textbox", { name: "Role at the customer" }).fill("Dialog tester");
      await dialog.getByRole("button", { name: "Save contact" }).click();
      await dialog.waitFor({ state: "hidden" });
      await contacts.getByRole("row", { name: new RegExp(escape(NAME)) }).getByText("Dialog tester").waitFor();
    });

    await step("dialogs: Delete asks once more, then deletes", async () => {
      await page.getByRole("button", { name: `Edit ${NAME}` }).click();
      await dialog.getByRole("button", { name: "Delete" }).click();
      await shot(page, "dialogs-01-confirm-delete");
      await axe(page, "dialogs-confirm-delete");
      if (await contacts.getByText(NAME).count() === 0) throw new Error("the first Delete click deleted");
      await dialog.getByRole("button", { name: "Confirm: delete this contact" }).click();
      await dialog.waitFor({ state: "hidden" });
      await contacts.getByRole("rowheader", { name: NAME }).waitFor({ state: "detached" });
    });

    await step("dialogs: leaving a page with unsaved edits asks (in the app and on reload); after a save it does not", async () => {
      await page.getByRole("tab", { name: "Details" }).click();
      const notes = page.getByRole("textbox", { name: "Notes", exact: true });
      const before = await notes.inputValue();
      await notes.fill(`${before} (unsaved e2e edit)`);
      const nav = page.getByRole("navigation", { name: "Side navigation" });
      await nav.getByRole("link", { name: "Approval policies" }).click();
      const ask = page.getByRole("dialog", { name: "Leave without saving?" });
      await ask.waitFor();
      await shot(page, "dialogs-03-leave-without-saving");
      await axe(page, "dialogs-leave-without-saving");
      await ask.getByRole("button", { name: "Stay on this page" }).click();
      await ask.waitFor({ state: "hidden" });
      if (!/\/admin\/customers\//.test(page.url())) throw new Error(`Stay left for ${page.url()}`);
      if (!(await notes.inputValue()).includes("unsaved e2e edit")) throw new Error("Stay lost the edit");
      // Reload (or closing the tab) asks the browser's own question.
      let asked = "";
      page.once("dialog", (d) => {
        asked = d.type();
        void d.dismiss();
      });
      await page.reload({ timeout: 3000 }).catch(() => {});
      if (asked !== "beforeunload") throw new Error(`a reload with unsaved edits did not ask (${asked || "no dialog"})`);
      if (!(await notes.inputValue()).includes("unsaved e2e edit")) throw new Error("the edit is gone after staying");
      await nav.getByRole("link", { name: "Approval policies" }).click();
      await ask.getByRole("button", { name: "Leave without saving" }).click();
      await page.waitForURL(/\/admin\/policies$/);
      // Saved: leaving does not ask.
      await page.goto(`${base}/admin/customers/${CUSTOMER}`);
      await notes.fill(before);
      await notes.fill(`${before} `);
      await page.getByRole("button", { name: "Save details" }).click();
      await page.getByText("Saved.").waitFor();
      await nav.getByRole("link", { name: "Approval policies" }).click();
      await page.waitForURL(/\/admin\/policies$/);
      if (await ask.count()) throw new Error("leaving after a save asked");
    });

    await step("dialogs: an admin's choice of everyone's requests and sessions lives in the address", async () => {
      await page.goto(base + "/breakglass/requests");
      await page.getByRole("heading", { level: 1, name: /My requests/ }).waitFor();
      await page.getByRole("button", { name: "Refresh" }).waitFor();
      await page.getByText("Everyone's open", { exact: true }).click();
      await page.waitForURL(/\/breakglass\/requests\?scope=all$/);
      await page.getByRole("heading", { level: 1, name: /Open requests/ }).waitFor();
      await page.reload();
      await page.getByRole("heading", { level: 1, name: /Open requests/ }).waitFor();
      await page.getByText("Mine", { exact: true }).click();
      await page.waitForURL(/\/breakglass\/requests$/);
      await page.getByRole("heading", { level: 1, name: /My requests/ }).waitFor();
      await page.goto(base + "/breakglass/sessions?scope=all");
      await page.getByRole("heading", { level: 1, name: /All active sessions/ }).waitFor();
      await page.getByText("Mine", { exact: true }).click();
      await page.getByRole("heading", { level: 1, name: /My active sessions/ }).waitFor();
    });
    await shot(page, "dialogs-02-my-sessions");
  } finally {
    await ctx.close();
  }
}
