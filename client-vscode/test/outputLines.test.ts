import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { correctedLine, correctingOutput } from "../src/outputLines";

describe("correctedLine", () => {
  it("logs the server's clean exit as Info, keeping the time", () => {
    assert.equal(
      correctedLine("[Error - 10:56:36 AM] Server process exited with code 0."),
      "[Info  - 10:56:36 AM] Server process exited with code 0.",
    );
  });
  it("leaves real failures and other lines alone", () => {
    for (const line of [
      "[Error - 10:56:36 AM] Server process exited with code 1.",
      "[Error - 10:56:36 AM] Server process exited with signal SIGKILL.",
      "[Info  - 10:57:15 AM] texgrad 0.1.0 started (utf-16)",
      "[texgrad] starting texgrad lsp",
      "Server process exited with code 0.",
    ]) {
      assert.equal(correctedLine(line), line);
    }
  });
});

describe("correctingOutput", () => {
  it("corrects appendLine and passes everything else to the channel", () => {
    const written: string[] = [];
    const channel = {
      name: "texgrad",
      appendLine(value: string) {
        written.push(`line ${value}`);
      },
      append(value: string) {
        written.push(`text ${value}`);
      },
      show() {
        written.push(`show ${this.name}`);
      },
    };
    const out = correctingOutput(channel);
    out.appendLine("[Error - 1:00:00 PM] Server process exited with code 0.");
    out.appendLine("[Error - 1:00:01 PM] Server process exited with code 2.");
    out.append("x");
    out.show();
    assert.equal(out.name, "texgrad");
    assert.deepEqual(written, [
      "line [Info  - 1:00:00 PM] Server process exited with code 0.",
      "line [Error - 1:00:01 PM] Server process exited with code 2.",
      "text x",
      "show texgrad",
    ]);
  });
});
