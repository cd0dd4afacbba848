// The VS Code side of texgrad: starts the language server, passes it the settings, and adds
// the commands and the status bar item. Logic that does not need `vscode` lives in
// serverCommand.ts, settings.ts and differentiate.ts (unit-tested in node).

import * as vscode from "vscode";
import {
  CloseAction,
  CodeActionRequest,
  CodeActionResolveRequest,
  CodeActionTriggerKind,
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  ErrorAction,
  ErrorHandler,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  RevealOutputChannelOn,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import type { CodeAction, DocumentSelector, WorkspaceEdit } from "vscode-languageclient/node";
import { announceCommands, COPY_COMMAND, copyToClipboard } from "./copyCode";
import { DERIVATION_SCHEME, PREVIEW_COMMAND, previewDerivation } from "./derivation";
import { differentiate, ProtocolCodeAction, titledWithReason } from "./differentiate";
import * as path from "node:path";
import {
  askToSetUp,
  BootstrapEnv,
  managedServer,
  realFiles,
  Runner,
  setUp,
  SetUpUi,
  spawnRunner,
} from "./bootstrap";
import { correctingOutput } from "./outputLines";
import {
  checkPythonHasTexgrad,
  formatCommand,
  notFoundMessage,
  resolveServerCommand,
  ServerCommand,
  which,
} from "./serverCommand";
import { DocumentFilter, documentSelector, needsRestart, serverSettingNames, serverSettings } from "./settings";
import { Client as SupervisedClient, Plan, Supervisor } from "./supervisor";

const OPEN_SETTING = "Open Setting";
const SHOW_OUTPUT = "Show Output";

let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;
let settingNames: string[] = [];
let supervisor: Supervisor<Spec, Running>;
let extensionContext: vscode.ExtensionContext;
let settingUp: Promise<void> | undefined;
let offering = false;
let runner: Runner = spawnRunner;

/** Processes for the set-up, replaced by the activation test. */
export function setRunnerForTests(r: Runner): void {
  runner = r;
}

/** What would be started: the command found (or none) and the documents it serves. */
interface Spec {
  found?: ServerCommand;
  tried: string[];
  selector: DocumentFilter[];
  /** Nothing found, but a server set up by another version of the extension: upgrade it. */
  stale?: string;
  python?: string;
}

/** A started client as the supervisor sees it. */
interface Running extends SupervisedClient {
  client: LanguageClient;
}

/** The client running now, if it runs. */
function runningClient(): LanguageClient | undefined {
  const c = supervisor?.client?.client;
  return c !== undefined && c.isRunning() ? c : undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionContext = context;
  settingNames = serverSettingNames(context.extension.packageJSON);
  output = vscode.window.createOutputChannel("texgrad");
  status = vscode.window.createStatusBarItem("texgrad.status", vscode.StatusBarAlignment.Right, 100);
  status.name = "texgrad";
  status.command = "texgrad.showOutput";
  context.subscriptions.push(output, status);
  supervisor = new Supervisor<Spec, Running>({
    resolve: () => resolveSpec(),
    launch: (plan) => launch(plan.spec as Spec),
    log: (line) => output.appendLine(line),
  });

  context.subscriptions.push(
    vscode.commands.registerCommand("texgrad.restartServer", () => supervisor.restart()),
    vscode.commands.registerCommand("texgrad.setUpServer", () => setUpServer()),
    vscode.commands.registerCommand("texgrad.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("texgrad.differentiate", () => differentiateCommand()),
    // copyCode.COPY_COMMAND, run by the server's "Copy ∇ₓf as NumPy" code actions
    vscode.commands.registerCommand("texgrad.copyToClipboard", (text: unknown, what: unknown) =>
      copyToClipboard(
        {
          writeText: (t) => vscode.env.clipboard.writeText(t),
          info: (m) => void vscode.window.showInformationMessage(m),
          error: (m) => void vscode.window.showErrorMessage(m),
        },
        text,
        what,
      ),
    ),
    // derivation.PREVIEW_COMMAND (texgrad.previewDerivation), run by the server's "Show derivation of ∇ₓf" code actions
    vscode.workspace.registerTextDocumentContentProvider(DERIVATION_SCHEME, derivations),
    vscode.commands.registerCommand("texgrad.previewDerivation", (data: unknown) => previewCommand(data)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const affects = (section: string) => e.affectsConfiguration(section);
      if (needsRestart(affects)) {
        // Restarts only if the command or the documents really change (the supervisor compares).
        void supervisor.refresh();
      } else if (affects("texgrad")) {
        void supervisor.configurationChanged();
      }
    }),
  );
  // Started once, here, before the first document needs it; not awaited past the start itself
  // (an offer to set up waits for the user without holding the activation).
  setStatus("$(loading~spin) texgrad", "texgrad: looking for the language server");
  await supervisor.start();
  // After the start, which activates the Python extension when it is installed.
  watchPythonEnvironment(context);
}

export async function deactivate(): Promise<void> {
  await supervisor?.stop();
}

function setStatus(text: string, tooltip: string, error = false): void {
  status.text = text;
  status.tooltip = tooltip;
  status.backgroundColor = error ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  status.show();
}

function bootstrapEnv(python: string | undefined): Omit<BootstrapEnv, "progress"> {
  return {
    storage: extensionContext.globalStorageUri.fsPath,
    wheels: path.join(extensionContext.extensionPath, "server"),
    version: String(extensionContext.extension.packageJSON.version),
    pythonInterpreter: python,
    platform: process.platform,
    which: (program) => which(program),
    run: runner,
    files: realFiles,
    log: (line) => output.appendLine(line),
  };
}

async function resolveSpec(): Promise<Plan<Spec>> {
  const config = vscode.workspace.getConfiguration("texgrad");
  const python = await pythonInterpreter();
  const resolution = await resolveServerCommand({
    setting: config.get("server.command"),
    pythonInterpreter: python.interpreter,
    pythonUnavailable: python.unavailable,
    checkPython: (interpreter) => checkPythonHasTexgrad(interpreter),
    which: (program) => which(program),
  });
  const spec: Spec = {
    found: resolution.found,
    tried: resolution.tried,
    selector: documentSelector(config.get("documentSelector")),
    python: python.interpreter,
  };
  if (spec.found === undefined) {
    const managed = managedServer(bootstrapEnv(python.interpreter));
    if (managed.state === "current") {
      spec.found = managed.command;
      spec.tried.push(`the server set up by this extension: ${formatCommand(managed.command.command, managed.command.args)}`);
    } else if (managed.state === "stale") {
      spec.stale = managed.installed;
      spec.tried.push(`the server set up by this extension: set up by version ${managed.installed}, to be upgraded`);
    } else {
      spec.tried.push("the server set up by this extension: none");
    }
  }
  const key = JSON.stringify([spec.found?.command ?? null, spec.found?.args ?? null, spec.stale ?? null, spec.selector]);
  return { key, spec };
}

const SET_UP_UI: SetUpUi = {
  // Pressed after a server was found meanwhile (a setting that arrived late, as Remote settings
  // may): nothing to set up.
  offer: async (message, button) =>
    (await vscode.window.showErrorMessage(message, button)) === button && runningClient() === undefined,
  withProgress: (title, task) =>
    Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, (progress) =>
        task((message) => progress.report({ message })),
      ),
    ),
  error: (message) =>
    void vscode.window.showErrorMessage(message, SHOW_OUTPUT).then((choice) => choice === SHOW_OUTPUT && output.show(true)),
};

/** texgrad: Set Up Server, the not-found offer accepted, or an upgrade: set up, then start it. */
function setUpServer(): Promise<void> {
  settingUp ??= (async () => {
    setStatus("$(loading~spin) texgrad", "texgrad: setting up the language server");
    const python = await pythonInterpreter();
    if ((await setUp(SET_UP_UI, bootstrapEnv(python.interpreter))) !== undefined) {
      await supervisor.restart();
    } else if (runningClient() === undefined) {
      setStatus("$(error) texgrad", "texgrad: no language server; click for the output", true);
    }
  })().finally(() => {
    settingUp = undefined;
  });
  return settingUp;
}

/** The not-found offer, once at a time; it may wait for the user as long as it likes without
 * holding the queue or texgrad: Set Up Server. */
function offerToSetUp(tried: string[]): void {
  if (offering || settingUp !== undefined) {
    return;
  }
  offering = true;
  void askToSetUp(SET_UP_UI, (line) => output.appendLine(line), notFoundDetails(tried)).then(
    (accepted) => {
      offering = false;
      if (accepted) {
        void setUpServer();
      }
    },
    () => {
      offering = false;
    },
  );
}

async function launch(spec: Spec): Promise<Running | undefined> {
  for (const line of spec.tried) {
    output.appendLine(`[texgrad] tried ${line}`);
  }
  const current = spec.found;
  if (current === undefined) {
    setStatus("$(error) texgrad", "texgrad: no language server; click for the output", true);
    if (spec.stale !== undefined) {
      void setUpServer(); // set up by another version of the extension: upgraded without asking
    } else {
      offerToSetUp(spec.tried);
    }
    return undefined;
  }

  const serverOptions: ServerOptions = {
    command: current.command,
    args: current.args,
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: spec.selector as DocumentSelector,
    outputChannel: correctingOutput(output),
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    errorHandler: errorHandler(() => started),
    // Logged only: the failed start() below shows one message that says what was tried.
    initializationFailedHandler: (error) => {
      output.appendLine(`[texgrad] initialization failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    },
    // Read at each (re)start, so a server the client restarts gets the settings of now.
    initializationOptions: () => settingsFor(undefined),
    // No `synchronize.configurationSection`: the client would push every change itself, also to
    // a client being stopped; the supervisor sends didChangeConfiguration to a running one only.
    middleware: {
      // A disabled action (what texgrad cannot differentiate there) says why in its title: the
      // menu shows no reason of its own.
      provideCodeActions: async (document, range, context, token, next) => {
        const actions = await next(document, range, context, token);
        for (const action of actions ?? []) {
          if (action instanceof vscode.CodeAction) {
            titledWithReason(action);
          }
        }
        return actions;
      },
      workspace: {
        // The server asks for the section "texgrad": answer with its settings only, nested.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return params.items.map((item, i) =>
            item.section === "texgrad"
              ? settingsFor(item.scopeUri === undefined ? undefined : vscode.Uri.parse(item.scopeUri))
              : result[i],
          );
        },
      },
    },
  };
  const started = new LanguageClient("texgrad", "texgrad", serverOptions, clientOptions);
  // Tell the server this client runs texgrad.copyToClipboard, so it offers "Copy ∇ₓf as NumPy",
  // and texgrad.previewDerivation, so "Show derivation" comes as a rendered preview.
  started.registerFeature({
    fillClientCapabilities: (capabilities) => announceCommands(capabilities, [COPY_COMMAND, PREVIEW_COMMAND]),
    initialize: () => undefined,
    getState: () => ({ kind: "static" }),
    clear: () => undefined,
  });
  const commandLine = formatCommand(current.command, current.args);
  started.onDidChangeState((e) => {
    if (e.newState === State.Running) {
      setStatus("$(check) texgrad", `texgrad: running (${commandLine})`);
    } else if (e.newState === State.Starting) {
      setStatus("$(loading~spin) texgrad", `texgrad: starting (${commandLine})`);
    } else {
      setStatus("$(error) texgrad", `texgrad: stopped (${commandLine}); click for the output`, true);
    }
  });
  output.appendLine(`[texgrad] starting ${commandLine}`);
  try {
    await started.start();
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    // A server that exits at once (texgrad without `lsp`, a wrong interpreter) surfaces as a
    // broken pipe: say that, its own words are in the output.
    const exited = /stream was destroyed|connection got disposed|Connection closed|EPIPE/i.test(reason);
    failed(notFoundMessage(spec.tried, exited ? "it exited while starting; its output is in the texgrad output" : reason));
    await started.dispose().catch(() => undefined);
    return undefined;
  }
  return {
    client: started,
    isRunning: () => started.isRunning(),
    stop: async () => {
      try {
        if (started.isRunning()) {
          await started.stop();
        }
      } finally {
        await started.dispose().catch(() => undefined);
      }
    },
    // The server asks for its settings again (workspace/configuration, per folder).
    notifyConfiguration: () => started.sendNotification(DidChangeConfigurationNotification.type, { settings: null }),
  };
}

/** What the output channel adds when no server was found (the "tried" lines are just above). */
function notFoundDetails(tried: string[]): string[] {
  return [`no texgrad language server found, in any of the ${tried.length} places tried above.`];
}

/** One message per failure, not the client's stack of them: a server that never ran is not
 * restarted (start() fails and says what was tried); one that ran is restarted up to 4 times
 * in 3 minutes, then reported. */
function errorHandler(client: () => LanguageClient | undefined): ErrorHandler {
  let ran = false;
  const restarts: number[] = [];
  return {
    error: () => ({ action: ErrorAction.Continue, handled: true }),
    closed: () => {
      ran ||= client()?.state === State.Running || restarts.length > 0;
      if (!ran) {
        return { action: CloseAction.DoNotRestart, handled: true };
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && restarts[0] < now - 3 * 60 * 1000) {
        restarts.shift();
      }
      if (restarts.length <= 4) {
        output.appendLine("[texgrad] the server stopped; restarting it");
        return { action: CloseAction.Restart, handled: true };
      }
      failed("texgrad: the language server stopped 5 times in 3 minutes and is not restarted. See the texgrad output; texgrad: Restart Server starts it again.");
      return { action: CloseAction.DoNotRestart, handled: true };
    },
  };
}

function failed(message: string): void {
  output.appendLine(`[texgrad] ${message}`);
  setStatus("$(error) texgrad", "texgrad: the language server is not running; click for the output", true);
  void vscode.window.showErrorMessage(message, OPEN_SETTING, SHOW_OUTPUT).then((choice) => {
    if (choice === OPEN_SETTING) {
      void vscode.commands.executeCommand("workbench.action.openSettings", "texgrad.server.command");
    } else if (choice === SHOW_OUTPUT) {
      output.show(true);
    }
  });
}

function settingsFor(scope: vscode.Uri | undefined): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration("texgrad", scope);
  return serverSettings(settingNames, (name) => config.get(name));
}

// The Python extension (ms-python.python), when installed: the interpreter of the environment
// chosen for the active document's folder.

interface PythonEnvironmentApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
    resolveEnvironment(
      environment: { id: string; path: string } | string,
    ): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
  settings?: {
    getExecutionDetails(resource?: vscode.Uri): { execCommand: string[] | undefined };
  };
}

async function pythonApi(): Promise<PythonEnvironmentApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonEnvironmentApi>("ms-python.python");
  if (extension === undefined) {
    return undefined;
  }
  return extension.isActive ? extension.exports : await extension.activate();
}

async function pythonInterpreter(): Promise<{ interpreter?: string; unavailable?: string }> {
  let api: PythonEnvironmentApi | undefined;
  try {
    api = await pythonApi();
  } catch (e) {
    return { unavailable: `the Python extension failed to start (${e instanceof Error ? e.message : e})` };
  }
  if (api === undefined) {
    return { unavailable: "the Python extension is not installed" };
  }
  const resource = vscode.window.activeTextEditor?.document.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  try {
    if (api.environments !== undefined) {
      const env = await api.environments.resolveEnvironment(api.environments.getActiveEnvironmentPath(resource));
      const path = env?.executable.uri?.fsPath;
      if (path) {
        return { interpreter: path };
      }
    }
    const exec = api.settings?.getExecutionDetails(resource).execCommand;
    if (exec !== undefined && exec.length === 1) {
      return { interpreter: exec[0] };
    }
  } catch (e) {
    return { unavailable: `the Python extension gave no interpreter (${e instanceof Error ? e.message : e})` };
  }
  return { unavailable: "no interpreter is selected in the Python extension" };
}

function watchPythonEnvironment(context: vscode.ExtensionContext): void {
  // Only when the Python extension is active (start() activates it when installed).
  const extension = vscode.extensions.getExtension<PythonEnvironmentApi>("ms-python.python");
  const event = extension?.isActive ? extension.exports.environments?.onDidChangeActiveEnvironmentPath : undefined;
  if (event !== undefined) {
    context.subscriptions.push(
      // Restarts only if the command found changes (not when the setting names one).
      event(() => void supervisor.refresh()),
    );
  }
}

async function differentiateCommand(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const running = runningClient();
  if (editor === undefined) {
    void vscode.window.showInformationMessage("texgrad: open a LaTeX or Markdown document first.");
    return;
  }
  if (running === undefined) {
    void vscode.window
      .showErrorMessage("texgrad: the language server is not running.", SHOW_OUTPUT)
      .then((choice) => choice === SHOW_OUTPUT && output.show(true));
    return;
  }
  const document = editor.document;
  const selection = editor.selection;
  const c2p = running.code2ProtocolConverter;
  await differentiate({
    codeActions: async () => {
      const diagnostics = vscode.languages
        .getDiagnostics(document.uri)
        .filter((d) => d.range.intersection(selection) !== undefined);
      const result = await running.sendRequest(CodeActionRequest.type, {
        textDocument: c2p.asTextDocumentIdentifier(document),
        range: c2p.asRange(selection),
        context: {
          diagnostics: await c2p.asDiagnostics(diagnostics),
          triggerKind: CodeActionTriggerKind.Invoked,
        },
      });
      return result as ProtocolCodeAction[] | null;
    },
    resolve: async (action) =>
      (await running.sendRequest(CodeActionResolveRequest.type, action as CodeAction)) as ProtocolCodeAction,
    pick: (items) =>
      vscode.window.showQuickPick(items, {
        title: "texgrad: Differentiate…",
        placeHolder: "What to differentiate, and with respect to which symbol",
        matchOnDescription: true,
      }),
    applyEdit: async (edit) =>
      vscode.workspace.applyEdit(await running.protocol2CodeConverter.asWorkspaceEdit(edit as WorkspaceEdit)),
    executeCommand: (command) => vscode.commands.executeCommand(command.command, ...(command.arguments ?? [])),
    info: (message) => void vscode.window.showInformationMessage(message),
    error: (message) => void vscode.window.showErrorMessage(message),
  });
}

/** The derivations shown, as read-only virtual Markdown documents (texgrad-derivation:…). */
class Derivations implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, markdown: string): void {
    this.texts.set(uri.toString(), markdown);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? "";
  }
}

const derivations = new Derivations();

async function previewCommand(data: unknown): Promise<void> {
  const running = runningClient();
  if (running === undefined) {
    void vscode.window.showErrorMessage("texgrad: the language server is not running.");
    return;
  }
  await previewDerivation(
    {
      executeServerCommand: (command, args) =>
        running.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }) as Promise<unknown>,
      preview: async (name, markdown) => {
        const uri = vscode.Uri.parse(`${DERIVATION_SCHEME}:/${encodeURIComponent(name)}`);
        derivations.set(uri, markdown);
        await vscode.commands.executeCommand("markdown.showPreviewToSide", uri);
      },
      error: (message) => void vscode.window.showErrorMessage(message),
    },
    data,
  );
}
