// Just enough of the `vscode` module to activate the extension in node: real Uri, events and
// configuration; everything else is a permissive stub (any property, callable, constructible,
// disposable). Loaded by `installVscodeStub()` before the extension is required.

/* eslint-disable @typescript-eslint/no-explicit-any */
import Module from "node:module";

function universal(name: string): any {
  const target = function () {} as any;
  return new Proxy(target, {
    get(t, prop) {
      if (prop === "then") {
        return undefined; // not a thenable
      }
      if (prop === "dispose") {
        return () => undefined;
      }
      if (prop in t) {
        return t[prop];
      }
      return universal(`${name}.${String(prop)}`);
    },
    apply: () => universal(`${name}()`),
    construct: () => universal(`new ${name}`),
  });
}

class Uri {
  constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static parse(value: string): Uri {
    const m = /^([a-z-]+):(?:\/\/)?(.*)$/.exec(value);
    return m === null ? new Uri("file", value) : new Uri(m[1], m[2]);
  }
  static file(path: string): Uri {
    return new Uri("file", path);
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
  toJSON(): string {
    return this.toString();
  }
}

class EventEmitter<T> {
  private listeners: Array<(e: T) => void> = [];
  event = (listener: (e: T) => void) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) {
      l(e);
    }
  }
  dispose(): void {
    this.listeners = [];
  }
}

class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  static from(...items: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: any, b: any, c?: number, d?: number) {
    this.start = typeof a === "number" ? new Position(a, b) : a;
    this.end = typeof a === "number" ? new Position(c ?? 0, d ?? 0) : b;
  }
}

class TextEdit {
  constructor(
    readonly range: Range,
    readonly newText: string,
  ) {}
}

class WorkspaceEdit {
  readonly entries: Array<[Uri, TextEdit[]]> = [];
  set(uri: Uri, edits: TextEdit[]): void {
    this.entries.push([uri, edits]);
  }
  replace(uri: Uri, range: Range, newText: string): void {
    this.entries.push([uri, [new TextEdit(range, newText)]]);
  }
  insert(uri: Uri, position: Position, newText: string): void {
    this.replace(uri, new Range(position, position), newText);
  }
}

export interface StubState {
  settings: Record<string, unknown>;
  commands: Map<string, (...args: any[]) => unknown>;
  messages: string[];
  output: string[];
  applied: WorkspaceEdit[];
  picked: unknown[];
  clipboard: string[];
  status: { text: string; tooltip: unknown };
  providers: Map<string, { provideTextDocumentContent(uri: Uri): string }>;
  /** The button a message answers with (undefined: dismissed). */
  reply?: (text: string, items: string[]) => string | undefined;
  /** Progress notifications: their titles and messages, in order. */
  progress: string[];
  /** Fires onDidChangeConfiguration for these keys (affectsConfiguration as VS Code answers). */
  changeConfiguration(keys: string[]): void;
}

export function installVscodeStub(settings: Record<string, unknown>): StubState {
  const state: StubState = {
    settings,
    commands: new Map(),
    messages: [],
    output: [],
    applied: [],
    picked: [],
    clipboard: [],
    status: { text: "", tooltip: undefined },
    providers: new Map(),
    progress: [],
    changeConfiguration: (keys) => {
      const event = {
        affectsConfiguration: (section: string) => keys.some((k) => k === section || k.startsWith(`${section}.`)),
      };
      for (const l of [...configListeners]) {
        l(event);
      }
    },
  };
  const configListeners: Array<(e: unknown) => void> = [];
  const lookup = (key: string): unknown => {
    if (key in state.settings) {
      return state.settings[key];
    }
    const nested: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(state.settings)) {
      if (k.startsWith(`${key}.`)) {
        nested[k.slice(key.length + 1)] = v;
      }
    }
    return Object.keys(nested).length > 0 ? nested : undefined;
  };
  const document = {
    uri: Uri.file("/doc.tex"),
    fileName: "/doc.tex",
    languageId: "latex",
    version: 1,
    isClosed: false,
    getText: () => "$f(x) = \\|Ax - b\\|^2$",
  };
  const message =
    (kind: string) =>
    async (text: string, ...items: string[]) => {
      state.messages.push(`${kind}: ${text}`);
      return state.reply?.(text, items);
    };
  const vscode: any = {
    version: "1.82.0",
    Uri,
    EventEmitter,
    Disposable,
    Position,
    Range,
    Selection: Range,
    TextEdit,
    WorkspaceEdit,
    ThemeColor: class {
      constructor(readonly id: string) {}
    },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    CancellationTokenSource: class {
      token = { isCancellationRequested: false, onCancellationRequested: () => new Disposable() };
      cancel(): void {}
      dispose(): void {}
    },
    CancellationError: class extends Error {},
    env: {
      appName: "stub",
      language: "en",
      machineId: "stub",
      sessionId: "stub",
      openExternal: async () => true,
      clipboard: {
        writeText: async (text: string) => {
          state.clipboard.push(text);
        },
        readText: async () => state.clipboard.at(-1) ?? "",
      },
    },
    workspace: {
      workspaceFolders: undefined,
      textDocuments: [],
      getConfiguration: (section?: string) => ({
        get: (name: string, fallback?: unknown) => lookup(section ? `${section}.${name}` : name) ?? fallback,
        has: (name: string) => lookup(section ? `${section}.${name}` : name) !== undefined,
        inspect: () => undefined,
        update: async () => undefined,
      }),
      registerTextDocumentContentProvider: (scheme: string, provider: any) => {
        state.providers.set(scheme, provider);
        return new Disposable(() => state.providers.delete(scheme));
      },
      onDidChangeConfiguration: (listener: (e: unknown) => void) => {
        configListeners.push(listener);
        return new Disposable(() => configListeners.splice(configListeners.indexOf(listener), 1));
      },
      applyEdit: async (edit: WorkspaceEdit) => {
        state.applied.push(edit);
        return true;
      },
    },
    window: {
      activeTextEditor: { document, selection: new Range(0, 3, 0, 3) },
      visibleTextEditors: [],
      createOutputChannel: (name: string) => ({
        name,
        append: (s: string) => state.output.push(s),
        appendLine: (s: string) => state.output.push(s),
        replace: () => undefined,
        clear: () => undefined,
        show: () => undefined,
        hide: () => undefined,
        dispose: () => undefined,
      }),
      createStatusBarItem: () => {
        const item: any = { show: () => undefined, hide: () => undefined, dispose: () => undefined };
        return new Proxy(item, {
          set(t, prop, value) {
            t[prop] = value;
            if (prop === "text" || prop === "tooltip") {
              (state.status as any)[prop] = value;
            }
            return true;
          },
        });
      },
      showErrorMessage: message("error"),
      showWarningMessage: message("warning"),
      showInformationMessage: message("info"),
      withProgress: async (options: { title?: string }, task: (progress: unknown, token: unknown) => Promise<unknown>) => {
        state.progress.push(options.title ?? "");
        return task(
          { report: (m: { message?: string }) => state.progress.push(m.message ?? "") },
          { isCancellationRequested: false, onCancellationRequested: () => new Disposable() },
        );
      },
      showQuickPick: async (items: unknown[]) => {
        state.picked.push(items);
        return items[0];
      },
    },
    commands: {
      registerCommand: (id: string, fn: (...args: any[]) => unknown) => {
        state.commands.set(id, fn);
        return new Disposable(() => state.commands.delete(id));
      },
      executeCommand: async (id: string, ...args: unknown[]) => state.commands.get(id)?.(...args),
    },
    extensions: { getExtension: () => undefined },
    languages: {
      getDiagnostics: () => [],
      match: () => 10,
    },
  };
  const stub = new Proxy(vscode, {
    get: (t, prop) => (prop in t ? t[prop] : universal(`vscode.${String(prop)}`)),
  });
  for (const key of ["workspace", "window", "languages", "commands", "env"]) {
    const inner = vscode[key];
    vscode[key] = new Proxy(inner, {
      get: (t, prop) => (prop in t ? t[prop] : universal(`vscode.${key}.${String(prop)}`)),
    });
  }
  const load = (Module as any)._load;
  (Module as any)._load = function (request: string, ...rest: unknown[]) {
    return request === "vscode" ? stub : load.call(this, request, ...rest);
  };
  return state;
}
