// "Show derivation of ∇ₓf": the server's code action carries texgrad.previewDerivation (to this
// client only, which announces the command in experimental.commands, as for the clipboard) with
// the action's data. This asks the server for the derivation (workspace/executeCommand
// texgrad.showDerivation with {display: false}: the server then only returns it) and shows its
// Markdown rendered, in a preview beside the document; the document is not edited ("Insert
// derivation of ∇ₓf" is the action that writes it). No `vscode` import: the editor is reached
// through `PreviewDeps`, so this runs in node tests with fakes.

export const PREVIEW_COMMAND = "texgrad.previewDerivation";
export const SHOW_COMMAND = "texgrad.showDerivation";
export const DERIVATION_SCHEME = "texgrad-derivation";

/** What texgrad.showDerivation returns. */
export interface Derivation {
  title: string;
  markdown: string;
  text: string;
  verified: boolean;
}

export interface PreviewDeps {
  /** `workspace/executeCommand` of the server's command with these arguments. */
  executeServerCommand(command: string, args: unknown[]): Promise<unknown>;
  /** Shows Markdown rendered beside the active editor (a virtual document + its preview). */
  preview(name: string, markdown: string): Promise<void>;
  error(message: string): void;
}

function isDerivation(value: unknown): value is Derivation {
  const d = value as Partial<Derivation> | null;
  return typeof d === "object" && d !== null && typeof d.title === "string" && typeof d.markdown === "string";
}

/** The name of the virtual document a derivation is shown in: one per title. */
export function previewName(title: string): string {
  const safe = title.replace(/[\\/:*?"<>|#%]+/g, " ").replace(/\s+/g, " ").trim();
  return `${safe || "Derivation"}.md`;
}

/** texgrad.previewDerivation(data): the derivation the action describes, previewed. */
export async function previewDerivation(deps: PreviewDeps, data: unknown): Promise<boolean> {
  if (typeof data !== "object" || data === null) {
    deps.error("texgrad: which derivation to show was not given.");
    return false;
  }
  let shown: unknown;
  try {
    shown = await deps.executeServerCommand(SHOW_COMMAND, [data, { display: false }]);
  } catch (e) {
    deps.error(`texgrad: showing the derivation failed: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
  if (!isDerivation(shown)) {
    deps.error("texgrad: the server gave no derivation.");
    return false;
  }
  await deps.preview(previewName(shown.title), shown.markdown);
  return true;
}
