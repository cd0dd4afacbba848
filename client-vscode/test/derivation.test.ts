import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PREVIEW_COMMAND, PreviewDeps, previewDerivation, previewName, SHOW_COMMAND } from "../src/derivation";

function fakes(answer: () => Promise<unknown>) {
  const log: string[] = [];
  const deps: PreviewDeps = {
    executeServerCommand: async (command, args) => {
      log.push(`execute ${command} ${JSON.stringify(args)}`);
      return answer();
    },
    preview: async (name, markdown) => {
      log.push(`preview ${name}: ${markdown}`);
    },
    error: (m) => log.push(`error ${m}`),
  };
  return { deps, log };
}

describe("previewDerivation", () => {
  it("asks the server for the derivation without displaying it, and previews its Markdown", async () => {
    const derivation = { title: "Derivation of ∇ₓf", markdown: "### Derivation of ∇ₓf\n", text: "", verified: true };
    const { deps, log } = fakes(async () => derivation);
    assert.equal(await previewDerivation(deps, { wrt: "x" }), true);
    assert.deepEqual(log, [
      `execute texgrad.showDerivation [{"wrt":"x"},{"display":false}]`,
      "preview Derivation of ∇ₓf.md: ### Derivation of ∇ₓf\n",
    ]);
    assert.equal(PREVIEW_COMMAND, "texgrad.previewDerivation");
    assert.equal(SHOW_COMMAND, "texgrad.showDerivation");
  });

  it("says what went wrong instead of previewing nothing", async () => {
    const failing = fakes(async () => {
      throw new Error("texgrad: the document changed since this action was offered");
    });
    assert.equal(await previewDerivation(failing.deps, { wrt: "x" }), false);
    assert.deepEqual(failing.log.slice(1), [
      "error texgrad: showing the derivation failed: texgrad: the document changed since this action was offered",
    ]);
    const empty = fakes(async () => null);
    assert.equal(await previewDerivation(empty.deps, { wrt: "x" }), false);
    assert.deepEqual(empty.log.slice(1), ["error texgrad: the server gave no derivation."]);
    const none = fakes(async () => null);
    assert.equal(await previewDerivation(none.deps, undefined), false);
    assert.deepEqual(none.log, ["error texgrad: which derivation to show was not given."]);
  });

  it("names the preview after the derivation, without characters a path cannot hold", () => {
    assert.equal(previewName("Derivation of ∇_X \\mathcal{L}"), "Derivation of ∇_X mathcal{L}.md");
    assert.equal(previewName("Derivation of ∂y/∂x"), "Derivation of ∂y ∂x.md");
    assert.equal(previewName(""), "Derivation.md");
  });
});
