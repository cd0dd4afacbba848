// The VS Code side of texgrad: starts the language server, passes it the settings, and adds
// the commands and the status bar item. Logic that does not need `vscode` lives in
// serverCommand.ts, settings.ts and differentiate.ts (unit-tested in node).

import * as vscode from "vscode";
import {
  CloseAction,
  CodeActionRequest,
  CodeActionResolveRequest,
  CodeActionTriggerKind,
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
import { differentiate, ProtocolCodeAction } from "./differentiate";
import { correctingOutput } from "./outputLines";
import {
  checkPythonHasTexgrad,
  formatCommand,
  notFoundMessage,
  resolveServerCommand,
  ServerCommand,
  which,
} from "./serverCommand";
import { documentSelector, needsRestart, serverSettingNames, serverSettings } from "./settings";

const OPEN_SETTING = "Open Setting";
const SHOW_OUTPUT = "Show Output";

let client: LanguageClient | undefined;
let current: ServerCommand | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;
let settingNames: string[] = [];
let starting: Promise<void> | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  settingNames = serverSettingNames(context.extension.packageJSON);
  output = vscode.window.createOutputChannel("texgrad");
  status = vscode.window.createStatusBarItem("texgrad.status", vscode.StatusBarAlignment.Right, 100);
  status.name = "texgrad";
  status.command = "texgrad.showOutput";
  context.subscriptions.push(output, status);

  context.subscriptions.push(
    vscode.commands.registerCommand("texgrad.restartServer", () => restart()),
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
      if (needsRestart((section) => e.affectsConfiguration(section))) {
        void restart();
      }
    }),
  );
  watchPythonEnvironment(context);
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

function setStatus(text: string, tooltip: string, error = false): void {
  status.text = text;
  status.tooltip = tooltip;
  status.backgroundColor = error ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  status.show();
}

function start(): Promise<void> {
  starting ??= doStart().finally(() => {
    starting = undefined;
  });
  return starting;
}

async function doStart(): Promise<void> {
  setStatus("$(loading~spin) texgrad", "texgrad: looking for the language server");
  const config = vscode.workspace.getConfiguration("texgrad");
  const python = await pythonInterpreter();
  const resolution = await resolveServerCommand({
    setting: config.get("server.command"),
    pythonInterpreter: python.interpreter,
    pythonUnavailable: python.unavailable,
    checkPython: (interpreter) => checkPythonHasTexgrad(interpreter),
    which: (program) => which(program),
  });
  for (const line of resolution.tried) {
    output.appendLine(`[texgrad] tried ${line}`);
  }
  current = resolution.found;
  if (current === undefined) {
    failed(notFoundMessage(resolution.tried));
    return;
  }

  const serverOptions: ServerOptions = {
    command: current.command,
    args: current.args,
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(config.get("documentSelector")) as DocumentSelector,
    outputChannel: correctingOutput(output),
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    errorHandler: errorHandler(),
    // Logged only: the failed start() below shows one message that says what was tried.
    initializationFailedHandler: (error) => {
      output.appendLine(`[texgrad] initialization failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    },
    initializationOptions: settingsFor(undefined),
    synchronize: { configurationSection: "texgrad" },
    middleware: {
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
  client = started;
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
    failed(notFoundMessage(resolution.tried, exited ? "it exited while starting; its output is in the texgrad output" : reason));
  }
}

/** One message per failure, not the client's stack of them: a server that never ran is not
 * restarted (start() fails and says what was tried); one that ran is restarted up to 4 times
 * in 3 minutes, then reported. */
function errorHandler(): ErrorHandler {
  let ran = false;
  const restarts: number[] = [];
  return {
    error: () => ({ action: ErrorAction.Continue, handled: true }),
    closed: () => {
      ran ||= client?.state === State.Running || restarts.length > 0;
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

async function stop(): Promise<void> {
  const old = client;
  client = undefined;
  if (old === undefined) {
    return;
  }
  try {
    if (old.isRunning()) {
      await old.stop();
    }
  } catch (e) {
    output.appendLine(`[texgrad] stopping the server: ${e instanceof Error ? e.message : String(e)}`);
  }
  await old.dispose().catch(() => undefined);
}

async function restart(): Promise<void> {
  await starting;
  await stop();
  await start();
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
  // Only when the Python extension is already active: activating it is left to start().
  const extension = vscode.extensions.getExtension<PythonEnvironmentApi>("ms-python.python");
  const event = extension?.isActive ? extension.exports.environments?.onDidChangeActiveEnvironmentPath : undefined;
  if (event !== undefined) {
    context.subscriptions.push(
      event(() => {
        if (current?.source !== "setting") {
          void restart();
        }
      }),
    );
  }
}

async function differentiateCommand(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const running = client;
  if (editor === undefined) {
    void vscode.window.showInformationMessage("texgrad: open a LaTeX or Markdown document first.");
    return;
  }
  if (running === undefined || !running.isRunning()) {
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
  const running = client;
  if (running === undefined || !running.isRunning()) {
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
