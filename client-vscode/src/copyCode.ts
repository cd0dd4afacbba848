// "Copy ∇ₓf as NumPy": LSP has no clipboard, so the server's code action carries the command
// texgrad.copyToClipboard with the text, and this extension runs it. The server offers the action
// only to clients that announce the command (experimental.commands.commands, as rust-analyzer's
// clients do), so Neovim or Emacs are never offered a dead action. No `vscode` import: the
// clipboard is reached through `CopyDeps`, so this runs in node tests with fakes.

export const COPY_COMMAND = "texgrad.copyToClipboard";

/** Announces the commands this client runs itself, in the client capabilities sent at initialize. */
export function announceCommands(capabilities: { experimental?: unknown }, runs: string[] = [COPY_COMMAND]): void {
  const experimental = (capabilities.experimental ?? {}) as Record<string, unknown>;
  const commands = (experimental.commands ?? {}) as { commands?: unknown };
  const known = Array.isArray(commands.commands) ? commands.commands.filter((c) => typeof c === "string") : [];
  capabilities.experimental = {
    ...experimental,
    commands: { ...commands, commands: [...new Set([...known, ...runs])] },
  };
}

export interface CopyDeps {
  /** Writes the system clipboard (`vscode.env.clipboard.writeText`). */
  writeText(text: string): PromiseLike<void>;
  info(message: string): void;
  error(message: string): void;
}

/** texgrad.copyToClipboard(text, what): copies `text` and says what was copied. */
export async function copyToClipboard(deps: CopyDeps, text: unknown, what?: unknown): Promise<boolean> {
  if (typeof text !== "string" || text === "") {
    deps.error("texgrad: there was nothing to copy.");
    return false;
  }
  try {
    await deps.writeText(text);
  } catch (e) {
    deps.error(`texgrad: copying failed: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
  deps.info(`texgrad: copied ${typeof what === "string" && what !== "" ? what : "the text"} to the clipboard.`);
  return true;
}
