import * as fs from "node:fs";
import * as path from "node:path";

/** client-vscode/, found from this file whether it runs from test/ or bundled into out/test/. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, "package.json");
    if (fs.existsSync(candidate) && JSON.parse(fs.readFileSync(candidate, "utf8")).name === "texgrad") {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no texgrad package.json above ${__dirname}`);
    }
    dir = parent;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readManifest(): any {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8"));
}
