// The texgrad output channel as the language client writes to it, with one correction:
// vscode-languageclient logs every exit of the server process as an error, so each restart
// (texgrad: Restart Server, a settings change) left "[Error - …] Server process exited with
// code 0." in the output. Exit status 0 is the server stopping as asked: it is logged as Info.
// No `vscode` import: unit-tested in node.

const CLEAN_EXIT = /^\[Error( *) - ([^\]]*)\] (Server process exited with code 0\.)$/;

/** The line to write instead of `line`: a clean exit as Info, anything else unchanged. */
export function correctedLine(line: string): string {
  const m = CLEAN_EXIT.exec(line);
  return m === null ? line : `[Info  - ${m[2]}] ${m[3]}`;
}

/** `channel`, with every appendLine corrected by correctedLine; all else passes through. */
export function correctingOutput<T extends { appendLine(value: string): void }>(channel: T): T {
  return new Proxy(channel, {
    get(target, property) {
      if (property === "appendLine") {
        return (value: string) => target.appendLine(correctedLine(value));
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
