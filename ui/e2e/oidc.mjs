// Sign-in through an identity provider, end to end: a tiny local OIDC provider (discovery,
// authorize, token; PKCE S256 checked) and a second `cc serve` (no --demo) whose UI directory holds
// a config.json naming that provider. The provider mints the access token with `cc token` against
// the server's data directory (the local server accepts only tokens signed with its secret).
import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const CLIENT_ID = "cc-ui-e2e";
const PERSON = "olivia.oidc@example.com";

/** The deployed CSP (ui/csp.json); the local provider is plain http, so its origin is added. */
function csp(issuer) {
  const { directives } = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "csp.json"), "utf8"));
  return directives.map((d) => (d.startsWith("connect-src ") ? `${d} ${issuer}` : d)).join("; ");
}

const b64url = (buf) => Buffer.from(buf).toString("base64url");

/** The provider: authorize answers at once (the person is "already signed in" there). */
function startProvider({ ccBin, dataDir, redirectUri }) {
  const codes = new Map();
  const seen = { authorize: 0, exchanged: 0, refused: 0 };
  let issuer = "";
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, issuer || "http://127.0.0.1");
    const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "*" };
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...cors, ...headers });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    if (req.method === "OPTIONS") return send(204, "");
    if (url.pathname === "/.well-known/openid-configuration") {
      return send(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["HS256"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (url.pathname === "/jwks") return send(200, { keys: [] });
    if (url.pathname === "/authorize") {
      seen.authorize++;
      const q = url.searchParams;
      if (q.get("client_id") !== CLIENT_ID || q.get("redirect_uri") !== redirectUri || q.get("response_type") !== "code" ||
        q.get("code_challenge_method") !== "S256" || !q.get("code_challenge")) {
        return send(400, { error: "invalid_request", got: Object.fromEntries(q) });
      }
      const code = b64url(randomBytes(16));
      codes.set(code, { challenge: q.get("code_challenge"), nonce: q.get("nonce"), redirectUri: q.get("redirect_uri") });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", q.get("state") ?? "");
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === "/token" && req.method === "POST") {
      let body = "";
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      const entry = codes.get(form.get("code"));
      codes.delete(form.get("code"));
      const verifier = form.get("code_verifier") ?? "";
      if (!entry || form.get("grant_type") !== "authorization_code" || form.get("client_id") !== CLIENT_ID ||
        form.get("redirect_uri") !== entry.redirectUri || b64url(createHash("sha256").update(verifier).digest()) !== entry.challenge) {
        seen.refused++;
        return send(400, { error: "invalid_grant" });
      }
      seen.exchanged++;
      const accessToken = execFileSync(ccBin, ["token", "--data-dir", dataDir, "--email", PERSON, "--roles", "admin", "--ttl-hours", "1"], {
        encoding: "utf8",
      }).trim().split(/\s+/).pop();
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: issuer, aud: CLIENT_ID, sub: "00u-olivia", email: PERSON, iat: now, exp: now + 3600, ...(entry.nonce ? { nonce: entry.nonce } : {}) };
      const idToken = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}.${b64url("unsigned-e2e")}`;
      return send(200, { access_token: accessToken, token_type: "Bearer", expires_in: 3600, id_token: idToken, scope: "openid email" });
    }
    send(404, { error: "not_found" });
  });
  const ready = new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      issuer = `http://127.0.0.1:${server.address().port}`;
      resolve(issuer);
    }),
  );
  return { server, ready, seen };
}

function startServer(ccBin, dataDir, uiDir) {
  const child = spawn(ccBin, ["serve", "--port", "0", "--data-dir", dataDir, "--ui-dir", uiDir], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: "warn" },
  });
  const url = new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("cc serve (OIDC) printed no URL in 60 s")), 60_000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/running at (http:\/\/\S+?)\/?\s/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`cc serve (OIDC) exited (${code})`)));
  });
  return { child, url };
}

export async function runOidcE2E({ browser, ccBin, dist, step: outerStep, shot, axe, fail }) {
  const dataDir = mkdtempSync(join(tmpdir(), "cc-ui-e2e-oidc-"));
  const uiDir = mkdtempSync(join(tmpdir(), "cc-ui-e2e-oidc-ui-"));
  cpSync(dist, uiDir, { recursive: true });
  const server = startServer(ccBin, dataDir, uiDir);
  let provider;
  try {
    const base = await server.url;
    provider = startProvider({ ccBin, dataDir, redirectUri: `${base}/auth/callback` });
    const issuer = await provider.ready;
    writeFileSync(join(uiDir, "config.json"), JSON.stringify({ api_base: "/api/v1", oidc: { issuer, client_id: CLIENT_ID, scopes: "openid email" } }));
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    // The UI's pages carry the deployed Content-Security-Policy, as CloudFront adds it. Every
    // request goes through the route (the provider's too): Chromium's local-network checks refuse
    // a fulfilled page's fetches to a loopback address that is not itself routed.
    const policy = csp(issuer);
    await context.route("**/*", async (route) => {
      const response = await route.fetch({ maxRedirects: 0 });
      const headers = response.headers();
      if (route.request().url().startsWith(base) && (headers["content-type"] ?? "").includes("text/html")) headers["content-security-policy"] = policy;
      await route.fulfill({ response, headers });
    });
    const page = await context.newPage();
    page.on("console", (m) => {
      if (/Content Security Policy/.test(m.text())) fail(`oidc: CSP violation: ${m.text()}`);
    });
    page.setDefaultTimeout(15_000);
    if (process.env.E2E_DEBUG) {
      page.on("framenavigated", (f) => f === page.mainFrame() && console.log("nav", f.url()));
      page.on("console", (m) => console.log("console", m.text()));
    }
    const step = (name, fn) =>
      outerStep(name, async () => {
        try {
          await fn();
        } catch (err) {
          await shot(page, "oidc-failure").catch(() => {});
          throw err;
        }
      });

    await step("oidc: a deep link asks to sign in with the organisation (no demo users on this server)", async () => {
      await page.goto(`${base}/breakglass/requests?status=pending`);
      await page.waitForURL(/\/sign-in\?next=/);
      await page.getByRole("button", { name: "Sign in with your organisation" }).waitFor();
      if (await page.getByRole("radio").count()) throw new Error("the demo picker shows without --demo");
      await shot(page, "oidc-sign-in");
      await axe(page, "oidc sign-in");
    });

    await step("oidc: code + PKCE through the provider, back to the page asked for", async () => {
      await page.getByRole("button", { name: "Sign in with your organisation" }).click();
      await page.waitForURL((u) => u.pathname === "/breakglass/requests" && u.search === "?status=pending");
      await page.getByRole("button", { name: `Signed in as ${PERSON}` }).waitFor();
      if (provider.seen.exchanged !== 1 || provider.seen.refused !== 0) {
        throw new Error(`provider saw ${JSON.stringify(provider.seen)}`);
      }
      const stored = await page.evaluate(() => ({
        session: localStorage.getItem("cc.session"),
        tab: sessionStorage.getItem("cc.session"),
        local: Object.keys(localStorage),
      }));
      // Shared by the tabs: our session and oidc-client-ts's user in localStorage.
      if (!stored.session || !stored.session.includes('"kind":"oidc"')) throw new Error("no OIDC session in localStorage");
      if (stored.tab) throw new Error("the session is in sessionStorage too");
      if (!stored.local.some((k) => k.startsWith("oidc.user:"))) throw new Error(`no oidc-client-ts user in localStorage: ${stored.local}`);
      await shot(page, "oidc-signed-in");
    });

    await step("oidc: a refused token ends the session and says so", async () => {
      await page.evaluate(() => {
        const s = JSON.parse(localStorage.getItem("cc.session"));
        localStorage.setItem("cc.session", JSON.stringify({ ...s, token: "expired.or.revoked" }));
      });
      await page.goto(`${base}/customers`);
      await page.waitForURL(/\/sign-in/);
      await page.getByText("Your session has expired").waitFor();
    });

    await step("oidc: signing in again, then sign-out clears the session", async () => {
      await page.getByRole("button", { name: "Sign in with your organisation" }).click();
      await page.waitForURL(/\/customers$/);
      await page.getByRole("button", { name: /Signed in as/ }).click();
      await page.getByRole("menuitem", { name: "Sign out" }).click();
      await page.waitForURL(/\/sign-in/);
      const left = await page.evaluate(() => ({
        session: localStorage.getItem("cc.session"),
        oidc: Object.keys(localStorage).filter((k) => k.startsWith("oidc.user:")),
      }));
      if (left.session) throw new Error("the session survived sign-out");
      if (left.oidc.length) throw new Error(`oidc-client-ts's user survived sign-out: ${left.oidc}`);
    });

    await step("oidc: the callback refuses a replayed or forged response", async () => {
      await page.goto(`${base}/auth/callback?code=forged&state=nope`);
      await page.getByText("Sign-in did not complete").waitFor();
    });
    await context.close();
  } finally {
    provider?.server.close();
    server.child.kill("SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(uiDir, { recursive: true, force: true });
  }
}
