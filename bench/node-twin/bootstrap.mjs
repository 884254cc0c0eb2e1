// A minimal Lambda Runtime API loop for the Node twin, standing in for the managed nodejs20.x
// runtime (not available off AWS) and doing the same work: import the handler named by _HANDLER
// (module.function under LAMBDA_TASK_ROOT), then GET the next event, await the handler, POST its
// result, or the error in Lambda's shape. One keep-alive connection to the Runtime API, as the
// managed runtime keeps. A failure to load the handler is posted to /init/error.

import http from "node:http";
import path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, route, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`http://${api}/2018-06-01/runtime${route}`, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const errorBody = (e) =>
  JSON.stringify({
    errorType: e?.name ?? "Error",
    errorMessage: e?.message ?? String(e),
    stackTrace: (e?.stack ?? "").split("\n").slice(1),
  });

function postError(route, e) {
  const headers = { "content-type": "application/json", "lambda-runtime-function-error-type": "Runtime.Unhandled" };
  return call("POST", route, errorBody(e), headers);
}

let handler;
try {
  const [file, name] = (process.env._HANDLER ?? "index.handler").split(".");
  const root = process.env.LAMBDA_TASK_ROOT ?? path.dirname(fileURLToPath(import.meta.url));
  handler = (await import(pathToFileURL(path.join(root, `${file}.mjs`)).href))[name];
  if (typeof handler !== "function") {
    throw new Error(`${process.env._HANDLER} is not a function`);
  }
} catch (e) {
  await postError("/init/error", e);
  process.exit(1);
}

for (;;) {
  const next = await call("GET", "/invocation/next");
  const id = next.headers["lambda-runtime-aws-request-id"];
  process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"] ?? "";
  try {
    const result = await handler(JSON.parse(next.body), { awsRequestId: id });
    await call("POST", `/invocation/${id}/response`, JSON.stringify(result ?? null), {
      "content-type": "application/json",
    });
  } catch (e) {
    await postError(`/invocation/${id}/error`, e);
  }
}
