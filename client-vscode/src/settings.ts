// Settings mapping. No `vscode` import: unit-tested in node.
//
// The server's settings are every `texgrad.*` property the manifest contributes except the
// client's own (CLIENT_SETTINGS). The server reads them as one nested object, the section
// "texgrad" (`{"inlayHints": {"enabled": false}, "layout": "numerator", …}`), both from
// initializationOptions and from workspace/configuration.

/** Settings the extension reads itself and never sends to the server (without "texgrad."). */
export const CLIENT_SETTINGS: readonly string[] = ["server.command", "trace.server", "documentSelector"];

/** The names (without "texgrad.") of the server's settings, from the manifest's properties. */
export function serverSettingNames(manifest: unknown): string[] {
  const properties = (manifest as { contributes?: { configuration?: { properties?: object } } })
    ?.contributes?.configuration?.properties;
  if (properties === undefined || properties === null) {
    return [];
  }
  return Object.keys(properties)
    .filter((key) => key.startsWith("texgrad."))
    .map((key) => key.slice("texgrad.".length))
    .filter((name) => !CLIENT_SETTINGS.includes(name));
}

/** The nested settings object the server reads: `get("inlayHints.enabled")` is sent as
 * `{inlayHints: {enabled: …}}`. Settings whose value is undefined are left out. */
export function serverSettings(names: readonly string[], get: (name: string) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const value = get(name);
    if (value === undefined) {
      continue;
    }
    const parts = name.split(".");
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (typeof next !== "object" || next === null || Array.isArray(next)) {
        node[part] = {};
      }
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
  }
  return out;
}

export interface DocumentFilter {
  language?: string;
  scheme?: string;
  pattern?: string;
}

/** Documents the server gets when `texgrad.documentSelector` is empty: LaTeX (LaTeX Workshop's
 * `latex`, VS Code's `tex`), Markdown, Quarto (`quarto`) and R Markdown (`rmd`), saved or
 * untitled; and `.qmd`/`.Rmd` files by name, which VS Code opens as plain text when no Quarto
 * or R extension gives them a language. */
export const DEFAULT_DOCUMENT_SELECTOR: readonly DocumentFilter[] = [
  ...["latex", "tex", "markdown", "quarto", "rmd"].flatMap((language) =>
    ["file", "untitled"].map((scheme) => ({ language, scheme })),
  ),
  { scheme: "file", pattern: "**/*.{qmd,Rmd,rmd}" },
];

/** The document selector from `texgrad.documentSelector`: its valid filters (objects with at
 * least one of language, scheme, pattern, all strings), or the default when it has none. */
export function documentSelector(value: unknown): DocumentFilter[] {
  if (!Array.isArray(value)) {
    return [...DEFAULT_DOCUMENT_SELECTOR];
  }
  const filters: DocumentFilter[] = [];
  for (const item of value) {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      continue;
    }
    const filter: DocumentFilter = {};
    let ok = true;
    for (const key of ["language", "scheme", "pattern"] as const) {
      const v = (item as Record<string, unknown>)[key];
      if (v === undefined) {
        continue;
      }
      if (typeof v !== "string" || v === "") {
        ok = false;
        break;
      }
      filter[key] = v;
    }
    if (ok && Object.keys(filter).length > 0) {
      filters.push(filter);
    }
  }
  return filters.length > 0 ? filters : [...DEFAULT_DOCUMENT_SELECTOR];
}

/** Whether a configuration change needs the server restarted (it starts another command or
 * serves other documents); other settings reach the running server. */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return affects("texgrad.server.command") || affects("texgrad.documentSelector");
}
