import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  differentiate,
  DifferentiateDeps,
  differentiationActions,
  pickItems,
  PickItem,
  ProtocolCodeAction,
  ProtocolCommand,
  titledWithReason,
} from "../src/differentiate";

const EDIT = { changes: { "file:///a.tex": [{ range: {}, newText: "\\nabla_x f = A^\\top (Ax - b)" }] } };

function fakes(over: Partial<DifferentiateDeps> & { actions?: Array<ProtocolCodeAction | ProtocolCommand> | null }) {
  const log: string[] = [];
  const deps: DifferentiateDeps = {
    codeActions: async () => over.actions ?? null,
    resolve: async (a) => {
      log.push(`resolve ${a.title}`);
      return { ...a, edit: EDIT };
    },
    pick: async (items: PickItem[]) => {
      log.push(`pick ${items.map((i) => i.label).join(" | ")}`);
      return items[0];
    },
    applyEdit: async (edit) => {
      log.push(`apply ${JSON.stringify(edit) === JSON.stringify(EDIT) ? "EDIT" : JSON.stringify(edit)}`);
      return true;
    },
    executeCommand: async (c) => {
      log.push(`command ${c.command}`);
    },
    info: (m) => log.push(`info ${m}`),
    error: (m) => log.push(`error ${m}`),
    ...over,
  };
  return { deps, log };
}

describe("differentiationActions", () => {
  it("keeps titles starting with Differentiate or Hessian, in order, not disabled, not bare commands", () => {
    const actions = differentiationActions([
      { title: "Differentiate f w.r.t. x (gradient)", kind: "refactor.rewrite" },
      { title: "Declare y", kind: "quickfix" },
      { title: "Hessian of f w.r.t. x", kind: "refactor.rewrite" },
      { title: "Differentiate g w.r.t. W (gradient)", disabled: { reason: "too slow" } },
      { title: "Differentiate h w.r.t. z", command: "texgrad.something" },
      { title: "Differentiated" },
    ]);
    assert.deepEqual(
      actions.map((a) => a.title),
      ["Differentiate f w.r.t. x (gradient)", "Hessian of f w.r.t. x"],
    );
  });
  it("accepts no actions", () => {
    assert.deepEqual(differentiationActions(null), []);
    assert.deepEqual(differentiationActions(undefined), []);
  });
});

describe("pickItems", () => {
  it("shows the symbol and the kind of result", () => {
    const items = pickItems([
      { title: "Differentiate f w.r.t. x (gradient)" },
      { title: "Differentiate F w.r.t. X (differential)" },
      { title: "Hessian of f w.r.t. x" },
      { title: "Differentiate the loss" },
    ]);
    assert.deepEqual(
      items.map((i) => [i.label, i.description]),
      [
        ["f w.r.t. x", "gradient"],
        ["F w.r.t. X", "differential"],
        ["Hessian of f w.r.t. x", undefined],
        ["Differentiate the loss", undefined],
      ],
    );
  });
});

describe("differentiate", () => {
  it("applies the picked action's edit", async () => {
    const { deps, log } = fakes({
      actions: [
        { title: "Differentiate f w.r.t. x (gradient)", edit: EDIT },
        { title: "Differentiate f w.r.t. A (gradient)", edit: {} },
      ],
    });
    assert.equal(await differentiate(deps), "applied");
    assert.deepEqual(log, ["pick f w.r.t. x | f w.r.t. A", "apply EDIT"]);
  });

  it("resolves an action without an edit first (codeAction/resolve)", async () => {
    const { deps, log } = fakes({ actions: [{ title: "Differentiate f w.r.t. x (gradient)", data: { id: 1 } }] });
    assert.equal(await differentiate(deps), "applied");
    assert.deepEqual(log, ["pick f w.r.t. x", "resolve Differentiate f w.r.t. x (gradient)", "apply EDIT"]);
  });

  it("runs the action's command after its edit", async () => {
    const { deps, log } = fakes({
      actions: [{ title: "Hessian of f w.r.t. x", edit: EDIT, command: { title: "", command: "texgrad.reveal" } }],
    });
    assert.equal(await differentiate(deps), "applied");
    assert.deepEqual(log.slice(1), ["apply EDIT", "command texgrad.reveal"]);
  });

  it("says so when there is nothing to differentiate, without a quick pick", async () => {
    const { deps, log } = fakes({ actions: [{ title: "Declare y", kind: "quickfix" }] });
    assert.equal(await differentiate(deps), "none");
    assert.equal(log.length, 1);
    assert.match(log[0], /^info texgrad: nothing to differentiate here/);
  });

  it("says why when the server lists the differentiation disabled with its reason", async () => {
    const reason = "the shape of `\\lambda` is unknown — declare it, e.g. `\\lambda > 0`";
    const { deps, log } = fakes({
      actions: [
        { title: "Differentiate g", kind: "refactor.rewrite", disabled: { reason } },
        { title: "Hessian of g w.r.t. x", kind: "refactor.rewrite", disabled: { reason: "no second derivative" } },
      ],
    });
    assert.equal(await differentiate(deps), "none");
    assert.deepEqual(log, [`info texgrad: cannot differentiate g: ${reason} (and 1 more in the code actions)`]);
  });

  it("titles a disabled action with its reason, once; leaves the others as they are", () => {
    const reason = "the shape of `\\lambda` is unknown";
    const action = { title: "Differentiate g", disabled: { reason } };
    assert.equal(titledWithReason(action).title, `Differentiate g: ${reason}`);
    assert.equal(titledWithReason(action).title, `Differentiate g: ${reason}`);
    assert.equal(titledWithReason({ title: "Differentiate f w.r.t. x (gradient)" }).title, "Differentiate f w.r.t. x (gradient)");
  });

  it("does nothing when the pick is cancelled", async () => {
    const { deps, log } = fakes({
      actions: [{ title: "Differentiate f w.r.t. x" }],
      pick: async () => undefined,
    });
    assert.equal(await differentiate(deps), "cancelled");
    assert.deepEqual(log, []);
  });

  it("reports an action that resolves to nothing", async () => {
    const { deps, log } = fakes({
      actions: [{ title: "Differentiate f w.r.t. x" }],
      resolve: async (a) => a,
    });
    assert.equal(await differentiate(deps), "failed");
    assert.match(log.at(-1) ?? "", /^error texgrad: "Differentiate f w.r.t. x" gave no edit/);
  });

  it("reports an edit the editor refused", async () => {
    const { deps, log } = fakes({
      actions: [{ title: "Differentiate f w.r.t. x", edit: EDIT }],
      applyEdit: async () => false,
    });
    assert.equal(await differentiate(deps), "failed");
    assert.match(log.at(-1) ?? "", /^error texgrad: the editor did not apply/);
  });

  it("reports a failed request", async () => {
    const { deps, log } = fakes({
      codeActions: async () => {
        throw new Error("Client is not running");
      },
    });
    assert.equal(await differentiate(deps), "failed");
    assert.deepEqual(log, ["error texgrad: asking the server what to differentiate failed: Client is not running"]);
  });
});
