// "texgrad: Differentiate…": the server's code actions at the cursor whose titles start with
// "Differentiate" or "Hessian", picked by the user, resolved if they carry no edit, applied.
// No `vscode` import: the editor is reached through `DifferentiateDeps`, so this runs in node
// tests with fakes. Values are LSP protocol JSON as the server sends them.

export interface ProtocolCommand {
  title: string;
  command: string;
  arguments?: unknown[];
}

/** A code action as LSP sends it (only the fields used here). */
export interface ProtocolCodeAction {
  title: string;
  kind?: string;
  edit?: unknown;
  command?: ProtocolCommand;
  disabled?: { reason: string };
  data?: unknown;
}

export interface PickItem {
  label: string;
  description?: string;
  action: ProtocolCodeAction;
}

export interface DifferentiateDeps {
  /** `textDocument/codeAction` at the cursor; null when the server returned none. */
  codeActions(): Promise<Array<ProtocolCodeAction | ProtocolCommand> | null | undefined>;
  /** `codeAction/resolve`. */
  resolve(action: ProtocolCodeAction): Promise<ProtocolCodeAction>;
  /** Shows the quick pick; undefined when the user cancels. */
  pick(items: PickItem[]): PromiseLike<PickItem | undefined>;
  /** Applies a protocol WorkspaceEdit; false when the editor refused it. */
  applyEdit(edit: unknown): Promise<boolean>;
  /** `workspace/executeCommand` for an action's command. */
  executeCommand(command: ProtocolCommand): PromiseLike<unknown>;
  /** Tells the user something (no action needed). */
  info(message: string): void;
  /** Reports a failure. */
  error(message: string): void;
}

export type Outcome = "applied" | "none" | "cancelled" | "failed";

const TITLE = /^(Differentiate|Hessian)\b/;

/** A bare Command (not a CodeAction) has a string `command` field. */
function isCommand(item: ProtocolCodeAction | ProtocolCommand): item is ProtocolCommand {
  return typeof (item as ProtocolCommand).command === "string";
}

/** The differentiation actions among the server's code actions, in the server's order; disabled
 * ones are dropped. */
export function differentiationActions(
  items: ReadonlyArray<ProtocolCodeAction | ProtocolCommand> | null | undefined,
): ProtocolCodeAction[] {
  return (items ?? []).filter(
    (item): item is ProtocolCodeAction =>
      !isCommand(item) && typeof item.title === "string" && TITLE.test(item.title) && item.disabled === undefined,
  );
}

/** Why the differentiations the server lists disabled cannot be done ("cannot differentiate g:
 * the shape of `\\lambda` is unknown — declare it, …"), in the server's order, each once. */
export function refusals(items: ReadonlyArray<ProtocolCodeAction | ProtocolCommand> | null | undefined): string[] {
  const said: string[] = [];
  for (const item of items ?? []) {
    if (isCommand(item) || item.disabled === undefined || !/^(Differentiate|Hessian|Evaluate)\b/.test(item.title)) {
      continue;
    }
    const what = item.title
      .replace(/^Differentiate\b/, "cannot differentiate")
      .replace(/^Evaluate\b/, "cannot evaluate")
      .replace(/^Hessian of\b/, "no Hessian of");
    const line = `${what}: ${item.disabled.reason}`;
    if (!said.includes(line)) {
      said.push(line);
    }
  }
  return said;
}

/** An action the server lists disabled, titled with its reason ("Differentiate g: the shape of
 * `\\lambda` is unknown — declare it, …"): VS Code's code-action menu, grouped under headers as
 * by default, shows a disabled action's title greyed and its reason nowhere (VS Code 1.139). */
export function titledWithReason<T extends { title: string; disabled?: { reason: string } }>(action: T): T {
  const reason = action.disabled?.reason;
  if (!reason || action.title.includes(reason)) {
    return action;
  }
  action.title = `${action.title}: ${reason}`;
  return action;
}

/** Quick pick items: the symbol and what is computed when the title reads like
 * "Differentiate f w.r.t. x (gradient)", else the whole title. */
export function pickItems(actions: readonly ProtocolCodeAction[]): PickItem[] {
  return actions.map((action) => {
    const m = /^(Differentiate|Hessian of)\s+(.+?)\s+w\.r\.t\.\s+(.+?)(?:\s+\((.+)\))?$/.exec(action.title);
    if (m === null) {
      return { label: action.title, action };
    }
    const [, verb, what, wrt, kind] = m;
    const label = verb === "Differentiate" ? `${what} w.r.t. ${wrt}` : `Hessian of ${what} w.r.t. ${wrt}`;
    return { label, description: kind, action };
  });
}

export async function differentiate(deps: DifferentiateDeps): Promise<Outcome> {
  let actions: ProtocolCodeAction[];
  let items: Array<ProtocolCodeAction | ProtocolCommand> | null | undefined;
  try {
    items = await deps.codeActions();
    actions = differentiationActions(items);
  } catch (e) {
    deps.error(`texgrad: asking the server what to differentiate failed: ${message(e)}`);
    return "failed";
  }
  if (actions.length === 0) {
    // The server lists what it cannot do disabled, with why: say that, not a general hint.
    const why = refusals(items);
    deps.info(
      why.length > 0
        ? `texgrad: ${why[0]}` + (why.length > 1 ? ` (and ${why.length - 1} more in the code actions)` : "")
        : "texgrad: nothing to differentiate here. Put the cursor in math that defines a function or " +
            "an expression of declared symbols, such as $f(x) = \\frac12\\|Ax - b\\|^2$.",
    );
    return "none";
  }
  const chosen = await deps.pick(pickItems(actions));
  if (chosen === undefined) {
    return "cancelled";
  }
  let action = chosen.action;
  try {
    if (action.edit === undefined && action.command === undefined) {
      action = await deps.resolve(action);
    }
    if (action.edit === undefined && action.command === undefined) {
      deps.error(`texgrad: "${chosen.action.title}" gave no edit.`);
      return "failed";
    }
    if (action.edit !== undefined && !(await deps.applyEdit(action.edit))) {
      deps.error(`texgrad: the editor did not apply "${action.title}" (the document may have changed).`);
      return "failed";
    }
    if (action.command !== undefined) {
      await deps.executeCommand(action.command);
    }
  } catch (e) {
    deps.error(`texgrad: "${chosen.action.title}" failed: ${message(e)}`);
    return "failed";
  }
  return "applied";
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
