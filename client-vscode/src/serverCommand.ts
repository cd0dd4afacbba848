// Which command starts the texgrad language server. No `vscode` import: unit-tested in node.
//
// Order: the `texgrad.server.command` setting if given; else `python -m texgrad lsp` with the
// interpreter chosen in the Python extension, when texgrad is installed there; else `texgrad lsp`
// with `texgrad` found on PATH. Each step that is not used says why, so that a failure can tell
// the user what was tried.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface ServerCommand {
  command: string;
  args: string[];
  /** Where the command came from, for messages and the status bar tooltip. */
  source: "setting" | "python" | "path" | "managed";
}

export interface Resolution {
  /** The command to start, or undefined when no step found one. */
  found?: ServerCommand;
  /** One line per step, in order: what was tried and what came of it. */
  tried: string[];
}

export interface ResolveInputs {
  /** The raw value of `texgrad.server.command` (an array of strings; a string is one program). */
  setting: unknown;
  /** The interpreter of the Python extension's chosen environment, if that extension is there. */
  pythonInterpreter?: string;
  /** Set when the Python extension is not installed or gave no interpreter (said in `tried`). */
  pythonUnavailable?: string;
  /** Whether texgrad can be imported by this interpreter: undefined if so, else the reason. */
  checkPython: (interpreter: string) => Promise<string | undefined>;
  /** The full path of a program on PATH, or undefined. */
  which: (program: string) => string | undefined;
}

/** The setting as argv: a non-empty array of non-empty strings, or a non-empty string naming one
 * program (not split on spaces: paths may contain them). Anything else counts as not set. */
export function commandFromSetting(value: unknown): string[] | undefined {
  if (typeof value === "string") {
    return value.trim() === "" ? undefined : [value.trim()];
  }
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string")) {
    const argv = value as string[];
    return argv[0].trim() === "" ? undefined : argv;
  }
  return undefined;
}

export async function resolveServerCommand(inputs: ResolveInputs): Promise<Resolution> {
  const tried: string[] = [];

  const argv = commandFromSetting(inputs.setting);
  if (argv !== undefined) {
    tried.push(`the texgrad.server.command setting: ${formatCommand(argv[0], argv.slice(1))}`);
    return { found: { command: argv[0], args: argv.slice(1), source: "setting" }, tried };
  }
  const settingIsSet =
    inputs.setting !== undefined &&
    inputs.setting !== null &&
    !(Array.isArray(inputs.setting) && inputs.setting.length === 0) &&
    inputs.setting !== "";
  tried.push(
    settingIsSet
      ? "the texgrad.server.command setting: ignored, it must be an array of strings such as " +
          '["/path/to/python", "-m", "texgrad", "lsp"]'
      : "the texgrad.server.command setting: not set",
  );

  if (inputs.pythonInterpreter !== undefined) {
    const problem = await inputs.checkPython(inputs.pythonInterpreter);
    if (problem === undefined) {
      const args = ["-m", "texgrad", "lsp"];
      tried.push(`the Python extension's environment: ${formatCommand(inputs.pythonInterpreter, args)}`);
      return {
        found: { command: inputs.pythonInterpreter, args, source: "python" },
        tried,
      };
    }
    tried.push(`the Python extension's environment ${inputs.pythonInterpreter}: ${problem}`);
  } else {
    tried.push(`the Python extension's environment: ${inputs.pythonUnavailable ?? "none chosen"}`);
  }

  const onPath = inputs.which("texgrad");
  if (onPath !== undefined) {
    tried.push(`texgrad on PATH: ${formatCommand(onPath, ["lsp"])}`);
    return { found: { command: onPath, args: ["lsp"], source: "path" }, tried };
  }
  tried.push("texgrad on PATH: not found");
  return { tried };
}

/** A command line for messages: arguments with spaces or quotes are quoted. */
export function formatCommand(command: string, args: string[]): string {
  return [command, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
}

/** The message shown when no server could be started: what was tried and how to install. */
export function notFoundMessage(tried: string[], startError?: string): string {
  const lines = [
    startError === undefined
      ? "texgrad: could not find the texgrad language server."
      : `texgrad: the language server did not start (${startError}).`,
    `Tried: ${tried.join("; ")}.`,
    "Install texgrad in the Python environment you use (Python 3.10 or newer) with " +
      "`python -m pip install <texgrad repository>` (a clone's folder or its git URL), " +
      "or set texgrad.server.command to the command that starts it, such as " +
      '["/path/to/python", "-m", "texgrad", "lsp"].',
  ];
  return lines.join(" ");
}

/** Finds a program on PATH like a shell would (with PATHEXT on Windows). */
export function which(
  program: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  isExecutable: (file: string) => boolean = defaultIsExecutable,
): string | undefined {
  const sep = platform === "win32" ? ";" : ":";
  const dirs = (env.PATH ?? env.Path ?? "").split(sep).filter((d) => d !== "");
  const exts =
    platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT;.COM").split(";").filter((e) => e !== "") : [""];
  const join = platform === "win32" ? path.win32.join : path.posix.join;
  for (const dir of dirs) {
    for (const ext of exts) {
      const file = join(dir, program + ext);
      if (isExecutable(file)) {
        return file;
      }
    }
  }
  return undefined;
}

function defaultIsExecutable(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      return false;
    }
    if (process.platform !== "win32") {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/** Whether `interpreter` can import texgrad: undefined if it can, else a short reason. */
export function checkPythonHasTexgrad(interpreter: string, timeoutMs = 20000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      interpreter,
      ["-c", "import texgrad"],
      { timeout: timeoutMs, windowsHide: true },
      (error, _stdout, stderr) => {
        if (error === null) {
          resolve(undefined);
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") {
          resolve("the interpreter does not exist");
        } else if (/No module named '?texgrad'?/.test(stderr)) {
          resolve("texgrad is not installed there");
        } else {
          const last = stderr.trim().split(/\r?\n/).pop();
          resolve(`importing texgrad failed (${last || error.message})`);
        }
      },
    );
  });
}
