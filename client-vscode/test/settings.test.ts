import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CLIENT_SETTINGS,
  DEFAULT_DOCUMENT_SELECTOR,
  documentSelector,
  needsRestart,
  serverSettingNames,
  serverSettings,
} from "../src/settings";
import { readManifest } from "./helpers";

describe("serverSettingNames", () => {
  it("is every contributed texgrad setting except the client's own", () => {
    const names = serverSettingNames(readManifest());
    assert.deepEqual(names, [
      "layout",
      "gradientNotation",
      "inlayHints.enabled",
      "math.environments",
      "macros",
      "differentiation.timeBudget",
    ]);
    for (const name of CLIENT_SETTINGS) {
      assert.ok(!names.includes(name));
    }
  });
  it("is empty for a manifest without settings", () => {
    assert.deepEqual(serverSettingNames({}), []);
    assert.deepEqual(serverSettingNames(undefined), []);
  });
});

describe("serverSettings", () => {
  it("nests dotted names the way the server reads the section", () => {
    const values: Record<string, unknown> = {
      layout: "denominator",
      "inlayHints.enabled": false,
      "math.environments": ["myeq"],
      "differentiation.timeBudget": 2.5,
    };
    assert.deepEqual(
      serverSettings(["layout", "inlayHints.enabled", "math.environments", "differentiation.timeBudget", "macros"], (n) => values[n]),
      {
        layout: "denominator",
        inlayHints: { enabled: false },
        math: { environments: ["myeq"] },
        differentiation: { timeBudget: 2.5 },
      },
    );
  });
  it("keeps siblings under one prefix", () => {
    assert.deepEqual(
      serverSettings(["a.b", "a.c", "d"], (n) => n.length),
      { a: { b: 3, c: 3 }, d: 1 },
    );
  });
});

describe("documentSelector", () => {
  it("defaults to LaTeX, Markdown, Quarto and R Markdown, saved and untitled", () => {
    assert.deepEqual(documentSelector(undefined), DEFAULT_DOCUMENT_SELECTOR);
    assert.ok(DEFAULT_DOCUMENT_SELECTOR.some((f) => f.pattern === "**/*.{qmd,Rmd,rmd}" && f.scheme === "file"));
    for (const language of ["latex", "tex", "markdown", "quarto", "rmd"]) {
      for (const scheme of ["file", "untitled"]) {
        assert.ok(DEFAULT_DOCUMENT_SELECTOR.some((f) => f.language === language && f.scheme === scheme));
      }
    }
  });
  it("matches the default the manifest shows", () => {
    assert.deepEqual(readManifest().contributes.configuration.properties["texgrad.documentSelector"].default, [
      ...DEFAULT_DOCUMENT_SELECTOR,
    ]);
  });
  it("takes the valid filters of an override", () => {
    assert.deepEqual(
      documentSelector([{ language: "rmd" }, { scheme: "vscode-vfs", language: "latex" }, { pattern: "**/*.qmd" }]),
      [{ language: "rmd" }, { scheme: "vscode-vfs", language: "latex" }, { pattern: "**/*.qmd" }],
    );
  });
  it("drops malformed filters, and falls back to the default when none is left", () => {
    assert.deepEqual(documentSelector([{ language: 3 }, "latex", {}, null, { language: "latex", scheme: "" }, { scheme: "file" }]), [
      { scheme: "file" },
    ]);
    assert.deepEqual(documentSelector([{}, 1]), DEFAULT_DOCUMENT_SELECTOR);
    assert.deepEqual(documentSelector("latex"), DEFAULT_DOCUMENT_SELECTOR);
  });
});

describe("needsRestart", () => {
  it("restarts for the command and the documents, not for the server's settings", () => {
    assert.equal(needsRestart((s) => s === "texgrad.server.command"), true);
    assert.equal(needsRestart((s) => s === "texgrad.documentSelector"), true);
    assert.equal(needsRestart((s) => s === "texgrad.layout"), false);
  });
});
