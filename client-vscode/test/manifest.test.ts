// The settings in package.json are exactly the server's settings schema (read from the Python
// package with `texgrad settings --json`) plus the client's own. Fails, never skips, when no
// Python with texgrad can be found.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { CLIENT_SETTINGS } from "../src/settings";
import { packageRoot, readManifest } from "./helpers";

/** Candidates in order: $TEXGRAD_PYTHON (alone when set), ../.venv's python, python3. */
function pythonCandidates(): string[] {
  const explicit = process.env.TEXGRAD_PYTHON;
  if (explicit !== undefined && explicit !== "") {
    return [explicit];
  }
  const venv = path.join(packageRoot(), "..", ".venv");
  const local = [path.join(venv, "bin", "python"), path.join(venv, "Scripts", "python.exe")].filter((p) =>
    fs.existsSync(p),
  );
  return [...local, "python3"];
}

function serverSchema(): Record<string, unknown> {
  const failures: string[] = [];
  for (const python of pythonCandidates()) {
    const proc = spawnSync(python, ["-m", "texgrad", "settings", "--json"], { encoding: "utf8", timeout: 60000 });
    if (proc.error === undefined && proc.status === 0) {
      return JSON.parse(proc.stdout);
    }
    failures.push(`${python} -m texgrad settings --json: ${proc.error?.message ?? proc.stderr.trim().split("\n").pop()}`);
  }
  throw new Error(
    "cannot read the server's settings schema; set TEXGRAD_PYTHON to a Python that has texgrad " +
      `installed (pip install -e .. from client-vscode). Tried: ${failures.join("; ")}`,
  );
}

describe("package.json", () => {
  const manifest = readManifest();
  const properties: Record<string, unknown> = manifest.contributes.configuration.properties;

  it("contributes exactly the server's settings, as its schema says them, plus the client's", () => {
    const schema = serverSchema();
    assert.ok(Object.keys(schema).length > 0, "the server's schema is empty");
    const clientKeys = CLIENT_SETTINGS.map((name) => `texgrad.${name}`);
    const serverPart = Object.fromEntries(Object.entries(properties).filter(([key]) => !clientKeys.includes(key)));
    assert.deepStrictEqual(serverPart, schema);
    assert.deepStrictEqual(Object.keys(serverPart), Object.keys(schema), "same order as the server's schema");
    assert.deepStrictEqual(
      Object.keys(properties).filter((key) => clientKeys.includes(key)).sort(),
      [...clientKeys].sort(),
    );
  });

  it("has the client's settings with their documented types", () => {
    const command = properties["texgrad.server.command"] as { type: string; items: { type: string }; default: unknown };
    assert.equal(command.type, "array");
    assert.deepEqual(command.items, { type: "string" });
    assert.deepEqual(command.default, []);
    const trace = properties["texgrad.trace.server"] as { enum: string[]; default: string };
    assert.deepEqual(trace.enum, ["off", "messages", "verbose"]);
    assert.equal(trace.default, "off");
    assert.equal((properties["texgrad.documentSelector"] as { type: string }).type, "array");
  });

  it("activates on the languages it serves, and in a folder with LaTeX, Quarto or R Markdown files", () => {
    // Not on any .md in the folder: nearly every folder has a README, and the server is Python.
    assert.deepEqual(manifest.activationEvents, [
      "onLanguage:latex",
      "onLanguage:tex",
      "onLanguage:markdown",
      "onLanguage:quarto",
      "onLanguage:rmd",
      "workspaceContains:**/*.tex",
      "workspaceContains:**/*.qmd",
      "workspaceContains:**/*.{Rmd,rmd}",
    ]);
    const languages = new Set(
      (manifest.contributes.configuration.properties["texgrad.documentSelector"].default as Array<{ language?: string }>)
        .map((f) => f.language)
        .filter((l) => l !== undefined),
    );
    assert.deepEqual([...languages].map((l) => `onLanguage:${l}`), manifest.activationEvents.filter((e: string) => e.startsWith("onLanguage:")));
  });

  it("contributes the commands the extension registers", () => {
    const source = fs.readFileSync(path.join(packageRoot(), "src", "extension.ts"), "utf8");
    const registered = [...source.matchAll(/registerCommand\("([^"]+)"/g)].map((m) => m[1]).sort();
    const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(contributed, registered);
    assert.deepEqual(
      manifest.contributes.commands.map((c: { category: string; title: string }) => `${c.category}: ${c.title}`),
      [
        "texgrad: Restart Server",
        "texgrad: Set Up Server",
        "texgrad: Differentiate…",
        "texgrad: Show Output",
        "texgrad: Copy to Clipboard",
        "texgrad: Show Derivation",
      ],
    );
  });

  it("keeps the copy and preview commands, run by code actions, out of the command palette", () => {
    assert.deepEqual(manifest.contributes.menus.commandPalette, [
      { command: "texgrad.copyToClipboard", when: "false" },
      { command: "texgrad.previewDerivation", when: "false" },
    ]);
  });

  it("is built for VS Code 1.82 with vscode-languageclient 9 and bundled into dist/", () => {
    assert.equal(manifest.engines.vscode, "^1.82.0");
    assert.match(manifest.dependencies["vscode-languageclient"], /^\^9\./);
    assert.equal(manifest.devDependencies["@types/vscode"], "1.82.0");
    assert.equal(manifest.main, "./dist/extension.js");
  });
});

describe("README.md", () => {
  const readme = fs.readFileSync(path.join(packageRoot(), "README.md"), "utf8");
  const manifest = readManifest();

  it("has a row for every setting in its settings table", () => {
    for (const key of Object.keys(manifest.contributes.configuration.properties)) {
      assert.ok(readme.includes(`| \`${key}\` |`), `README.md has no row for ${key}`);
    }
  });

  it("describes every command", () => {
    for (const c of manifest.contributes.commands as Array<{ category: string; title: string }>) {
      assert.ok(readme.includes(`**${c.category}: ${c.title}**`), `README.md does not describe ${c.title}`);
    }
  });
});
