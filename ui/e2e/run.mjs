// End-to-end check of the built UI against a real `cc serve --demo`, in headless Chromium.
// Builds nothing: run `scripts/ui build` first. Env: CC_BIN (default ../target/debug/cc from ui/),
// CHROMIUM (default `which chromium`), E2E_SCREENSHOTS (default ../target/ui-screenshots).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { breakglass } from "./breakglass.mjs";
import { runAdminE2E } from "./admin.mjs";
import { runDialogsE2E } from "./dialogs.mjs";
import { runAdminActionsE2E } from "./admin-actions.mjs";
import { runOidcE2E } from "./oidc.mjs";
import { fixes } from "./fixes.mjs";
import { newuser } from "./newuser.mjs";
import { billing } from "./billing.mjs";
import { utilisation } from "./utilisation.mjs";
import { reports } from "./reports.mjs";

const require = createRequire(import.meta.url);
const uiDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(uiDir, "dist");
const ccBin = resolve(uiDir, process.env.CC_BIN || "../target/debug/cc");
const shots = resolve(uiDir, process.env.E2E_SCREENSHOTS || "../target/ui-screenshots");
const ADMIN = "ada.admin@demo.customer-central.dev";
const ADMIN_NAME = new RegExp(ADMIN.replace(/\./g, "\\."));
const ACCOUNT_NAME = "backoffice prod"; // one account of Evergreen Logistics in the demo data
const CONTACT_NAME = "Priya Natarajan"; // a key contact of every demo customer
const CONTACT_EMAIL = "priya.natarajan@fjord-banking.example.com"; // ... this one at Fjord Banking

// E2E_ONLY=main,actions,...: run only these parts (main, breakglass, fixes, admin, dialogs, actions,
// newuser, billing, utilisation, reports, oidc) while working on one; scripts/ui test runs them all.
const only = process.env.E2E_ONLY?.split(",").map((s) => s.trim());
const want = (part) => !only || only.includes(part);

const failures = [];
const timings = {};

function fail(message) {
  failures.push(message);
  console.error(`FAIL ${message}`);
}

function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  try {
    return execFileSync("which", ["chromium"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(
      "chromium not found: apt-get install -y --no-install-recommends chromium (or set CHROMIUM)",
    );
  }
}

/** Gzipped size of what index.html loads before any route: its module script, preloads and CSS. */
function initialBundle() {
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(js|css))"/g)];
  const size = { js: 0, css: 0, files: [] };
  for (const [, file, kind] of refs) {
    const gz = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
    size[kind] += gz;
    size.files.push(`${file} ${(gz / 1024).toFixed(1)} kB`);
  }
  return size;
}

function startServer(dataDir) {
  const child = spawn(
    ccBin,
    ["serve", "--demo", "--port", "0", "--data-dir", dataDir, "--ui-dir", dist],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: "warn" } },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const url = new Promise((resolveUrl, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`cc serve printed no URL in 60 s\n${stderr}`)), 60_000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/running at (http:\/\/\S+?)\/?\s/);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`cc serve exited (${code}) before it printed its URL\n${stderr}`));
    });
  });
  return { child, url };
}

async function axe(page, name) {
  // Evaluated through the DevTools protocol, not a <script> tag: pages served with the deployed
  // Content-Security-Policy (e2e/oidc.mjs) refuse inline scripts.
  await page.evaluate(readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
  const result = await page.evaluate(async () =>
    window.axe.run(document, { resultTypes: ["violations"] }),
  );
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of result.violations) {
    const line = `axe ${name}: ${v.impact} ${v.id} (${v.nodes.length}): ${v.help} — ${v.nodes
      .slice(0, 3)
      .map((n) => n.target.join(" "))
      .join(", ")}`;
    if (bad.includes(v)) fail(line);
    else console.log(`note ${line}`);
  }
  if (!bad.length) console.log(`ok   axe ${name}: no serious or critical violations`);
}

async function focusedIsRadio(page) {
  return page.evaluate(() => document.activeElement?.getAttribute("type") === "radio");
}

async function shot(page, name, fullPage = false) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
}

let currentPage;

async function step(name, fn) {
  const started = performance.now();
  try {
    await fn();
    console.log(`ok   ${name} (${Math.round(performance.now() - started)} ms)`);
  } catch (err) {
    fail(`${name}: ${err instanceof Error ? err.message.split("\n").slice(0, 3).join(" | ") : err}`);
    await currentPage?.screenshot({ path: join(shots, "failure.png") }).catch(() => {});
    throw err;
  }
}

async function main() {
  if (!existsSync(join(dist, "index.html"))) throw new Error(`${dist} is not built: run scripts/ui build`);
  if (!existsSync(ccBin)) throw new Error(`${ccBin} not found: build cc or set CC_BIN`);
  mkdirSync(shots, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), "cc-ui-e2e-"));
  const server = startServer(dataDir);
  let browser;
  try {
    const base = await server.url;
    console.log(`cc serve at ${base}`);
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    currentPage = page;
    page.on("pageerror", (err) => fail(`page error: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error") console.log(`console error: ${msg.text()}`);
    });

    if (want("main")) {
    await step("sign-in page shows the demo users", async () => {
      const started = performance.now();
      await page.goto(base + "/");
      await page.waitForURL(/\/sign-in/);
      await page.getByRole("radio", { name: ADMIN_NAME }).waitFor();
      timings.signInInteractiveMs = Math.round(performance.now() - started);
      // The same from the page's own clock: navigation start to the picker on screen.
      timings.signInInPageMs = Math.round(await page.evaluate(() => performance.now()));
      const nav = await page.evaluate(() => performance.getEntriesByType("navigation")[0]?.toJSON());
      timings.domContentLoadedMs = Math.round(nav?.domContentLoadedEventEnd ?? 0);
      if ((await page.title()) !== "Sign in · Customer Central") throw new Error(`title ${await page.title()}`);
      // The token is kept in localStorage: every tab shares it (not "this browser tab").
      await page.getByText(/Every tab of this browser shares the sign-in/).waitFor();
    });
    await shot(page, "01-sign-in");
    await axe(page, "sign-in");

    await step("signs in as the admin with the keyboard only (picker, then Enter)", async () => {
      // Tab into the radio group, arrow to the admin, Enter submits the form.
      for (let i = 0; i < 10 && !(await focusedIsRadio(page)); i++) await page.keyboard.press("Tab");
      if (!(await focusedIsRadio(page))) throw new Error("Tab never reached the demo user picker");
      for (let i = 0; i < 10 && !(await page.getByRole("radio", { name: ADMIN_NAME }).isChecked()); i++) {
        await page.keyboard.press("ArrowDown");
      }
      if (!(await page.getByRole("radio", { name: ADMIN_NAME }).isChecked())) throw new Error("arrows never reached the admin");
      const started = performance.now();
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/customers$/);
      await page.getByRole("link", { name: "Acme Retail" }).waitFor();
      timings.customersAfterSignInMs = Math.round(performance.now() - started);
      await page.getByRole("button", { name: new RegExp(`Signed in as ${ADMIN.replace(/\./g, "\\.")}`) }).waitFor();
    });
    await shot(page, "02-customers");
    await axe(page, "customers");

    await step("filters the customers list", async () => {
      await page.getByRole("searchbox", { name: "Find customers by name or code" }).fill("fjord");
      await page.waitForURL(/q=fjord/);
      await page.getByRole("link", { name: "Acme Retail" }).waitFor({ state: "detached" });
      await page.getByRole("link", { name: "Fjord Banking" }).waitFor();
      const rows = await page.getByRole("row").count();
      if (rows !== 2) throw new Error(`expected a header and one row for "fjord", saw ${rows} rows`);
      await page.getByRole("searchbox", { name: "Find customers by name or code" }).fill("no such customer");
      await page.getByText("No matching customers").waitFor();
      await shot(page, "03-customers-empty-filter");
      await page.getByRole("button", { name: "Clear filters", exact: true }).click();
      await page.getByRole("link", { name: "Acme Retail" }).waitFor();
    });

    await step("opens a customer", async () => {
      await page.getByRole("link", { name: "Acme Retail" }).focus();
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/customers\/acme-retail$/);
      await page.getByRole("heading", { level: 1, name: "Acme Retail" }).waitFor();
      await page.getByRole("heading", { name: /Key contacts/ }).waitFor();
      await page.getByRole("heading", { name: /Production accounts/ }).waitFor();
      await page.getByRole("heading", { name: /Non-production accounts/ }).waitFor();
      const consoleLink = page.getByRole("link", { name: /Open the console for acme-retail management as ReadOnlyAccess/ });
      await consoleLink.waitFor();
      if ((await consoleLink.getAttribute("target")) !== "_blank") throw new Error("console link does not open a new tab");
      await page.getByText("Management", { exact: true }).first().waitFor();
    });
    await shot(page, "04-customer");
    await shot(page, "04-customer-full-page", true);
    await axe(page, "customer");

    await step("Ctrl+K finds an account by name and opens it", async () => {
      await page.keyboard.press("Control+K");
      const dialog = page.getByRole("dialog");
      await dialog.waitFor();
      const input = page.getByRole("combobox", { name: "Search customers, accounts and contacts" });
      await input.waitFor();
      await page.keyboard.type(ACCOUNT_NAME);
      // The results settle after the last keystroke: wait until the best match is the active one.
      await page.getByRole("option", { name: new RegExp(ACCOUNT_NAME), selected: true }).first().waitFor();
      await shot(page, "05-quick-switcher");
      await axe(page, "quick-switcher");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowUp");
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/customers\/evergreen-logistics\?account=\d{12}$/);
      await page.getByRole("heading", { level: 1, name: "Evergreen Logistics" }).waitFor();
      await page.getByRole("region", { name: `Account ${ACCOUNT_NAME}` }).waitFor();
      await page.getByRole("heading", { level: 2, name: ACCOUNT_NAME }).waitFor();
      if (await dialog.isVisible()) throw new Error("the switcher stayed open");
    });
    await shot(page, "06-account");
    await axe(page, "account");

    await step("Ctrl+K finds a key contact by e-mail and opens the customer at its contacts", async () => {
      await page.keyboard.press("Control+K");
      await page.getByRole("dialog").waitFor();
      await page.getByRole("combobox", { name: "Search customers, accounts and contacts" }).waitFor();
      await page.keyboard.type(CONTACT_EMAIL);
      const option = page.getByRole("option", { name: new RegExp(`Contact.*${CONTACT_NAME}`) }).first();
      await option.waitFor();
      if ((await option.getAttribute("aria-selected")) !== "true") throw new Error("the contact is not the best match");
      await shot(page, "06b-quick-switcher-contact");
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/customers\/fjord-banking\?contact=[0-9a-z]{26}$/);
      await page.getByRole("heading", { level: 1, name: "Fjord Banking" }).waitFor();
      const contacts = page.getByRole("region", { name: `Key contacts, ${CONTACT_NAME} selected` });
      await contacts.waitFor();
      const focused = await page.evaluate(() => document.activeElement?.getAttribute("aria-label"));
      if (focused !== `Key contacts, ${CONTACT_NAME} selected`) throw new Error(`focus is on ${focused}, not the contacts`);
      await contacts.getByRole("link", { name: CONTACT_EMAIL }).waitFor();
      // The overview's other parts: team, approval policy, account counts.
      await page.getByRole("heading", { name: /Approval policy/ }).waitFor();
      await page.getByRole("heading", { name: /Accounts at a glance/ }).waitFor();
      await page.getByRole("heading", { name: /Team/ }).waitFor();
    });
    await shot(page, "06c-customer-contacts");
    await axe(page, "customer-contacts");

    await step("Escape closes the switcher", async () => {
      await page.keyboard.press("Control+K");
      await page.getByRole("dialog").waitFor();
      await page.keyboard.press("Escape");
      await page.getByRole("dialog").waitFor({ state: "hidden" });
    });

    await step("an unknown customer shows the API's message", async () => {
      await page.goto(base + "/customers/no-such-customer");
      await page.getByText("customer 'no-such-customer' was not found").waitFor();
    });
    await shot(page, "07-not-found");
    await axe(page, "customer-not-found");

    await step("signs out", async () => {
      await page.goto(base + "/customers");
      await page.getByRole("button", { name: /Signed in as/ }).focus();
      await page.keyboard.press("Enter");
      await page.getByRole("menuitem", { name: "Sign out" }).waitFor();
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/sign-in/);
    });

    await step("a deep link while signed out comes back after signing in (mouse this time)", async () => {
      await page.goto(base + "/customers/fjord-banking");
      await page.waitForURL(/\/sign-in\?next=%2Fcustomers%2Ffjord-banking$/);
      await page.getByRole("radio", { name: ADMIN_NAME }).check();
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/customers\/fjord-banking$/);
      await page.getByRole("heading", { level: 1, name: "Fjord Banking" }).waitFor();
    });

    await step("a link opened in a new tab is signed in; signing out there signs this tab out too", async () => {
      const second = await context.newPage();
      second.setDefaultTimeout(15_000);
      try {
        await second.goto(base + "/customers/acme-retail");
        await second.getByRole("heading", { level: 1, name: "Acme Retail" }).waitFor();
        if (/\/sign-in/.test(second.url())) throw new Error("the new tab asked to sign in");
        await second.getByRole("button", { name: /Signed in as/ }).click();
        await second.getByRole("menuitem", { name: "Sign out" }).click();
        await second.waitForURL(/\/sign-in/);
        // The first tab notices by itself (the storage event), without a reload or a click.
        await page.waitForURL(/\/sign-in\?next=%2Fcustomers%2Ffjord-banking$/);
        await page.getByRole("radio", { name: ADMIN_NAME }).waitFor();
      } finally {
        await second.close();
      }
    });
    }
    if (want("breakglass")) await breakglass({ browser, base, step, shot, axe, fail });
    if (want("fixes")) await fixes({ browser, base, step, shot, axe, fail });
    if (want("admin")) await runAdminE2E({ browser, base, step, shot, axe });
    if (want("dialogs")) await runDialogsE2E({ browser, base, step, shot, axe });
    if (want("actions")) await runAdminActionsE2E({ browser, base, step, shot, axe });
    if (want("newuser")) await newuser({ browser, base, step, shot, axe, fail });
    if (want("billing")) await billing({ browser, base, step, shot, axe, fail });
    if (want("utilisation")) await utilisation({ browser, base, step, shot, axe, fail });
    if (want("reports")) await reports({ browser, base, step, shot, axe, fail });
    if (want("oidc")) await runOidcE2E({ browser, ccBin, dist, step, shot, axe, fail });
  } finally {
    await browser?.close();
    server.child.kill("SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (err) {
  if (!failures.length) fail(err instanceof Error ? err.message : String(err));
}
const size = initialBundle();
console.log(
  `initial bundle (gzip): JS ${(size.js / 1024).toFixed(1)} kB, CSS ${(size.css / 1024).toFixed(1)} kB [${size.files.join("; ")}]`,
);
if (timings.signInInteractiveMs !== undefined)
  console.log(
    `time to first interactive page (sign-in picker, cold load): ${timings.signInInteractiveMs} ms ` +
      `(page clock: ${timings.signInInPageMs} ms from navigation start; DOMContentLoaded ${timings.domContentLoadedMs} ms)`,
  );
if (timings.customersAfterSignInMs !== undefined)
  console.log(`sign-in click to customers list: ${timings.customersAfterSignInMs} ms`);
console.log(`screenshots: ${shots}`);
if (failures.length) {
  console.error(`e2e: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log("e2e: passed");
