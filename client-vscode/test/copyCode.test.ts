import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { announceCommands, COPY_COMMAND, copyToClipboard, CopyDeps } from "../src/copyCode";

function fakes(writeText?: (text: string) => Promise<void>) {
  const log: string[] = [];
  const deps: CopyDeps = {
    writeText:
      writeText ??
      (async (text) => {
        log.push(`copied ${text}`);
      }),
    info: (m) => log.push(`info ${m}`),
    error: (m) => log.push(`error ${m}`),
  };
  return { deps, log };
}

describe("announceCommands", () => {
  it("adds the copy command to experimental.commands.commands, keeping what is there", () => {
    const caps: { experimental?: unknown } = {};
    announceCommands(caps);
    assert.deepEqual(caps.experimental, { commands: { commands: [COPY_COMMAND] } });
    const other: { experimental?: unknown } = { experimental: { x: 1, commands: { commands: ["a", COPY_COMMAND] } } };
    announceCommands(other);
    assert.deepEqual(other.experimental, { x: 1, commands: { commands: ["a", COPY_COMMAND] } });
    assert.equal(COPY_COMMAND, "texgrad.copyToClipboard");
  });
});

describe("copyToClipboard", () => {
  it("copies the text and says what was copied", async () => {
    const { deps, log } = fakes();
    assert.equal(await copyToClipboard(deps, "import numpy as np\n", "∇ₓf as NumPy"), true);
    assert.deepEqual(log, ["copied import numpy as np\n", "info texgrad: copied ∇ₓf as NumPy to the clipboard."]);
  });
  it("reports nothing to copy, and a clipboard that fails", async () => {
    const none = fakes();
    assert.equal(await copyToClipboard(none.deps, undefined), false);
    assert.deepEqual(none.log, ["error texgrad: there was nothing to copy."]);
    const failing = fakes(async () => {
      throw new Error("no clipboard");
    });
    assert.equal(await copyToClipboard(failing.deps, "x"), false);
    assert.deepEqual(failing.log, ["error texgrad: copying failed: no clipboard"]);
  });
});
