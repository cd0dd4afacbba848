// `npm run wheel` (run by `vsce package` through vscode:prepublish): builds the texgrad wheel
// the extension sets a server up from, into client-vscode/server/ (or the folder given with
// --out). Built from a copy of what the wheel is made of (server/, grammar/, pyproject.toml,
// README.md, LICENSE), so that setuptools writes no build/ or *.egg-info into the checkout.
//
// Python: $TEXGRAD_PYTHON, else python3, else python (py -3 on Windows). Without build isolation
// when that Python has setuptools and wheel (no download needed), else with it.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const client = path.resolve(__dirname, "..");
const repo = path.resolve(client, "..");
const outIndex = process.argv.indexOf("--out");
const out = outIndex > 0 ? path.resolve(process.argv[outIndex + 1]) : path.join(client, "server");

function candidates() {
  if (process.env.TEXGRAD_PYTHON) {
    return [[process.env.TEXGRAD_PYTHON]];
  }
  return process.platform === "win32" ? [["py", "-3"], ["python"]] : [["python3"], ["python"]];
}

function run(argv, options = {}) {
  return spawnSync(argv[0], argv.slice(1), { encoding: "utf8", windowsHide: true, ...options });
}

function fail(message) {
  console.error(`build-wheel: ${message}`);
  process.exit(1);
}

let python;
for (const argv of candidates()) {
  const r = run([...argv, "-c", "import sys; assert sys.version_info >= (3, 10)"]);
  if (r.status === 0) {
    python = argv;
    break;
  }
}
if (python === undefined) {
  fail("no Python 3.10 or newer found (set TEXGRAD_PYTHON)");
}

const source = fs.mkdtempSync(path.join(os.tmpdir(), "texgrad-wheel-"));
try {
  const skip = (src) => !/(__pycache__|\.pyc$)/.test(src);
  for (const name of ["server", "grammar"]) {
    fs.cpSync(path.join(repo, name), path.join(source, name), { recursive: true, filter: skip });
  }
  for (const name of ["pyproject.toml", "README.md", "LICENSE"]) {
    fs.copyFileSync(path.join(repo, name), path.join(source, name));
  }
  fs.mkdirSync(out, { recursive: true });
  for (const old of fs.readdirSync(out).filter((n) => /^texgrad-.*\.whl$/.test(n))) {
    fs.rmSync(path.join(out, old));
  }
  const offline = run([...python, "-c", "import setuptools, wheel"]).status === 0;
  const args = ["-m", "pip", "wheel", "--no-deps", "-q", "-w", out, ...(offline ? ["--no-build-isolation"] : []), source];
  const r = run([...python, ...args], { stdio: "inherit" });
  if (r.status !== 0) {
    fail(`pip wheel failed (exit status ${r.status}${r.error ? `, ${r.error.message}` : ""})`);
  }
} finally {
  fs.rmSync(source, { recursive: true, force: true });
}
const wheels = fs.readdirSync(out).filter((n) => /^texgrad-.*\.whl$/.test(n));
if (wheels.length !== 1) {
  fail(`expected one texgrad wheel in ${out}, found ${wheels.length}`);
}
console.log(`build-wheel: ${path.join(out, wheels[0])}`);
