// Setting up a texgrad server when none is found: a private virtual environment in the
// extension's global storage with the texgrad wheel the .vsix ships (server/texgrad-*.whl, built
// by scripts/build-wheel.js) and its dependencies from the package index. No `vscode` import:
// processes and files are injected, so every step is unit-tested in node.
//
// Layout of the storage folder:  venv/ (the environment)  installed.json (what was installed:
// {"extensionVersion", "wheel", "python"}). The environment is used while installed.json names
// the running extension's version; another version re-installs the wheel into it.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ServerCommand } from "./serverCommand";

/** The text of the not-found message and its one button: kept stable (the end-to-end test
 * looks for them). Details go to the output channel. */
export const NOT_FOUND_MESSAGE =
  "texgrad: no texgrad language server found. Set one up in a private environment (needs Python 3.10 or newer)?";
export const SET_UP_BUTTON = "Set up texgrad";

export interface RunResult {
  /** The exit code, or null when the process could not start or was killed. */
  code: number | null;
  /** stdout and stderr together, as they came. */
  output: string;
  /** Set when the program could not be started (ENOENT, …) or timed out. */
  error?: string;
}

/** Runs a program without a shell; its output also goes to `onOutput` as it comes. */
export type Runner = (
  command: string,
  args: string[],
  options: { timeoutMs: number; onOutput?: (text: string) => void },
) => Promise<RunResult>;

export interface Files {
  exists(file: string): boolean;
  read(file: string): string | undefined;
  write(file: string, text: string): void;
  remove(dir: string): void;
  list(dir: string): string[];
  /** Creates `file` holding `text` unless it exists: whether it did (a lock). */
  create(file: string, text: string): boolean;
}

export interface BootstrapEnv {
  /** The extension's global storage folder (context.globalStorageUri.fsPath). */
  storage: string;
  /** The folder of the .vsix holding texgrad-*.whl. */
  wheels: string;
  /** The extension's version: another one re-installs. */
  version: string;
  /** The Python extension's interpreter, tried after python3/python. */
  pythonInterpreter?: string;
  platform: NodeJS.Platform;
  which: (program: string) => string | undefined;
  run: Runner;
  files: Files;
  /** One line to the output channel. */
  log: (line: string) => void;
  /** The progress notification's message. */
  progress: (message: string) => void;
  /** Waiting for another window's set-up (injected by the tests). */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** How long another window's set-up may hold the lock before it counts as abandoned. */
const LOCK_MS = 20 * 60 * 1000;

export type ManagedState =
  | { state: "current"; command: ServerCommand }
  | { state: "stale"; installed: string }
  | { state: "absent" };

export function venvPython(venv: string, platform: NodeJS.Platform): string {
  return platform === "win32" ? path.win32.join(venv, "Scripts", "python.exe") : path.posix.join(venv, "bin", "python");
}

function paths(env: Pick<BootstrapEnv, "storage" | "platform">) {
  const join = env.platform === "win32" ? path.win32.join : path.posix.join;
  const venv = join(env.storage, "venv");
  return {
    venv,
    python: venvPython(venv, env.platform),
    record: join(env.storage, "installed.json"),
    lock: join(env.storage, "setup.lock"),
  };
}

/** The server this extension set up, if any: current (use it), stale (another extension
 * version installed it: upgrade) or absent. */
export function managedServer(env: Pick<BootstrapEnv, "storage" | "platform" | "version" | "files">): ManagedState {
  const p = paths(env);
  const text = env.files.read(p.record);
  if (text === undefined || !env.files.exists(p.python)) {
    return { state: "absent" };
  }
  let installed = "";
  try {
    installed = String((JSON.parse(text) as { extensionVersion?: unknown }).extensionVersion ?? "");
  } catch {
    return { state: "absent" };
  }
  if (installed !== env.version) {
    return { state: "stale", installed };
  }
  return { state: "current", command: { command: p.python, args: ["-m", "texgrad", "lsp"], source: "managed" } };
}

export class BootstrapError extends Error {}

const VERSION_CHECK = "import sys; print('%d.%d.%d' % sys.version_info[:3])";

/** The candidates, in order: python3 and python on PATH (py -3 on Windows first), then the
 * Python extension's interpreter. */
function pythonCandidates(env: BootstrapEnv): Array<{ command: string; args: string[]; label: string }> {
  const out: Array<{ command: string; args: string[]; label: string }> = [];
  if (env.platform === "win32") {
    const py = env.which("py");
    if (py !== undefined) {
      out.push({ command: py, args: ["-3"], label: "py -3" });
    }
  }
  for (const name of ["python3", "python"]) {
    const found = env.which(name);
    if (found !== undefined && !out.some((c) => c.command === found)) {
      out.push({ command: found, args: [], label: found });
    }
  }
  if (env.pythonInterpreter !== undefined && !out.some((c) => c.command === env.pythonInterpreter)) {
    out.push({ command: env.pythonInterpreter, args: [], label: `${env.pythonInterpreter} (the Python extension's)` });
  }
  return out;
}

/** A Python 3.10 or newer: its command, or a BootstrapError saying what was found. */
export async function findPython(env: BootstrapEnv): Promise<{ command: string; args: string[]; version: string }> {
  const seen: string[] = [];
  for (const candidate of pythonCandidates(env)) {
    const r = await env.run(candidate.command, [...candidate.args, "-c", VERSION_CHECK], { timeoutMs: 20000 });
    const version = /^(\d+)\.(\d+)\.(\d+)\s*$/m.exec(r.output);
    if (r.code !== 0 || version === null) {
      seen.push(`${candidate.label}: did not run (${r.error ?? `exit status ${r.code}`})`);
      continue;
    }
    const [major, minor] = [Number(version[1]), Number(version[2])];
    if (major === 3 && minor >= 10) {
      env.log(`[texgrad] using Python ${version[0].trim()}: ${candidate.label}`);
      return { command: candidate.command, args: candidate.args, version: version[0].trim() };
    }
    seen.push(`${candidate.label}: Python ${version[0].trim()}, too old`);
  }
  for (const line of seen) {
    env.log(`[texgrad] ${line}`);
  }
  throw new BootstrapError(
    seen.length === 0
      ? "texgrad: setting up the server needs Python 3.10 or newer, and none was found (python3, python). Install Python, then run texgrad: Set Up Server."
      : "texgrad: setting up the server needs Python 3.10 or newer; only older ones were found (see the texgrad output). Install a newer Python, then run texgrad: Set Up Server.",
  );
}

/** The wheel the .vsix ships. */
export function shippedWheel(env: Pick<BootstrapEnv, "wheels" | "files" | "platform">): string {
  const join = env.platform === "win32" ? path.win32.join : path.posix.join;
  const wheels = env.files
    .list(env.wheels)
    .filter((n) => /^texgrad-.*\.whl$/.test(n))
    .sort();
  if (wheels.length === 0) {
    throw new BootstrapError(
      `texgrad: this copy of the extension ships no texgrad wheel (in ${env.wheels}). Install texgrad with pip and set texgrad.server.command.`,
    );
  }
  return join(env.wheels, wheels[wheels.length - 1]);
}

function tail(output: string, lines = 1): string {
  return output.trim().split(/\r?\n/).slice(-lines).join(" ").slice(0, 200);
}

async function step(env: BootstrapEnv, what: string, command: string, args: string[], timeoutMs: number): Promise<RunResult> {
  env.progress(what);
  env.log(`[texgrad] ${what}: ${[command, ...args].join(" ")}`);
  // The output, line by line as it comes (chunks end anywhere).
  let partial = "";
  const onOutput = (text: string) => {
    const lines = (partial + text).split(/\r?\n/);
    partial = lines.pop() ?? "";
    lines.forEach((line) => env.log(line));
  };
  const r = await env.run(command, args, { timeoutMs, onOutput });
  if (partial !== "") {
    env.log(partial);
  }
  if (r.code !== 0) {
    env.log(`[texgrad] ${what} failed: ${r.error ?? `exit status ${r.code}`}`);
  }
  return r;
}

/** Takes the set-up lock (every window of a machine shares the storage: after an update each
 * would upgrade at once): whether this window waited for another one's set-up. */
async function lock(env: BootstrapEnv): Promise<boolean> {
  const p = paths(env);
  const now = env.now ?? Date.now;
  const sleep = env.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let waited = false;
  for (;;) {
    if (env.files.create(p.lock, JSON.stringify({ pid: process.pid, time: now() }))) {
      return waited;
    }
    let since = Number.NaN;
    try {
      since = Number((JSON.parse(env.files.read(p.lock) ?? "{}") as { time?: unknown }).time);
    } catch {
      // unreadable: abandoned
    }
    if (!(now() - since < LOCK_MS)) {
      env.log(`[texgrad] removing an abandoned set-up lock (${p.lock})`);
      env.files.remove(p.lock);
      continue;
    }
    if (!waited) {
      env.progress("waiting for another window that is setting up texgrad");
      env.log("[texgrad] another window is setting up texgrad: waiting for it");
    }
    waited = true;
    await sleep(2000);
  }
}

/** Sets up (or upgrades) the private environment and returns the command of its server. */
export async function bootstrap(env: BootstrapEnv): Promise<ServerCommand> {
  const p = paths(env);
  const wheel = shippedWheel(env);
  const python = await findPython(env);
  const waited = await lock(env);
  try {
    const after = managedServer(env);
    if (waited && after.state === "current") {
      env.log("[texgrad] the other window set texgrad up: using it");
      return after.command;
    }
    return await install(env, p, wheel, python);
  } finally {
    env.files.remove(p.lock);
  }
}

async function install(
  env: BootstrapEnv,
  p: ReturnType<typeof paths>,
  wheel: string,
  python: { command: string; args: string[]; version: string },
): Promise<ServerCommand> {
  // An environment left by an earlier set-up is reused if its Python still runs (its base
  // Python may have been removed or upgraded): else it is made again.
  let reuse = env.files.exists(p.python);
  if (reuse) {
    const r = await env.run(p.python, ["-c", VERSION_CHECK], { timeoutMs: 20000 });
    reuse = r.code === 0;
    if (!reuse) {
      env.log(`[texgrad] the environment in ${p.venv} does not run (${r.error ?? tail(r.output)}): making it again`);
    }
  }

  if (!reuse) {
    env.files.remove(p.venv);
    const r = await step(env, "creating a virtual environment", python.command, [...python.args, "-m", "venv", p.venv], 180000);
    if (r.code !== 0) {
      const debian = /ensurepip|python3-venv/.test(r.output);
      throw new BootstrapError(
        debian
          ? "texgrad: creating a virtual environment failed: Python's venv module is missing (on Debian/Ubuntu: sudo apt install python3-venv). Then run texgrad: Set Up Server."
          : `texgrad: creating a virtual environment failed (${r.error ?? tail(r.output)}). Details in the texgrad output.`,
      );
    }
  }
  const pip = [p.python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--progress-bar", "off"];
  const install = await step(env, "installing texgrad and its dependencies", pip[0], [...pip.slice(1), wheel], 900000);
  if (install.code !== 0) {
    const offline = /NewConnectionError|Temporary failure in name resolution|No matching distribution|ConnectionError|Network is unreachable/i.test(
      install.output,
    );
    throw new BootstrapError(
      offline
        ? "texgrad: pip could not download texgrad's dependencies (offline or no package index?). Connect, then run texgrad: Set Up Server; details in the texgrad output."
        : `texgrad: pip could not install texgrad (${install.error ?? tail(install.output)}). Details in the texgrad output; run texgrad: Set Up Server to retry.`,
    );
  }
  if (reuse) {
    // The same version number may hold another build: the extension's wheel replaces it.
    const again = await step(env, "replacing the installed texgrad", pip[0], [...pip.slice(1), "--no-deps", "--force-reinstall", wheel], 300000);
    if (again.code !== 0) {
      throw new BootstrapError(`texgrad: pip could not upgrade texgrad (${again.error ?? tail(again.output)}). Details in the texgrad output.`);
    }
  }
  const check = await step(env, "checking the server", p.python, ["-m", "texgrad", "--version"], 60000);
  if (check.code !== 0 || !/^texgrad \S+/m.test(check.output)) {
    throw new BootstrapError(`texgrad: the installed server does not run (${check.error ?? tail(check.output)}). Details in the texgrad output.`);
  }
  env.files.write(
    p.record,
    JSON.stringify({ extensionVersion: env.version, wheel: path.basename(wheel), python: python.version, server: tail(check.output) }, null, 2) + "\n",
  );
  env.log(`[texgrad] set up ${tail(check.output)} in ${p.venv}`);
  return { command: p.python, args: ["-m", "texgrad", "lsp"], source: "managed" };
}

// The real processes and files.

export const spawnRunner: Runner = (command, args, options) =>
  new Promise((resolve) => {
    let output = "";
    let settled = false;
    const done = (r: RunResult) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(r);
      }
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { windowsHide: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PYTHONIOENCODING: "utf-8" } });
    } catch (e) {
      resolve({ code: null, output: "", error: e instanceof Error ? e.message : String(e) });
      return;
    }
    const timer = setTimeout(() => {
      child.kill();
      done({ code: null, output, error: `timed out after ${Math.round(options.timeoutMs / 1000)} s` });
    }, options.timeoutMs);
    const take = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output += text;
      options.onOutput?.(text);
    };
    child.stdout?.on("data", take);
    child.stderr?.on("data", take);
    child.on("error", (e) => done({ code: null, output, error: e.message }));
    child.on("close", (code) => done({ code, output }));
  });

export const realFiles: Files = {
  exists: (file) => fs.existsSync(file),
  read: (file) => {
    try {
      return fs.readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
  },
  write: (file, text) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, "utf8");
  },
  remove: (dir) => fs.rmSync(dir, { recursive: true, force: true }),
  create: (file, text) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, text, { encoding: "utf8", flag: "wx" });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") {
        return false;
      }
      throw e;
    }
  },
  list: (dir) => {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  },
};

export interface SetUpUi {
  /** Shows the not-found message with its one button: whether the user pressed it. */
  offer(message: string, button: string): Promise<boolean>;
  /** Runs `task` with a progress notification; `report` sets its message. */
  withProgress<T>(title: string, task: (report: (message: string) => void) => Promise<T>): Promise<T>;
  error(message: string): void;
}

/** Not found: details to the output, and the short offer: whether the user accepted it. */
export async function askToSetUp(ui: Pick<SetUpUi, "offer">, log: (line: string) => void, details: string[]): Promise<boolean> {
  for (const line of details) {
    log(`[texgrad] ${line}`);
  }
  log(
    "[texgrad] To use your own installation instead: install texgrad in a Python 3.10+ environment " +
      "(`python -m pip install <a texgrad clone's folder or its git URL>`), then select that environment in the " +
      'Python extension or set texgrad.server.command to ["/path/to/python", "-m", "texgrad", "lsp"].',
  );
  return ui.offer(NOT_FOUND_MESSAGE, SET_UP_BUTTON);
}

/** The offer, and on acceptance the set-up: the server's command when set up, else undefined
 * (declined, or failed and said so). */
export async function offerSetUp(
  ui: SetUpUi,
  env: Omit<BootstrapEnv, "progress">,
  details: string[],
): Promise<ServerCommand | undefined> {
  return (await askToSetUp(ui, env.log, details)) ? setUp(ui, env) : undefined;
}

/** The set-up with progress; failures are one message (details in the output). */
export async function setUp(ui: SetUpUi, env: Omit<BootstrapEnv, "progress">): Promise<ServerCommand | undefined> {
  try {
    return await ui.withProgress("texgrad: setting up the language server", (report) => bootstrap({ ...env, progress: report }));
  } catch (e) {
    const message =
      e instanceof BootstrapError
        ? e.message
        : `texgrad: setting up the server failed (${e instanceof Error ? e.message : String(e)}). Details in the texgrad output.`;
    env.log(`[texgrad] ${message}`);
    ui.error(message);
    return undefined;
  }
}
