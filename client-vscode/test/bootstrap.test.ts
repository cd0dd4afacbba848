// The set-up of a private server (src/bootstrap.ts) with fake processes and files: the offer,
// the virtual environment, the wheel installed, the command used; an upgrade when the extension's
// version changes; a Python too old; pip failing (offline or not).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BootstrapEnv,
  Files,
  managedServer,
  NOT_FOUND_MESSAGE,
  offerSetUp,
  RunResult,
  SET_UP_BUTTON,
  setUp,
  SetUpUi,
} from "../src/bootstrap";

interface World {
  env: Omit<BootstrapEnv, "progress">;
  files: Map<string, string>;
  runs: string[];
  log: string[];
}

/** A machine with python3 (of `pythonVersion`) on PATH, storage in /storage, the wheel in
 * /ext/server; `pip` answers pip's runs. */
function world(
  over: { pythonVersion?: string; pip?: (args: string[]) => RunResult; version?: string; onPath?: string[] } = {},
): World {
  const files = new Map<string, string>([["/ext/server/texgrad-0.1.0-py3-none-any.whl", "wheel"]]);
  const runs: string[] = [];
  const log: string[] = [];
  const fileApi: Files = {
    exists: (f) => files.has(f),
    read: (f) => files.get(f),
    write: (f, t) => void files.set(f, t),
    remove: (d) => [...files.keys()].filter((k) => k === d || k.startsWith(`${d}/`)).forEach((k) => files.delete(k)),
    create: (f, t) => !files.has(f) && files.set(f, t) !== undefined,
    list: (d) => [...files.keys()].filter((k) => k.startsWith(`${d}/`)).map((k) => k.slice(d.length + 1)),
  };
  const onPath = over.onPath ?? ["python3"];
  const env: Omit<BootstrapEnv, "progress"> = {
    storage: "/storage",
    wheels: "/ext/server",
    version: over.version ?? "0.2.0",
    platform: "linux",
    which: (p) => (onPath.includes(p) ? `/usr/bin/${p}` : undefined),
    files: fileApi,
    log: (line) => log.push(line),
    run: async (command, args, options) => {
      runs.push([command, ...args].join(" "));
      let r: RunResult = { code: 0, output: "" };
      if (args.includes("-c")) {
        r = { code: 0, output: `${over.pythonVersion ?? "3.11.7"}\n` };
      } else if (args[0] === "-m" && args[1] === "venv") {
        files.set(`${args[2]}/bin/python`, "");
      } else if (args.includes("pip")) {
        r = over.pip?.(args) ?? { code: 0, output: "Successfully installed texgrad-0.1.0\n" };
      } else if (args.includes("--version")) {
        r = { code: 0, output: "texgrad 0.1.0\n" };
      }
      options.onOutput?.(r.output);
      return r;
    },
  };
  return { env, files, runs, log };
}

function ui(accept: boolean): SetUpUi & { offers: string[]; errors: string[]; progress: string[] } {
  const u = {
    offers: [] as string[],
    errors: [] as string[],
    progress: [] as string[],
    offer: async (message: string, button: string) => {
      u.offers.push(`${message} [${button}]`);
      return accept;
    },
    withProgress: <T>(title: string, task: (report: (m: string) => void) => Promise<T>) => {
      u.progress.push(title);
      return task((m) => u.progress.push(m));
    },
    error: (message: string) => void u.errors.push(message),
  };
  return u;
}

describe("offerSetUp", () => {
  it("not found: offers once; accepted: creates the venv, installs the wheel, returns its server", async () => {
    const w = world();
    const u = ui(true);
    assert.deepEqual(managedServer({ ...w.env }), { state: "absent" });
    const command = await offerSetUp(u, w.env, ["no texgrad language server found"]);
    assert.deepEqual(u.offers, [`${NOT_FOUND_MESSAGE} [${SET_UP_BUTTON}]`]);
    assert.equal(
      NOT_FOUND_MESSAGE,
      "texgrad: no texgrad language server found. Set one up in a private environment (needs Python 3.10 or newer)?",
    );
    assert.deepEqual(command, { command: "/storage/venv/bin/python", args: ["-m", "texgrad", "lsp"], source: "managed" });
    assert.deepEqual(w.runs, [
      "/usr/bin/python3 -c import sys; print('%d.%d.%d' % sys.version_info[:3])",
      "/usr/bin/python3 -m venv /storage/venv",
      "/storage/venv/bin/python -m pip install --disable-pip-version-check --no-input --progress-bar off /ext/server/texgrad-0.1.0-py3-none-any.whl",
      "/storage/venv/bin/python -m texgrad --version",
    ]);
    assert.deepEqual(u.progress, [
      "texgrad: setting up the language server",
      "creating a virtual environment",
      "installing texgrad and its dependencies",
      "checking the server",
    ]);
    assert.deepEqual(u.errors, []);
    // The details went to the output, and pip's own output too.
    assert.ok(w.log.includes("[texgrad] no texgrad language server found"), w.log.join("\n"));
    assert.ok(w.log.includes("Successfully installed texgrad-0.1.0"), w.log.join("\n"));
    // From now on the extension uses it.
    assert.deepEqual(managedServer(w.env), { state: "current", command });
    assert.equal(JSON.parse(w.files.get("/storage/installed.json") ?? "{}").extensionVersion, "0.2.0");
  });

  it("declined: nothing runs", async () => {
    const w = world();
    const u = ui(false);
    assert.equal(await offerSetUp(u, w.env, []), undefined);
    assert.deepEqual(w.runs, []);
    assert.deepEqual(managedServer(w.env), { state: "absent" });
  });

  it("another extension version installed it: stale, and set-up upgrades it in place", async () => {
    const old = world({ version: "0.1.0" });
    await offerSetUp(ui(true), old.env, []);
    const w = world({ version: "0.2.0" });
    for (const [k, v] of old.files) {
      w.files.set(k, v);
    }
    assert.deepEqual(managedServer(w.env), { state: "stale", installed: "0.1.0" });
    const command = await offerSetUp(ui(true), w.env, []);
    assert.equal(command?.command, "/storage/venv/bin/python");
    assert.ok(!w.runs.some((r) => r.includes("-m venv")), "the environment is kept");
    assert.ok(
      w.runs.includes(
        "/storage/venv/bin/python -m pip install --disable-pip-version-check --no-input --progress-bar off --no-deps --force-reinstall /ext/server/texgrad-0.1.0-py3-none-any.whl",
      ),
      w.runs.join("\n"),
    );
    assert.equal(managedServer(w.env).state, "current");
  });

  it("an environment whose Python no longer runs is made again", async () => {
    const w = world();
    await offerSetUp(ui(true), w.env, []);
    const run = w.env.run;
    let broken = true;
    w.env.run = async (command, args, options) => {
      if (broken && command === "/storage/venv/bin/python") {
        return { code: null, output: "", error: "spawn /storage/venv/bin/python ENOENT" };
      }
      if (args.includes("venv")) {
        broken = false;
      }
      return run(command, args, options);
    };
    w.runs.length = 0;
    const u = ui(true);
    assert.equal((await setUp(u, w.env))?.command, "/storage/venv/bin/python");
    assert.deepEqual(u.errors, []);
    assert.ok(w.runs.includes("/usr/bin/python3 -m venv /storage/venv"), w.runs.join("\n"));
    assert.ok(w.log.some((l) => l.includes("does not run (spawn /storage/venv/bin/python ENOENT): making it again")), w.log.join("\n"));
  });

  it("another window is setting up: waits for it, then uses what it set up (no second install)", async () => {
    const w = world();
    w.files.set("/storage/setup.lock", JSON.stringify({ pid: 1, time: Date.now() }));
    let slept = 0;
    w.env = {
      ...w.env,
      sleep: async () => {
        if (++slept === 3) {
          // the other window finishes
          w.files.set("/storage/venv/bin/python", "");
          w.files.set("/storage/installed.json", JSON.stringify({ extensionVersion: "0.2.0" }));
          w.files.delete("/storage/setup.lock");
        }
      },
    } as typeof w.env;
    const u = ui(true);
    const command = await setUp(u, w.env);
    assert.equal(command?.command, "/storage/venv/bin/python");
    assert.equal(slept, 3);
    assert.ok(!w.runs.some((r) => r.includes("pip") || r.includes("venv")), w.runs.join("\n"));
    assert.ok(u.progress.includes("waiting for another window that is setting up texgrad"), u.progress.join("\n"));
    assert.equal(w.files.has("/storage/setup.lock"), false, "the lock is released");
  });

  it("a lock abandoned for 20 minutes is taken over; the lock is released after a failure too", async () => {
    const w = world({ pip: () => ({ code: 1, output: "ERROR: boom\n" }) });
    w.files.set("/storage/setup.lock", JSON.stringify({ pid: 1, time: Date.now() - 21 * 60 * 1000 }));
    const u = ui(true);
    assert.equal(await setUp(u, w.env), undefined);
    assert.match(u.errors[0], /pip could not install texgrad \(ERROR: boom\)/);
    assert.ok(w.log.some((l) => l.startsWith("[texgrad] removing an abandoned set-up lock")), w.log.join("\n"));
    assert.equal(w.files.has("/storage/setup.lock"), false);
  });

  it("only a Python older than 3.10: one line saying what to do, nothing created", async () => {
    const w = world({ pythonVersion: "3.8.10", onPath: ["python3", "python"] });
    const u = ui(true);
    assert.equal(await offerSetUp(u, w.env, []), undefined);
    assert.deepEqual(u.errors, [
      "texgrad: setting up the server needs Python 3.10 or newer; only older ones were found (see the texgrad output). Install a newer Python, then run texgrad: Set Up Server.",
    ]);
    assert.ok(w.log.includes("[texgrad] /usr/bin/python3: Python 3.8.10, too old"), w.log.join("\n"));
    assert.ok(!w.runs.some((r) => r.includes("venv")));
  });

  it("no Python at all: says so", async () => {
    const w = world({ onPath: [] });
    const u = ui(true);
    assert.equal(await offerSetUp(u, w.env, []), undefined);
    assert.match(u.errors[0], /needs Python 3\.10 or newer, and none was found/);
    assert.deepEqual(w.runs, []);
  });

  it("pip fails offline: one line (connect, then Set Up Server), details in the output, not recorded", async () => {
    const w = world({
      pip: () => ({
        code: 1,
        output: "WARNING: Retrying ... NewConnectionError\nERROR: No matching distribution found for lark<2,>=1.2\n",
      }),
    });
    const u = ui(true);
    assert.equal(await offerSetUp(u, w.env, []), undefined);
    assert.deepEqual(u.errors, [
      "texgrad: pip could not download texgrad's dependencies (offline or no package index?). Connect, then run texgrad: Set Up Server; details in the texgrad output.",
    ]);
    assert.ok(w.log.some((l) => l.includes("NewConnectionError")), w.log.join("\n"));
    assert.equal(w.files.get("/storage/installed.json"), undefined);
    assert.deepEqual(managedServer(w.env), { state: "absent" });
  });

  it("pip fails otherwise: its last line in the message", async () => {
    const w = world({ pip: () => ({ code: 1, output: "ERROR: texgrad-0.1.0-py3-none-any.whl is not a valid wheel filename.\n" }) });
    const u = ui(true);
    assert.equal(await offerSetUp(u, w.env, []), undefined);
    assert.match(u.errors[0], /^texgrad: pip could not install texgrad \(ERROR: texgrad-0\.1\.0-py3-none-any\.whl is not a valid wheel filename\.\)/);
  });

  it("a Python without venv (Debian without python3-venv): says which package to install", async () => {
    const w = world();
    const run = w.env.run;
    w.env.run = async (command, args, options) =>
      args.includes("venv")
        ? { code: 1, output: "The virtual environment was not created successfully because ensurepip is not available." }
        : run(command, args, options);
    const u = ui(true);
    assert.equal(await offerSetUp(u, w.env, []), undefined);
    assert.match(u.errors[0], /apt install python3-venv/);
  });
});
