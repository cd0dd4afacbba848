// Drives the texgrad extension in a real VS Code: code-server serving the workbench to a
// headless Chromium, steered with playwright-core the way a user does (palette, keys, menus).
//
//   node drive.cjs --cache DIR --vsix FILE --texgrad PROGRAM --work DIR --project FILE
//                  [--runs N] [--only main,project,markdown,notfound,nothing]
//
// Run with the Node 24 of the cache (tests/vscode_e2e/setup.sh installs it, code-server and
// playwright-core there). Each check prints one JSON line {"check", "ok", "detail", "ms"} on
// stdout; the time-to-first-diagnostic runs print {"ttfd": {...}}. Screenshots of failed checks
// and the code-server logs stay in --work. Exit status 0 when every check passed.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const net = require("node:net");
const os = require("node:os");
const { spawn, execFileSync } = require("node:child_process");

function args() {
  const out = { runs: 5 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    out[argv[i].replace(/^--/, "")] = argv[i + 1];
  }
  for (const k of ["cache", "vsix", "texgrad", "work", "project"]) {
    if (!out[k]) {
      console.error(`drive.cjs: --${k} is required`);
      process.exit(2);
    }
  }
  out.runs = Number(out.runs);
  // --only a,b: run only these sessions (main, project, markdown, notfound, nothing)
  out.only = out.only ? out.only.split(",") : ["main", "project", "markdown", "notfound", "nothing"];
  return out;
}

const opts = args();
const { chromium } = require(path.join(opts.cache, "playwright", "node_modules", "playwright-core"));
const CODE_SERVER = path.join(opts.cache, "code-server", "node_modules", ".bin", "code-server");
const NODE_BIN = path.join(opts.cache, "node", "bin");
const CHROMIUM = process.env.TEXGRAD_E2E_CHROMIUM || "/usr/lib/chromium/chromium";
const MOD = "Control";

// The document: a dimension mismatch (y = B x), a wrong derivative (tr(AX) by X is Aᵀ in the
// denominator layout it states; with none stated, A, the numerator layout's, is accepted), a
// quadratic form to differentiate, and an environment only texgrad.math.environments makes math.
const NOTES = String.raw`\documentclass{article}
\begin{document}
We use the denominator layout. Let $A \in \mathbb{R}^{n \times n}$, $X \in \mathbb{R}^{n \times n}$,
$B \in \mathbb{R}^{m \times k}$ and $x \in \mathbb{R}^n$.
\begin{equation}
y = B x
\end{equation}
\begin{equation}
\frac{\partial \operatorname{tr}(AX)}{\partial X} = A
\end{equation}
\begin{equation}
f(x) = x^\top A x
\end{equation}
\begin{mymath}
z = A B
\end{mymath}
\end{document}
`;
const LINE = { declB: 4, mismatch: 6, wrong: 9, form: 12, custom: 15 }; // 1-based

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, timeout = 30000, every = 100) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) {
        return last;
      }
    } catch (e) {
      last = e;
    }
    await sleep(every);
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}${last instanceof Error ? ` (${last.message})` : ""}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
}

// ---------------------------------------------------------------------------------------------
// code-server

const USER_SETTINGS = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "editor.hover.delay": 100,
  "editor.minimap.enabled": false,
  "editor.accessibilitySupport": "off",
  "files.autoSave": "off",
  "window.restoreWindows": "none",
  "workbench.editor.restoreViewState": false,
  "chat.disableAIFeatures": true,
  "git.enabled": false,
};

const servers = [];

class CodeServer {
  constructor(name, machineSettings, env) {
    servers.push(this);
    this.dir = path.join(opts.work, name);
    this.userData = path.join(this.dir, "user-data");
    this.extensions = path.join(this.dir, "extensions");
    this.workspace = path.join(this.dir, "workspace");
    this.env = env;
    fs.mkdirSync(this.workspace, { recursive: true });
    writeJson(path.join(this.userData, "User", "settings.json"), USER_SETTINGS);
    // Remote settings: where machine-overridable settings (texgrad.server.command) belong.
    writeJson(path.join(this.userData, "Machine", "settings.json"), machineSettings);
    fs.writeFileSync(path.join(this.dir, "config.yaml"), "auth: none\ncert: false\n");
  }

  install() {
    execFileSync(CODE_SERVER, ["--install-extension", opts.vsix, "--extensions-dir", this.extensions,
      "--user-data-dir", this.userData, "--config", path.join(this.dir, "config.yaml")], {
      env: this.env, stdio: ["ignore", "pipe", "pipe"], timeout: 120000,
    });
  }

  async start() {
    this.port = await freePort();
    const log = fs.openSync(path.join(this.dir, "code-server.log"), "a");
    this.proc = spawn(CODE_SERVER, [
      "--auth", "none", "--bind-addr", `127.0.0.1:${this.port}`, "--disable-telemetry",
      "--disable-workspace-trust", "--disable-update-check", "--disable-getting-started-override",
      "--user-data-dir", this.userData, "--extensions-dir", this.extensions,
      "--config", path.join(this.dir, "config.yaml"), this.workspace,
    ], { env: this.env, stdio: ["ignore", log, log], detached: true });
    await until("code-server to listen", async () => {
      const res = await fetch(`http://127.0.0.1:${this.port}/healthz`).catch(() => undefined);
      return res !== undefined && res.ok;
    }, 60000, 200);
    this.url = `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.workspace)}`;
  }

  stop() {
    if (this.proc && this.proc.exitCode === null) {
      try {
        process.kill(-this.proc.pid, "SIGTERM"); // its own process group: extension hosts, servers
      } catch {
        /* already gone */
      }
    }
  }

  /** Lines of the texgrad output channel, as VS Code logs them under the user data dir. */
  outputChannel() {
    const found = [];
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/texgrad\.log$/.test(e.name) && p.includes("output_")) found.push(p);
      }
    };
    walk(path.join(this.userData, "logs"));
    return found.map((f) => fs.readFileSync(f, "utf8")).join("\n");
  }

  /** The extension host logs (remote extension host in code-server). */
  extensionHostLog() {
    const found = [];
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/exthost\.log$/.test(e.name)) found.push(p);
      }
    };
    walk(path.join(this.userData, "logs"));
    return found.map((f) => fs.readFileSync(f, "utf8")).join("\n");
  }
}

// ---------------------------------------------------------------------------------------------
// The workbench, as a user drives it

class Workbench {
  constructor(page) {
    this.page = page;
  }

  async ready() {
    await this.page.locator(".monaco-workbench").waitFor({ timeout: 60000 });
    await this.page.locator('[id="status.problems"]').waitFor({ timeout: 60000 });
    await sleep(1500); // the workbench restores its parts
  }

  async quickInput(prefixKeys, text, expect) {
    const input = this.page.locator(".quick-input-widget .quick-input-box input");
    // F1 reaches the workbench unless a webview (a preview) holds the keyboard: then click
    // the editor area or the status bar and press it again.
    for (let attempt = 0; ; attempt++) {
      await this.page.keyboard.press("F1");
      const shown = await input.waitFor({ state: "visible", timeout: 5000 }).then(() => true, () => false);
      if (shown) break;
      if (attempt === 3) throw new Error("the command palette does not open");
      await this.page.locator(attempt % 2 ? '[id="status.problems"]' : ".monaco-editor .view-lines").first().click({ timeout: 5000 }).catch(() => undefined);
      await this.escape();
    }
    if (prefixKeys === "file") {
      await input.fill("");
    }
    await this.page.keyboard.type(text, { delay: 10 });
    const row = this.page.locator(".quick-input-widget .monaco-list-row.focused");
    await until(`"${expect}" in the quick pick`, async () => {
      const label = await row.first().getAttribute("aria-label", { timeout: 500 });
      return label !== null && label.includes(expect);
    }, 30000);
    await this.page.keyboard.press("Enter");
  }

  /** Runs a command from the palette by its title. */
  command(title) {
    return this.quickInput("command", title, title);
  }

  /** The file's row in the Explorer, once it lists it (a file just written may take a moment). */
  async fileRow(name) {
    const row = this.page.locator(".explorer-folders-view .monaco-list-row", {
      has: this.page.locator(".label-name", { hasText: new RegExp(`^${name.replace(/\./g, "\\.")}$`) }),
    }).first();
    await row.waitFor({ timeout: 60000 });
    return row;
  }

  /** Opens a file as a user does: a click on it in the Explorer (no file search involved). */
  async open(name, row) {
    await (row ?? (await this.fileRow(name))).click();
    await this.page.locator(`.tabs-container .tab[aria-label*="${name}"]`).first().waitFor({ timeout: 30000 });
  }

  async gotoLine(line, column) {
    await this.page.keyboard.press(`${MOD}+g`);
    await this.page.locator(".quick-input-widget .quick-input-box input").waitFor({ state: "visible" });
    await this.page.keyboard.type(`${line}:${column}`);
    await this.page.keyboard.press("Enter");
    await sleep(200);
  }

  async save() {
    await this.page.keyboard.press(`${MOD}+s`);
    await sleep(500);
  }

  /** Problem counts from the status bar (errors + warnings + infos). */
  async problemCount() {
    const item = this.page.locator('[id="status.problems"]');
    const label = (await item.getAttribute("aria-label", { timeout: 10000 })) ?? (await item.textContent()) ?? "";
    return (label.match(/\d+/g) ?? []).map(Number).reduce((a, b) => a + b, 0);
  }

  async problems() {
    // One read of all rows: the list re-renders while diagnostics arrive.
    return this.page
      .locator(".markers-panel .monaco-list-row")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("aria-label") ?? r.textContent ?? ""));
  }

  async notifications() {
    const toasts = this.page.locator(".notifications-toasts .notification-toast");
    const n = await toasts.count();
    const out = [];
    for (let i = 0; i < n; i++) {
      const t = toasts.nth(i);
      const text = (await t.locator(".notification-list-item-message").textContent().catch(() => "")) ?? "";
      const buttons = await t.locator(".notification-list-item-buttons-container .monaco-button").allTextContents();
      out.push({ text, buttons });
    }
    return out;
  }

  async dismissNotifications() {
    await this.command("Notifications: Clear All Notifications").catch(() => undefined);
  }

  async closeEditors() {
    await this.command("View: Close All Editors");
    await sleep(300);
  }

  async escape() {
    await this.page.keyboard.press("Escape");
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------

const failures = [];

async function check(name, wb, fn) {
  const t0 = Date.now();
  try {
    const detail = await fn();
    emit({ check: name, ok: true, detail: detail ?? "", ms: Date.now() - t0 });
  } catch (e) {
    failures.push(name);
    const shot = path.join(opts.work, `failed-${name}.png`);
    await wb?.page.screenshot({ path: shot }).catch(() => undefined);
    emit({ check: name, ok: false, detail: `${e instanceof Error ? e.message : String(e)} (screenshot ${shot})`, ms: Date.now() - t0 });
    await wb?.escape().catch(() => undefined);
    await wb?.escape().catch(() => undefined);
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function baseEnv() {
  // The extension host inherits this environment: PATH holds Node 24 and the system, and the
  // texgrad under test only through the setting (or, for the not-found check, nowhere).
  const env = { ...process.env, PATH: `${NODE_BIN}:/usr/local/bin:/usr/bin:/bin`, NO_COLOR: "1" };
  delete env.VIRTUAL_ENV;
  return env;
}

async function mainSession(browser) {
  const cs = new CodeServer("main", { "texgrad.server.command": [opts.texgrad, "lsp"] }, baseEnv());
  cs.install();
  for (let i = 0; i <= opts.runs; i++) {
    fs.writeFileSync(path.join(cs.workspace, i === 0 ? "notes.tex" : `ttfd${i}.tex`), NOTES);
  }
  const notes = path.join(cs.workspace, "notes.tex");
  await cs.start();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const firstWindow = Date.now();
  await page.goto(cs.url);
  const wb = new Workbench(page);
  await wb.ready();

  // windows: when each fresh window was loaded (start) and its .tex opened (t0).
  const ttfd = { cold: [], warm: [], windows: [], load: [] };
  // When each fresh window's extension host activated texgrad, in ms after its open
  // (negative: at the window's start, from workspaceContains). Read once all ran: the
  // extension host writes its log lazily, often after the first diagnostic is shown.
  const activations = () => {
    const times = cs.extensionHostLog().split("\n")
      .filter((l) => /_doActivateExtension texgrad\.texgrad/.test(l))
      .map((l) => new Date(l.slice(0, 23).replace(" ", "T")).getTime()) // local time, ms
      .sort((a, b) => a - b);
    return ttfd.windows.map((w, i) => {
      const end = i + 1 < ttfd.windows.length ? ttfd.windows[i + 1].start : Infinity;
      const t = times.find((x) => x >= w.start - 1000 && x < end);
      return t === undefined ? null : t - w.t0;
    });
  };
  let wrongRow = "";

  await check("diagnostics-in-problems-panel", wb, async () => {
    const row = await wb.fileRow("notes.tex");
    const t0 = Date.now();
    await wb.open("notes.tex", row);
    await until("a problem in the status bar", async () => (await wb.problemCount()) > 0, 90000, 50);
    ttfd.cold.push(Date.now() - t0);
    ttfd.windows.push({ start: firstWindow, t0 });
    ttfd.load.push(Number(os.loadavg()[0].toFixed(1)));
    await wb.command("View: Focus Problems (Errors, Warnings, Infos)");
    const rows = await until("the wrong-derivative row", async () => {
      const r = await wb.problems();
      return r.some((x) => /is not the derivative/.test(x)) && r.some((x) => /inner dimensions k and n/.test(x)) ? r : false;
    }, 60000);
    wrongRow = rows.find((x) => /is not the derivative/.test(x));
    return rows.join(" | ");
  });

  await check("hover", wb, async () => {
    await wb.page.locator(".monaco-editor .view-lines").first().click();
    await wb.gotoLine(LINE.declB, 2);
    await wb.command("Show or Focus Hover");
    const hover = wb.page.locator(".monaco-hover:visible, .monaco-resizable-hover:visible").first();
    const text = await until("hover text", async () => {
      const t = await hover.textContent({ timeout: 1000 });
      return t && t.trim() ? t : false;
    }, 15000);
    if (!/m\s*(×|\\times|x)\s*k|ℝ/.test(text)) throw new Error(`hover says: ${text}`);
    await wb.escape();
    return text.trim().slice(0, 200);
  });

  await check("quick-fix-applied", wb, async () => {
    await wb.gotoLine(LINE.wrong, 52);
    await wb.command("Quick Fix...");
    const item = wb.page.locator(".action-widget .monaco-list-row", { hasText: "Replace by" }).first();
    await item.waitFor({ timeout: 20000 });
    const title = await item.textContent();
    await item.click();
    await wb.save();
    const text = await until("the fix on disk", async () => {
      const t = fs.readFileSync(notes, "utf8");
      return /\\partial X\} = A\^\\top|\\partial X\} = A\^\{?T|\\partial X\} = A\^\{\\top\}/.test(t) ? t : false;
    }, 10000);
    const line = text.split("\n")[LINE.wrong - 1];
    await until("the wrong-derivative problem gone", async () => !(await wb.problems()).some((x) => /is not the derivative/.test(x)), 30000);
    return `${title.trim()} → ${line}`;
  });

  await check("differentiate-applied", wb, async () => {
    const before = fs.readFileSync(notes, "utf8");
    await wb.page.locator(".monaco-editor .view-lines").first().click();
    await wb.gotoLine(LINE.form, 3);
    await wb.command("texgrad: Differentiate…");
    // One candidate may be applied directly; else a quick pick lists what to differentiate.
    const picked = await Promise.race([
      wb.page.locator(".quick-input-widget .quick-input-title", { hasText: "Differentiate" }).waitFor({ timeout: 20000 }).then(() => "pick"),
      until("an edit", async () => (await wb.page.locator(".tab.dirty").count()) > 0, 20000).then(() => "direct"),
    ]);
    let chosen = "";
    if (picked === "pick") {
      await wb.page.locator(".quick-input-widget .monaco-list-row.focused").first().waitFor({ timeout: 10000 });
      const row = wb.page.locator(".quick-input-widget .monaco-list-row.focused").first();
      chosen = (await row.getAttribute("aria-label")) ?? "";
      await wb.page.keyboard.press("Enter");
    }
    await until("the document changed", async () => (await wb.page.locator(".tab.dirty").count()) > 0, 30000);
    await wb.save();
    const after = fs.readFileSync(notes, "utf8");
    const added = after.split("\n").filter((l) => !before.split("\n").includes(l));
    if (!added.some((l) => /A\s*x|A\^\\top/.test(l) && /nabla|partial/.test(l))) {
      throw new Error(`saved file gained: ${JSON.stringify(added)}`);
    }
    return `${chosen} → ${added.join(" / ")}`;
  });

  await check("show-derivation", wb, async () => {
    await wb.page.locator(".monaco-editor .view-lines").first().click();
    await wb.gotoLine(LINE.form, 3);
    const before = fs.readFileSync(notes, "utf8");
    await wb.command("Quick Fix...");
    // "Show derivation of ∇ₓf" is a refactor / source action: look for it in the menu.
    const item = wb.page.locator(".action-widget .monaco-list-row", { hasText: /Show derivation/ }).first();
    await item.waitFor({ timeout: 20000 });
    const title = (await item.textContent()).trim();
    await item.click();
    const tab = wb.page.locator(".tabs-container .tab", { hasText: /Preview/ }).first();
    await tab.waitFor({ timeout: 20000 });
    const groups = await wb.page.locator(".editor-group-container").count();
    if (groups < 2) throw new Error(`the preview is not beside the document (${groups} editor group)`);
    const label = await tab.getAttribute("aria-label");
    const shown = await until("the rendered derivation", async () => {
      for (const frame of wb.page.frames()) {
        const t = await frame.locator("body").textContent({ timeout: 500 }).catch(() => "");
        if (t && /Derivation of/.test(t) && /Verified|verified|not verified/.test(t)) return t;
      }
      return false;
    }, 20000);
    if ((await wb.page.locator(".tab.dirty").count()) > 0 || fs.readFileSync(notes, "utf8") !== before) {
      throw new Error("the document was edited");
    }
    if (/ParseError|parse error/i.test(shown)) throw new Error(`the preview failed to render: ${shown.slice(0, 300)}`);
    await tab.hover();
    await tab.locator(".tab-actions .action-label").first().click();
    await until("the preview closed", async () => (await wb.page.locator(".tabs-container .tab", { hasText: /Preview/ }).count()) === 0, 10000);
    await wb.page.locator(".monaco-editor .view-lines").first().click();
    const after = await wb.page.locator(".editor-group-container").count();
    if (after > 1) await wb.command("View: Single Column Editor Layout");
    return `${title} → ${label} (${groups} editor groups; ${shown.replace(/\s+/g, " ").slice(0, 160)})`;
  });

  await check("setting-changed-and-honoured", wb, async () => {
    const starts = (cs.outputChannel().match(/\[texgrad\] starting/g) ?? []).length;
    const custom = (x) => /inner dimensions n and m/.test(x);
    const has = async () => (await wb.problems()).some(custom);
    await wb.command("View: Focus Problems (Errors, Warnings, Infos)");
    if (await has()) throw new Error("the custom environment already has a problem before the setting");
    await wb.command("Preferences: Open User Settings (JSON)");
    // VS Code 1.139 opens settings.json in a modal editor, not a tab.
    const editor = wb.page.locator(".monaco-editor", { hasText: "workbench.startupEditor" }).last();
    await editor.waitFor({ timeout: 15000 });
    await editor.locator(".view-lines").click();
    await wb.page.keyboard.press(`${MOD}+a`);
    await wb.page.keyboard.press("Delete");
    const wanted = { ...USER_SETTINGS, "texgrad.math.environments": ["mymath"] };
    await wb.page.keyboard.insertText(JSON.stringify(wanted));
    // Brackets and quotes the editor closed on its own follow the cursor: drop them.
    await wb.page.keyboard.press(`${MOD}+Shift+End`);
    await wb.page.keyboard.press("Delete");
    await wb.save();
    const saved = Date.now();
    const file = path.join(cs.userData, "User", "settings.json");
    await until("settings.json saved", async () => {
      try {
        return JSON.parse(fs.readFileSync(file, "utf8"))["texgrad.math.environments"]?.[0] === "mymath";
      } catch {
        return false;
      }
    }, 10000).catch(() => {
      throw new Error(`settings.json holds: ${fs.readFileSync(file, "utf8")}`);
    });
    // The file on disk is what counts; close the editor whatever it still holds.
    await wb.command("View: Revert and Close Editor");
    await editor.waitFor({ state: "hidden", timeout: 10000 });
    await wb.open("notes.tex"); // back to the document (focused again, or reopened)
    await wb.command("View: Focus Problems (Errors, Warnings, Infos)");
    const rows = await until("a problem in the mymath environment", async () => {
      const r = await wb.problems();
      return r.some(custom) ? r : false;
    }, 30000);
    const restarted = (cs.outputChannel().match(/\[texgrad\] starting/g) ?? []).length - starts;
    // The time includes closing settings.json and reopening the document in the workbench.
    return `${rows.find(custom)} (${Date.now() - saved} ms after the save, the editor steps included; server restarts on the change: ${restarted})`;
  });

  await check("restart-from-palette", wb, async () => {
    const starts = (cs.outputChannel().match(/\[texgrad\] starting/g) ?? []).length;
    await wb.command("texgrad: Restart Server");
    await until("a new start in the output channel", async () => (cs.outputChannel().match(/\[texgrad\] starting/g) ?? []).length > starts, 30000);
    const status = wb.page.locator(".statusbar-item", { hasText: "texgrad" }).first();
    await until("the status bar item running", async () => /running/.test((await status.getAttribute("aria-label")) ?? "") || /check/.test(await status.innerHTML()), 30000);
    await until("diagnostics again", async () => (await wb.problemCount()) > 0, 30000);
    return `status: ${await status.getAttribute("aria-label")}`;
  });

  await check("output-channel-without-errors", wb, async () => {
    await wb.command("texgrad: Show Output");
    await wb.page.locator(".output-view, .panel .output").first().waitFor({ timeout: 10000 }).catch(() => undefined);
    const text = cs.outputChannel();
    if (!/\] texgrad .* started/.test(text)) throw new Error(`the texgrad output channel shows no server start: ${text}`);
    const bad = text.split("\n").filter((l) => /\b(error|failed|traceback|exception)\b/i.test(l) && !/\[Info/.test(l));
    const host = cs.extensionHostLog().split("\n").filter((l) => /texgrad/i.test(l) && /\[error\]/i.test(l));
    if (bad.length || host.length) throw new Error(`output: ${JSON.stringify(bad.slice(0, 10))} exthost: ${JSON.stringify(host.slice(0, 10))}`);
    return `${text.split("\n").length} lines, none an error`;
  });

  // Time to first diagnostic, opening a .tex that was never open: in the running window
  // (warm: the server runs) and in a fresh window (cold: extension activation + server start).
  await check("time-to-first-diagnostic", wb, async () => {
    for (let i = 1; i <= opts.runs; i++) {
      await wb.closeEditors();
      await sleep(1000);
      const start = Date.now();
      await wb.page.goto(cs.url);
      await wb.ready();
      const row = await wb.fileRow(`ttfd${i}.tex`);
      // The Problems panel open, so that its rows say which file a problem is in: a count in
      // the status bar can stay the same when the server withdraws a closed file's problems
      // as it publishes this one's.
      await wb.command("View: Focus Problems (Errors, Warnings, Infos)");
      const t0 = Date.now();
      await wb.open(`ttfd${i}.tex`, row);
      const file = `ttfd${i}.tex`;
      await until(`a problem of ${file} in the Problems panel`, async () => (await wb.problems()).some((r) => r.includes(file)), 90000, 25);
      ttfd.cold.push(Date.now() - t0);
      ttfd.windows.push({ start, t0 });
      ttfd.load.push(Number(os.loadavg()[0].toFixed(1)));
    }
    for (let i = 1; i <= opts.runs; i++) {
      const name = `warm${i}.tex`;
      fs.writeFileSync(path.join(cs.workspace, name), NOTES);
      await wb.closeEditors();
      const row = await wb.fileRow(name);
      await sleep(1000); // what closing the editors withdraws is gone
      const before = await wb.problemCount();
      const t0 = Date.now();
      await wb.open(name, row);
      // The closed files' problems may stay listed: wait for this file's to add to them.
      await until("a problem in the status bar", async () => (await wb.problemCount()) > before, 60000, 25);
      ttfd.warm.push(Date.now() - t0);
    }
    const summary = {
      cold_ms: ttfd.cold, warm_ms: ttfd.warm,
      activation_after_open_ms: activations(), load_average: ttfd.load, cores: os.cpus().length,
      cold_median_ms: median(ttfd.cold), warm_median_ms: median(ttfd.warm),
    };
    emit({ ttfd: summary });
    return `median cold ${summary.cold_median_ms} ms, warm ${summary.warm_median_ms} ms`;
  });

  await context.close();
  cs.stop();
  return wrongRow;
}

// A window whose extension finds no server: `settings` say where it looks (a command that
// does not exist, or nothing); the check passes when a notification about texgrad with a
// button matching `button` shows.
async function messageSession(browser, name, settings, checkName, button) {
  const cs = new CodeServer(name, settings, baseEnv());
  cs.install();
  fs.writeFileSync(path.join(cs.workspace, "notes.tex"), NOTES);
  await cs.start();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(cs.url);
  const wb = new Workbench(page);
  await wb.ready();
  await check(checkName, wb, async () => {
    await wb.open("notes.tex");
    const note = await until(`a notification about texgrad (${checkName})`, async () => {
      const ns = await wb.notifications();
      return ns.find((n) => /texgrad/i.test(n.text) && n.buttons.some((b) => button.test(b)));
    }, 60000);
    return `${note.text} [${note.buttons.join(", ")}]`;
  });
  await context.close();
  cs.stop();
}

// ---------------------------------------------------------------------------------------------
// A project as papers are written, its section opened first (the fixture is
// tests/editors/harness.py's PROJECT, passed with --project FILE as JSON).

/** VS Code's 1-based column of `needle` on 1-based `line` of `text` (UTF-16 units, as JS). */
function column(text, line, needle) {
  const row = text.split("\n")[line - 1];
  const i = row.indexOf(needle);
  if (i < 0) throw new Error(`${needle} not on line ${line}`);
  return i + 1;
}

/** The Problems panel's rows of the problems of `file` (their aria-labels, VS Code 1.139: a
 * file's row "2 problems in file model.tex of folder …", then each problem's "Error: … at line
 * L and character C. generated by texgrad", each followed by its related lines "… in main.tex"). */
async function problemsOf(wb, file) {
  let current = null;
  const out = [];
  for (const r of await wb.problems()) {
    const group = /^\d+ problems? in file (.+?) of folder /.exec(r);
    if (group) {
      current = group[1];
    } else if (/^(Error|Warning|Info|Problem): /.test(r) && current === file) {
      out.push(r);
    }
  }
  return out;
}

/** "line:character" of each problem row matching `re`. */
function at(rows, re) {
  return rows
    .filter((r) => re.test(r))
    .map((r) => {
      const m = /at line (\d+) and character (\d+)\./.exec(r);
      return m ? `${m[1]}:${m[2]}` : `?${r}`;
    });
}

async function projectSession(browser) {
  const fixture = JSON.parse(fs.readFileSync(opts.project, "utf8"));
  const { files, section, lines, macro_edit: macroEdit, wrong_fixed: wrongFixed, cannot } = fixture;
  const cs = new CodeServer("project", { "texgrad.server.command": [opts.texgrad, "lsp"] }, baseEnv());
  cs.install();
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(cs.workspace, name)), { recursive: true });
    fs.writeFileSync(path.join(cs.workspace, name), text);
  }
  const text = files[section];
  const sectionPath = path.join(cs.workspace, section);
  const sectionName = path.basename(section);
  await cs.start();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(cs.url);
  const wb = new Workbench(page);
  await wb.ready();
  const mismatchAt = `${lines.mismatch}:${column(text, lines.mismatch, "\\mA \\vy")}`;
  const wrongAt = `${lines.wrong}:${column(text, lines.wrong, "2\\mB\\vx")}`;

  await check("project-section-first", wb, async () => {
    // Explorer: unfold sections/, open the section (main.tex never opened)
    await (await wb.fileRow(path.dirname(section))).click();
    await wb.open(sectionName);
    await wb.command("View: Focus Problems (Errors, Warnings, Infos)");
    const rows = await until("the mismatch and the wrong derivative of the section", async () => {
      const r = await problemsOf(wb, sectionName);
      return r.some((x) => /is not the derivative/.test(x)) && r.some((x) => /inner dimensions n and m/.test(x)) ? r : false;
    }, 90000);
    const got = [...at(rows, /inner dimensions/), ...at(rows, /is not the derivative/)];
    if (JSON.stringify(got) !== JSON.stringify([mismatchAt, wrongAt]) || rows.length !== 2) {
      throw new Error(`rows at ${JSON.stringify(got)}, expected ${JSON.stringify([mismatchAt, wrongAt])}: ${rows.join(" | ")}`);
    }
    return rows.join(" | ");
  });

  await check("project-show-derivation", wb, async () => {
    await wb.page.locator(".monaco-editor .view-lines").first().click();
    await wb.gotoLine(lines.wrong, column(text, lines.wrong, "\\vx^") + 1);
    await wb.command("Quick Fix...");
    const item = wb.page.locator(".action-widget .monaco-list-row", { hasText: /Show derivation of ∇/ }).first();
    await item.waitFor({ timeout: 30000 });
    const title = (await item.textContent()).trim();
    await item.click();
    const tab = wb.page.locator(".tabs-container .tab", { hasText: /Preview/ }).first();
    await tab.waitFor({ timeout: 30000 });
    const shown = await until("the rendered derivation", async () => {
      for (const frame of wb.page.frames().filter((f) => f !== wb.page.mainFrame())) {
        const t = await frame.locator("body").textContent({ timeout: 500 }).catch(() => "");
        if (t && /Derivation of/.test(t) && /[Vv]erified/.test(t)) return t;
      }
      return false;
    }, 30000);
    if ((await wb.page.locator(".tab.dirty").count()) > 0 || fs.readFileSync(sectionPath, "utf8") !== text) {
      throw new Error("the section was edited");
    }
    // the math rendered: KaTeX knows the document's macros (\vx, \mB) from the Markdown
    if (/ParseError|parse error/i.test(shown)) throw new Error(`the preview failed to render: ${shown.slice(0, 300)}`);
    await tab.hover();
    await tab.locator(".tab-actions .action-label").first().click();
    await until("the preview closed", async () => (await wb.page.locator(".tabs-container .tab", { hasText: /Preview/ }).count()) === 0, 10000);
    if ((await wb.page.locator(".editor-group-container").count()) > 1) await wb.command("View: Single Column Editor Layout");
    return `${title} → ${shown.replace(/\s+/g, " ").slice(0, 160)}`;
  });

  await check("project-wrong-derivative-fixed", wb, async () => {
    await wb.open(sectionName);
    await wb.page.locator(".monaco-editor .view-lines").first().click();
    await wb.gotoLine(lines.wrong, column(text, lines.wrong, "2\\mB\\vx") + 1);
    await wb.command("Quick Fix...");
    const item = wb.page.locator(".action-widget .monaco-list-row", { hasText: "Replace by" }).first();
    await item.waitFor({ timeout: 30000 });
    const title = (await item.textContent()).trim();
    await item.click();
    await wb.save();
    const wrongLine = text.split("\n")[lines.wrong - 1];
    const want = text.replace(wrongLine, wrongLine.replace("= 2\\mB\\vx$", `= ${wrongFixed.split("= ")[1]}`));
    const saved = await until("the fix on disk", async () => {
      const t = fs.readFileSync(sectionPath, "utf8");
      return t !== text ? t : false;
    }, 15000);
    if (saved !== want) throw new Error(`saved:\n${saved}\nwanted:\n${want}`);
    await wb.command("View: Focus Problems (Errors, Warnings, Infos)");
    await until("the wrong-derivative problem gone", async () => !(await problemsOf(wb, sectionName)).some((x) => /is not the derivative/.test(x)), 30000);
    return `${title} → ${saved.split("\n")[lines.wrong - 1]}`;
  });

  await check("project-disabled-action-with-reason", wb, async () => {
    await wb.open(sectionName);
    await wb.page.locator(".monaco-editor .view-lines").first().click();
    await wb.gotoLine(lines.cannot, column(text, lines.cannot, "g(") + 1);
    // VS Code lists disabled actions in the menus asked for a kind: Refactor…
    await wb.command("Refactor...");
    const item = wb.page.locator(".action-widget .monaco-list-row", { hasText: /Differentiate g/ }).first();
    await item.waitFor({ timeout: 30000 });
    const cls = (await item.getAttribute("class")) ?? "";
    if (!/option-disabled/.test(cls)) throw new Error(`"Differentiate g" is not disabled: ${cls}`);
    // its reason, in the row (VS Code's grouped menu shows a disabled action's title only:
    // the extension puts the reason there)
    const reason = (await item.textContent()) ?? "";
    const why = cannot.split(": ").slice(1).join(": ").replace(/`/g, "");
    if (!reason.replace(/`/g, "").includes(why)) throw new Error(`the row says: ${reason}; wanted ${why}`);
    await wb.escape();
    // texgrad: Differentiate… says the same reason, not "nothing to differentiate"
    await wb.dismissNotifications();
    await wb.page.locator(".monaco-editor .view-lines").first().click();
    await wb.gotoLine(lines.cannot, column(text, lines.cannot, "g(") + 1);
    await wb.command("texgrad: Differentiate…");
    const note = await until("a notification with the reason", async () => {
      const ns = await wb.notifications();
      return ns.find((n) => /cannot differentiate g/.test(n.text));
    }, 30000);
    if (!note.text.includes("\\lambda")) throw new Error(`notification: ${note.text}`);
    await wb.dismissNotifications();
    return `${reason.replace(/\s+/g, " ").slice(0, 200)} | ${note.text}`;
  });

  await check("project-macros-edited", wb, async () => {
    const [file, line, old, repl] = macroEdit;
    const macroPath = path.join(cs.workspace, file);
    const before = fs.readFileSync(macroPath, "utf8");
    await wb.open(file);
    await wb.page.locator(".monaco-editor .view-lines").first().click();
    const col = column(before, line, old);
    await wb.gotoLine(line, col);
    for (let i = 0; i < old.length; i++) await wb.page.keyboard.press("Shift+ArrowRight");
    await wb.page.keyboard.insertText(repl);
    await wb.save();
    const after = fs.readFileSync(macroPath, "utf8");
    if (after !== before.replace(old, repl)) throw new Error(`macros.tex saved as:\n${after}`);
    const macroAt = `${lines.macro}:${column(text, lines.macro, "\\proj \\vy")}`;
    await wb.command("View: Focus Problems (Errors, Warnings, Infos)");
    const rows = await until("the section's new mismatch", async () => {
      const r = await problemsOf(wb, sectionName);
      return at(r, /inner dimensions/).includes(macroAt) ? r : false;
    }, 60000);
    return rows.join(" | ");
  });

  await check("project-macros-changed-on-disk", wb, async () => {
    // macros.tex closed, then changed by another program (\proj back to Aᵀ): the server
    // watches the files (VS Code takes its watchers) and the section's new mismatch goes
    const [file, , old, repl] = macroEdit;
    await wb.closeEditors();
    await wb.open(sectionName);
    const macroPath = path.join(cs.workspace, file);
    await sleep(1000);
    const was = fs.readFileSync(macroPath, "utf8");
    const now = was.replace(`{${repl}}\n`, `{${old}}\n`);
    if (now === was) throw new Error(`macros.tex holds no {${repl}}: ${was}`);
    fs.writeFileSync(macroPath, now);
    await wb.command("View: Focus Problems (Errors, Warnings, Infos)");
    const rows = await until("the mismatch of \\proj gone", async () => {
      const r = await problemsOf(wb, sectionName);
      return r.length === 1 && at(r, /inner dimensions/)[0] === mismatchAt ? r : false;
    }, 60000);
    return rows.join(" | ");
  });

  await context.close();
  cs.stop();
}

// A folder of Markdown alone (activation on .md): a document with math and no declaration
// gets exactly one information.
async function markdownSession(browser) {
  const fixture = JSON.parse(fs.readFileSync(opts.project, "utf8"));
  const cs = new CodeServer("markdown", { "texgrad.server.command": [opts.texgrad, "lsp"] }, baseEnv());
  cs.install();
  fs.writeFileSync(path.join(cs.workspace, "notes.md"), fixture.undeclared);
  await cs.start();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(cs.url);
  const wb = new Workbench(page);
  await wb.ready();
  await check("markdown-one-information-without-declarations", wb, async () => {
    await wb.open("notes.md");
    await wb.command("View: Focus Problems (Errors, Warnings, Infos)");
    await until("a problem for notes.md", async () => (await problemsOf(wb, "notes.md")).length > 0, 90000);
    await sleep(3000); // whatever else would come (the derivative checks publish later)
    const rows = await problemsOf(wb, "notes.md");
    if (rows.length !== 1 || !/no shape is declared/.test(rows[0]) || !/^Info|info/i.test(rows[0])) {
      throw new Error(`rows: ${rows.join(" | ")}`);
    }
    return rows[0];
  });
  await context.close();
  cs.stop();
}

async function main() {
  fs.mkdirSync(opts.work, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    if (opts.only.includes("main")) await mainSession(browser);
    if (opts.only.includes("project")) await projectSession(browser);
    if (opts.only.includes("markdown")) await markdownSession(browser);
    if (opts.only.includes("notfound")) {
      await messageSession(browser, "notfound", { "texgrad.server.command": ["/nonexistent/texgrad", "lsp"] },
        "not-found-message", /./);
    }
    // Nothing set and no texgrad on PATH (nor a Python extension): the extension offers to set
    // up a private server (not accepted here: the install downloads texgrad's dependencies).
    if (opts.only.includes("nothing")) await messageSession(browser, "nothing", {}, "set-up-offered", /set up texgrad/i);
  } finally {
    await browser.close().catch(() => undefined);
    for (const cs of servers) cs.stop();
  }
  emit({ done: true, failures });
  process.exit(failures.length ? 1 : 0);
}

main().catch((e) => {
  emit({ check: "driver", ok: false, detail: e instanceof Error ? e.stack : String(e) });
  process.exit(1);
});
