// Node.js Lambda worker: runs one function's handler in its own process, invocation after invocation.
//
// Started by local/lambda_runner.py as `node _worker_node.js` with the working directory set to the
// function's extracted code (like /var/task) and the function's environment. Same line protocol as
// _worker_python.py: requests on stdin, results on the file descriptor named by _SFA_RESULT_FD, so
// console.log and process.stdout stay free for the handler's logs.
//
// Handler loading follows the AWS Node.js runtime: "dir/file.fn" resolves file.js, file.mjs or
// file.cjs under the task root; CommonJS is require()d and ES modules are import()ed. A handler may
// return a promise (async) or use the callback (event, context, callback). Errors use the AWS
// Node.js runtime's shape: {errorType, errorMessage, trace}.
"use strict";

const fs = require("fs");
const path = require("path");
const readline = require("readline");
const { pathToFileURL } = require("url");

const RESULT_FD = Number(process.env._SFA_RESULT_FD);
delete process.env._SFA_RESULT_FD;

function send(message) {
  const data = Buffer.from(JSON.stringify(message) + "\n", "utf8");
  let offset = 0;
  while (offset < data.length) {
    offset += fs.writeSync(RESULT_FD, data, offset, data.length - offset);
  }
}

function toError(err, errorType) {
  if (err instanceof Error) {
    return {
      errorType: errorType || err.name || "Error",
      errorMessage: err.message,
      trace: String(err.stack || "").split("\n"),
    };
  }
  let message;
  try {
    message = typeof err === "string" ? err : JSON.stringify(err);
  } catch (_e) {
    message = String(err);
  }
  return { errorType: errorType || typeof err, errorMessage: message, trace: [] };
}

async function loadHandler() {
  const spec = process.env._HANDLER || "";
  const dot = spec.lastIndexOf(".");
  const modulePath = spec.slice(0, dot);
  const functionName = spec.slice(dot + 1);
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const base = path.resolve(root, modulePath);
  const file = [".js", ".mjs", ".cjs"].map((ext) => base + ext).find((f) => fs.existsSync(f));
  if (!file) {
    const e = new Error(`Cannot find module '${modulePath}'`);
    throw Object.assign(e, { lambdaType: "Runtime.ImportModuleError" });
  }
  let mod;
  try {
    if (file.endsWith(".mjs")) {
      mod = await import(pathToFileURL(file).href);
    } else {
      try {
        mod = require(file);
      } catch (err) {
        if (err && err.code === "ERR_REQUIRE_ESM") {
          mod = await import(pathToFileURL(file).href);
        } else {
          throw err;
        }
      }
    }
  } catch (err) {
    if (err instanceof SyntaxError) err.lambdaType = "Runtime.UserCodeSyntaxError";
    else if (err && err.code === "MODULE_NOT_FOUND") err.lambdaType = "Runtime.ImportModuleError";
    throw err;
  }
  let handler = mod ? mod[functionName] : undefined;
  if (typeof handler !== "function" && mod && mod.default) handler = mod.default[functionName];
  if (typeof handler !== "function") {
    const e = new Error(`${modulePath}.${functionName} is undefined or not exported`);
    throw Object.assign(e, { lambdaType: "Runtime.HandlerNotFound" });
  }
  return handler;
}

function makeContext(data) {
  return {
    functionName: data.function_name,
    functionVersion: data.function_version,
    invokedFunctionArn: data.invoked_function_arn,
    memoryLimitInMB: String(data.memory_limit_in_mb),
    awsRequestId: data.aws_request_id,
    logGroupName: data.log_group_name,
    logStreamName: data.log_stream_name,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, data.deadline_ms - Date.now()),
  };
}

function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (err, result) => (err ? reject(err) : resolve(result));
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (err) {
      reject(err);
      return;
    }
    if (returned && typeof returned.then === "function") {
      returned.then(resolve, reject);
    } else if (handler.length < 3) {
      resolve(returned);
    }
  });
}

async function main() {
  let handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    send({ ready: false, error: toError(err, err && err.lambdaType) });
    return;
  }
  send({ ready: true });
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const request = JSON.parse(line);
    try {
      const result = await runHandler(handler, request.event, makeContext(request.context));
      const payload = result === undefined ? "null" : JSON.stringify(result);
      send({ id: request.id, ok: true, payload });
    } catch (err) {
      send({ id: request.id, ok: false, error: toError(err) });
    }
  }
}

main();
