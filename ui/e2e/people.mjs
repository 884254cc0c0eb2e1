// What the end-to-end modules share about people: a signed-in page in its own browser context
// (its own localStorage, so a second person), and calling the API with that page's own token.

export const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Signs `email` in through the demo picker in a fresh 1440x900 context (clipboard allowed). */
export async function signedIn(browser, base, email, fail) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (err) => fail(`page error (${email}): ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") console.log(`console error (${email}): ${msg.text()}`);
  });
  await page.goto(base + "/sign-in");
  await page.getByRole("radio", { name: new RegExp(escape(email)) }).check();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/customers$/);
  await page.getByRole("button", { name: new RegExp(`Signed in as ${escape(email)}`) }).waitFor();
  return { context, page };
}

/** Calls the API with this page's own token (what a person could do with curl). */
export async function apiAs(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const session = JSON.parse(localStorage.getItem("cc.session") ?? "null");
      const response = await fetch(path, {
        method,
        headers: { authorization: `Bearer ${session?.token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    },
    { method, path, body },
  );
}

/** A dev token for `email` from the demo server (`POST /api/v1/dev/token`, `cc serve --demo` only). */
export async function devToken(base, email) {
  const r = await fetch(`${base}/api/v1/dev/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  if (!r.ok) throw new Error(`dev token for ${email}: HTTP ${r.status}`);
  return (await r.json()).token;
}

/** Calls the API from the test itself with a token (`path` under /api/v1). */
export async function apiWith(base, tok, method, path, body) {
  const r = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${tok}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}
