// The extension activated against a stub `vscode` and a fake server (test/fixtures/fakeServer.js,
// started through texgrad.server.command): it starts the server, sends the server's settings
// nested as initializationOptions and for workspace/configuration, runs Differentiate… through
// codeAction and codeAction/resolve, and reports a server that cannot be found.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
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
  const record = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "texgrad-vscode-")), "seen.json");
  const seen = () => (fs.existsSync(record) ? JSON.parse(fs.readFileSync(record, "utf8")) : {});
  let state: StubState;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let extension: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const context: any = { subscriptions: [] };

  before(async () => {
    state = installVscodeStub({
      "texgrad.server.command": [process.execPath, path.join(packageRoot(), "test", "fixtures", "fakeServer.js"), record],
      "texgrad.layout": "denominator",
      "texgrad.inlayHints.enabled": false,
      "texgrad.math.environments": ["myeq"],
    });
    context.extension = { packageJSON: JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")) };
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
        "texgrad.showOutput",
      ],
    );
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
    await extension.deactivate();
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

  it("says what was tried when the server cannot be found", async () => {
    state.settings["texgrad.server.command"] = [];
    const oldPath = process.env.PATH;
    process.env.PATH = "";
    try {
      state.messages.length = 0;
      await state.commands.get("texgrad.restartServer")?.();
    } finally {
      process.env.PATH = oldPath;
    }
    const error = state.messages.find((m) => m.startsWith("error: "));
    assert.ok(error, state.messages.join("\n"));
    assert.match(error, /texgrad\.server\.command setting: not set/);
    assert.match(error, /the Python extension is not installed/);
    assert.match(error, /texgrad on PATH: not found/);
    assert.match(error, /pip install/);
    assert.match(state.status.text, /\$\(error\)/);
  });
});
