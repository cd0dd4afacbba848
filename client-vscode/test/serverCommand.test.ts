import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  commandFromSetting,
  formatCommand,
  notFoundMessage,
  resolveServerCommand,
  ResolveInputs,
  which,
} from "../src/serverCommand";

function inputs(over: Partial<ResolveInputs>): ResolveInputs {
  return {
    setting: undefined,
    checkPython: async () => undefined,
    which: () => undefined,
    ...over,
  };
}

describe("commandFromSetting", () => {
  it("takes an array of strings as argv", () => {
    assert.deepEqual(commandFromSetting(["/venv/bin/python", "-m", "texgrad", "lsp"]), [
      "/venv/bin/python",
      "-m",
      "texgrad",
      "lsp",
    ]);
  });
  it("takes a string as one program, not split on spaces", () => {
    assert.deepEqual(commandFromSetting("/Program Files/texgrad.exe"), ["/Program Files/texgrad.exe"]);
  });
  it("treats empty and malformed values as not set", () => {
    for (const value of [undefined, null, "", "  ", [], [""], [1, 2], {}, 3]) {
      assert.equal(commandFromSetting(value), undefined, JSON.stringify(value));
    }
  });
});

describe("resolveServerCommand", () => {
  it("uses the setting first, without looking further", async () => {
    let looked = false;
    const r = await resolveServerCommand(
      inputs({
        setting: ["texgrad-dev", "lsp", "--log"],
        pythonInterpreter: "/py",
        checkPython: async () => {
          looked = true;
          return undefined;
        },
        which: () => {
          looked = true;
          return "/usr/bin/texgrad";
        },
      }),
    );
    assert.deepEqual(r.found, { command: "texgrad-dev", args: ["lsp", "--log"], source: "setting" });
    assert.equal(looked, false);
    assert.equal(r.tried.length, 1);
  });

  it("then the Python extension's interpreter, as python -m texgrad lsp", async () => {
    const checked: string[] = [];
    const r = await resolveServerCommand(
      inputs({
        pythonInterpreter: "/home/u/.venv/bin/python",
        checkPython: async (i) => {
          checked.push(i);
          return undefined;
        },
        which: () => "/usr/bin/texgrad",
      }),
    );
    assert.deepEqual(r.found, { command: "/home/u/.venv/bin/python", args: ["-m", "texgrad", "lsp"], source: "python" });
    assert.deepEqual(checked, ["/home/u/.venv/bin/python"]);
    assert.match(r.tried[0], /not set/);
  });

  it("then texgrad on PATH when texgrad is not in the Python environment", async () => {
    const r = await resolveServerCommand(
      inputs({
        pythonInterpreter: "/usr/bin/python3",
        checkPython: async () => "texgrad is not installed there",
        which: (p) => (p === "texgrad" ? "/opt/bin/texgrad" : undefined),
      }),
    );
    assert.deepEqual(r.found, { command: "/opt/bin/texgrad", args: ["lsp"], source: "path" });
    assert.match(r.tried[1], /\/usr\/bin\/python3: texgrad is not installed there/);
  });

  it("says what was tried when nothing is found", async () => {
    const r = await resolveServerCommand(inputs({ pythonUnavailable: "the Python extension is not installed" }));
    assert.equal(r.found, undefined);
    assert.deepEqual(r.tried, [
      "the texgrad.server.command setting: not set",
      "the Python extension's environment: the Python extension is not installed",
      "texgrad on PATH: not found",
    ]);
    const message = notFoundMessage(r.tried);
    assert.match(message, /could not find/);
    assert.match(message, /the Python extension is not installed/);
    assert.match(message, /texgrad on PATH: not found/);
    assert.match(message, /pip install/);
    assert.match(message, /texgrad\.server\.command/);
  });

  it("says a malformed setting was ignored", async () => {
    const r = await resolveServerCommand(inputs({ setting: [1, 2], which: () => "/bin/texgrad" }));
    assert.equal(r.found?.source, "path");
    assert.match(r.tried[0], /ignored, it must be an array of strings/);
  });

  it("names the start error when the command was found but did not start", () => {
    assert.match(
      notFoundMessage(["texgrad on PATH: /bin/texgrad lsp"], "spawn /bin/texgrad EACCES"),
      /did not start \(spawn \/bin\/texgrad EACCES\)/,
    );
  });
});

describe("formatCommand", () => {
  it("quotes only what needs it", () => {
    assert.equal(formatCommand("/usr/bin/python3", ["-m", "texgrad", "lsp"]), "/usr/bin/python3 -m texgrad lsp");
    assert.equal(formatCommand("/My Env/python", ["lsp"]), '"/My Env/python" lsp');
  });
});

describe("which", () => {
  it("searches PATH in order", () => {
    const exists = new Set(["/b/texgrad", "/c/texgrad"]);
    assert.equal(
      which("texgrad", { PATH: "/a:/b:/c" }, "linux", (f) => exists.has(f)),
      "/b/texgrad",
    );
    assert.equal(
      which("texgrad", { PATH: "/a" }, "linux", (f) => exists.has(f)),
      undefined,
    );
  });
  it("adds PATHEXT on Windows", () => {
    const exists = new Set(["C:\\Py\\Scripts\\texgrad.EXE"]);
    assert.equal(
      which("texgrad", { PATH: "C:\\x;C:\\Py\\Scripts", PATHEXT: ".COM;.EXE" }, "win32", (f) => exists.has(f)),
      "C:\\Py\\Scripts\\texgrad.EXE",
    );
  });
  it("finds a real executable on this machine's PATH", () => {
    assert.ok(which("node") !== undefined);
  });
});
