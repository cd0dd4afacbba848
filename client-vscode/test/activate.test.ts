// The extension activated against a stub `vscode` and a fake server (test/fixtures/fakeServer.js,
// started through texgrad.server.command): it starts the server, sends the server's settings
// nested as initializationOptions and for workspace/configuration, runs Differentiate… through
// codeAction and codeAction/resolve, restarts only when the command changes, and when no server
// is found offers to set one up and then uses it.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { NOT_FOUND_MESSAGE, RunResult, SET_UP_BUTTON } from "../src/bootstrap";
import { packageRoot } from "./helpers";
import { installVscodeStub, StubState } from "./vscodeStub";

async function until<T>(what: string, f: () => T | undefined, ms = 15000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = f();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the extension, activated", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "texgrad-vscode-"));
  const record = path.join(tmp, "seen.json");
  const seen = () => (fs.existsSync(record) ? JSON.parse(fs.readFileSync(record, "utf8")) : {});
  /** How many servers were started with this record file. */
  const starts = (file = record) => (fs.existsSync(`${file}.starts`) ? fs.readFileSync(`${file}.starts`, "utf8").trim().split("\n").length : 0);
  const fakeServer = (file: string) => [process.execPath, path.join(packageRoot(), "test", "fixtures", "fakeServer.js"), file];
  const running = () => until("the running state", () => (state.status.text.includes("$(check)") ? true : undefined));
  let state: StubState;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let extension: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const context: any = { subscriptions: [] };

  before(async () => {
    state = installVscodeStub({
      "texgrad.server.command": fakeServer(record),
      "texgrad.layout": "denominator",
      "texgrad.inlayHints.enabled": false,
      "texgrad.math.environments": ["myeq"],
    });
    context.extension = { packageJSON: JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")) };
    context.extensionPath = path.join(tmp, "extension");
    fs.mkdirSync(path.join(context.extensionPath, "server"), { recursive: true });
    fs.writeFileSync(path.join(context.extensionPath, "server", "texgrad-0.1.0-py3-none-any.whl"), "");
    context.globalStorageUri = { fsPath: path.join(tmp, "storage") };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    extension = require("../src/extension");
    await extension.activate(context);
  });

  after(async () => {
    await extension?.deactivate();
  });

  it("starts the server from texgrad.server.command and shows it running", async () => {
    await until("the running state", () => (state.status.text.includes("$(check)") ? true : undefined));
    assert.match(String(state.status.tooltip), /fakeServer\.js/);
    assert.deepEqual(
      [...state.commands.keys()].sort(),
      [
        "texgrad.copyToClipboard",
        "texgrad.differentiate",
        "texgrad.previewDerivation",
        "texgrad.restartServer",
        "texgrad.setUpServer",
        "texgrad.showOutput",
      ],
    );
    assert.equal(starts(), 1, "started once, at activation");
  });

  it("announces the copy command to the server, and copies what a code action hands it", async () => {
    await until("the capabilities", () => seen().experimental);
    assert.deepEqual(seen().experimental.commands.commands, ["texgrad.copyToClipboard", "texgrad.previewDerivation"]);
    await state.commands.get("texgrad.copyToClipboard")?.("import numpy as np\n", "∇ₓf as NumPy");
    assert.deepEqual(state.clipboard, ["import numpy as np\n"]);
    assert.ok(state.messages.includes("info: texgrad: copied ∇ₓf as NumPy to the clipboard."), state.messages.join("\n"));
  });

  it("previews a derivation beside the document: asks the server for it, shows its Markdown rendered", async () => {
    const previewed: unknown[] = [];
    state.commands.set("markdown.showPreviewToSide", (uri: unknown) => previewed.push(uri));
    const data = { uri: "file:///doc.tex", row: 0, wrt: "x", mode: "show" };
    await state.commands.get("texgrad.previewDerivation")?.(data);
    assert.deepEqual(seen().executeCommand, { command: "texgrad.showDerivation", arguments: [data, { display: false }] });
    assert.equal(previewed.length, 1);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const uri = previewed[0] as any;
    assert.equal(uri.scheme, "texgrad-derivation");
    const provider = state.providers.get("texgrad-derivation");
    assert.equal(provider?.provideTextDocumentContent(uri), "### Derivation of ∇ₓf\n\n$$\nf = x\n$$\n");
  });

  it("sends the server's settings, nested, as initializationOptions and for workspace/configuration", async () => {
    const expected = {
      layout: "denominator",
      gradientNotation: "auto",
      inlayHints: { enabled: false },
      math: { environments: ["myeq"] },
      macros: [],
      differentiation: { timeBudget: 5 },
    };
    // The stub's configuration has no defaults: fill them in from the manifest, as VS Code does.
    const properties = context.extension.packageJSON.contributes.configuration.properties;
    for (const [key, schema] of Object.entries(properties)) {
      if (!(key in state.settings)) {
        state.settings[key] = (schema as { default: unknown }).default;
      }
    }
    assert.deepEqual(Object.keys(seen().initializationOptions ?? {}).sort(), ["inlayHints", "layout", "math"]);
    fs.rmSync(record, { force: true });
    await state.commands.get("texgrad.restartServer")?.();
    const s = await until("the configuration answer", () => seen().configuration);
    assert.deepEqual(seen().initializationOptions, expected);
    assert.deepEqual(s, [expected]);
  });

  it("Differentiate… picks among the server's differentiation actions, resolves and applies the edit", async () => {
    await until("the running state", () => (state.status.text.includes("$(check)") ? true : undefined));
    await state.commands.get("texgrad.differentiate")?.();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const items = state.picked.at(-1) as any[];
    assert.deepEqual(
      items.map((i) => [i.label, i.description]),
      [["f w.r.t. x", "gradient"]],
    );
    assert.deepEqual(seen().codeActionRange, { start: { line: 0, character: 3 }, end: { line: 0, character: 3 } });
    assert.equal(state.applied.length, 1);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const [[uri, edits]] = (state.applied[0] as any).entries;
    assert.equal(uri.toString(), "file:///doc.tex");
    assert.equal(edits[0].newText, "\\nabla_x f");
  });

  it("an unrelated setting changed: no restart, the running server is told (didChangeConfiguration)", async () => {
    await running();
    const before = starts();
    state.settings["texgrad.layout"] = "numerator";
    state.changeConfiguration(["texgrad.layout"]);
    const sent = await until("didChangeConfiguration", () => seen().didChangeConfiguration);
    assert.deepEqual(sent, [{ settings: null }]); // the server asks for its settings again
    const answered = await until("the new settings", () => (seen().configuration?.[0]?.layout === "numerator" ? true : undefined));
    assert.ok(answered);
    // VS Code may say the command "changed" when settings.json is saved: the same command, no restart.
    state.changeConfiguration(["texgrad.server.command", "texgrad.layout"]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(starts(), before);
    assert.ok(!state.output.some((l) => /failed/i.test(l)), state.output.join("\n"));
  });

  it("the command changed twice quickly: one restart, with the last command, no errors", async () => {
    await running();
    const [second, third] = [path.join(tmp, "second.json"), path.join(tmp, "third.json")];
    state.messages.length = 0;
    state.settings["texgrad.server.command"] = fakeServer(second);
    state.changeConfiguration(["texgrad.server.command"]);
    state.settings["texgrad.server.command"] = fakeServer(third);
    state.changeConfiguration(["texgrad.server.command"]);
    state.settings["texgrad.layout"] = "denominator";
    state.changeConfiguration(["texgrad.layout"]); // while restarting: not sent to the old one
    await until("the third server", () => (starts(third) === 1 && state.status.text.includes("$(check)") ? true : undefined));
    assert.match(String(state.status.tooltip), /third\.json/);
    assert.equal(starts(second), 0);
    assert.deepEqual(state.messages, []);
    assert.ok(!state.output.some((l) => /failed/i.test(l)), state.output.join("\n"));
  });

  it("no server found: one short message with one button, what was tried in the output", async () => {
    state.settings["texgrad.server.command"] = [];
    const oldPath = process.env.PATH;
    process.env.PATH = "";
    try {
      state.messages.length = 0;
      state.output.length = 0;
      state.reply = () => undefined; // dismissed
      await state.commands.get("texgrad.restartServer")?.();
      await until("the offer", () => (state.messages.length > 0 ? true : undefined));
    } finally {
      process.env.PATH = oldPath;
    }
    assert.deepEqual(state.messages, [`error: ${NOT_FOUND_MESSAGE}`]);
    const out = state.output.join("\n");
    assert.match(out, /texgrad\.server\.command setting: not set/);
    assert.match(out, /the Python extension is not installed/);
    assert.match(out, /texgrad on PATH: not found/);
    assert.match(out, /the server set up by this extension: none/);
    assert.match(out, /pip install/);
    assert.match(state.status.text, /\$\(error\)/);
  });

  it("no server found, Set up texgrad pressed: sets one up with progress and uses it from then on", async () => {
    // python3 on PATH (run by the fake runner); the venv's python starts the fake server.
    const bin = path.join(tmp, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, "python3"), "", { mode: 0o755 });
    const managed = path.join(tmp, "managed.json");
    const runs: string[] = [];
    extension.setRunnerForTests(async (command: string, args: string[], options: { onOutput?: (t: string) => void }) => {
      runs.push([path.basename(command), ...args.map((a) => (path.isAbsolute(a) ? path.basename(a) : a))].join(" "));
      let r: RunResult = { code: 0, output: "" };
      if (args.includes("-c")) {
        r = { code: 0, output: "3.12.1\n" };
      } else if (args.includes("venv")) {
        const python = path.join(args[2], "bin", "python");
        fs.mkdirSync(path.dirname(python), { recursive: true });
        fs.writeFileSync(python, `#!/bin/sh\nexec ${fakeServer(managed).map((a) => JSON.stringify(a)).join(" ")}\n`, { mode: 0o755 });
      } else if (args.includes("--version")) {
        r = { code: 0, output: "texgrad 0.1.0\n" };
      } else {
        r = { code: 0, output: "Successfully installed texgrad-0.1.0\n" };
      }
      options.onOutput?.(r.output);
      return r;
    });
    state.settings["texgrad.server.command"] = [];
    state.messages.length = 0;
    state.reply = (text, items) => (text === NOT_FOUND_MESSAGE && items.includes(SET_UP_BUTTON) ? SET_UP_BUTTON : undefined);
    const oldPath = process.env.PATH;
    process.env.PATH = bin;
    try {
      await state.commands.get("texgrad.restartServer")?.();
      await until("the managed server", () => (starts(managed) === 1 && state.status.text.includes("$(check)") ? true : undefined));
    } finally {
      process.env.PATH = oldPath;
    }
    assert.deepEqual(runs, [
      "python3 -c import sys; print('%d.%d.%d' % sys.version_info[:3])",
      "python3 -m venv venv",
      "python -m pip install --disable-pip-version-check --no-input --progress-bar off texgrad-0.1.0-py3-none-any.whl",
      "python -m texgrad --version",
    ]);
    assert.deepEqual(state.progress, [
      "texgrad: setting up the language server",
      "creating a virtual environment",
      "installing texgrad and its dependencies",
      "checking the server",
    ]);
    assert.match(String(state.status.tooltip), /storage\/venv\/bin\/python -m texgrad lsp/);
    assert.deepEqual(state.messages, [`error: ${NOT_FOUND_MESSAGE}`]);
    // From now on: found without asking (PATH empty again, nothing else there).
    await state.commands.get("texgrad.restartServer")?.();
    await until("the managed server again", () => (starts(managed) === 2 && state.status.text.includes("$(check)") ? true : undefined));
    assert.equal(runs.length, 4);
    assert.deepEqual(state.messages, [`error: ${NOT_FOUND_MESSAGE}`]);
  });

  it("the offer left unanswered: texgrad: Set Up Server from the palette still sets up", async () => {
    fs.rmSync(path.join(tmp, "storage"), { recursive: true, force: true });
    const managed = path.join(tmp, "managed.json");
    const before = starts(managed);
    state.messages.length = 0;
    state.progress.length = 0;
    state.reply = () => new Promise<undefined>(() => undefined) as unknown as undefined; // never answered
    const oldPath = process.env.PATH;
    process.env.PATH = path.join(tmp, "bin");
    try {
      await state.commands.get("texgrad.restartServer")?.();
      await until("the offer", () => (state.messages.length > 0 ? true : undefined));
      await state.commands.get("texgrad.setUpServer")?.();
      await until("the managed server", () => (starts(managed) === before + 1 && state.status.text.includes("$(check)") ? true : undefined));
    } finally {
      process.env.PATH = oldPath;
    }
    assert.deepEqual(state.messages, [`error: ${NOT_FOUND_MESSAGE}`]);
    assert.equal(state.progress[0], "texgrad: setting up the language server");
  });
});
