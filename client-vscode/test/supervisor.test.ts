// The supervisor (src/supervisor.ts): one operation at a time, restarts only when the resolved
// command changes, nothing sent to a client that is stopping or starting.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Client, Plan, Supervisor } from "../src/supervisor";

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** A world whose resolved command is `command.value`; every event is logged in order. */
function world(startMs = 20, stopMs = 20) {
  const events: string[] = [];
  const command = { value: "a" };
  let n = 0;
  const sup = new Supervisor<string, Client & { name: string }>({
    resolve: async () => {
      await tick(1);
      const plan: Plan<string> = { key: command.value, spec: command.value === "none" ? undefined : command.value };
      return plan;
    },
    launch: async (plan) => {
      if (plan.spec === undefined) {
        events.push("not found");
        return undefined;
      }
      const name = `${plan.spec}#${++n}`;
      let state: "starting" | "running" | "stopping" | "stopped" = "starting";
      events.push(`start ${name}`);
      await tick(startMs);
      state = "running";
      events.push(`running ${name}`);
      return {
        name,
        isRunning: () => state === "running",
        stop: async () => {
          state = "stopping";
          events.push(`stop ${name}`);
          await tick(stopMs);
          state = "stopped";
          events.push(`stopped ${name}`);
        },
        notifyConfiguration: async () => {
          assert.equal(state, "running", `configuration sent to ${name} while ${state}`);
          events.push(`configuration to ${name}`);
        },
      };
    },
    log: (line) => events.push(line),
  });
  return { sup, events, command };
}

describe("Supervisor", () => {
  it("starts once", async () => {
    const { sup, events } = world();
    await sup.start();
    assert.deepEqual(events, ["start a#1", "running a#1"]);
    assert.equal(sup.client?.name, "a#1");
  });

  it("an unrelated setting changes: no restart, the settings go to the running client", async () => {
    const { sup, events } = world();
    await sup.start();
    await sup.refresh(); // affectsConfiguration said yes, but the command is the same
    await sup.configurationChanged();
    assert.deepEqual(events, ["start a#1", "running a#1", "configuration to a#1"]);
  });

  it("the command changes twice quickly: one restart, with the last command, the old stopped first", async () => {
    const { sup, events, command } = world();
    await sup.start();
    command.value = "b";
    const first = sup.refresh();
    command.value = "c";
    const second = sup.refresh();
    await sup.configurationChanged(); // while the restart waits: not sent
    await Promise.all([first, second]);
    assert.deepEqual(events, ["start a#1", "running a#1", "stop a#1", "stopped a#1", "start c#2", "running c#2"]);
    assert.ok(sup.idle);
  });

  it("changed while a restart runs: the next waits for it, then restarts again", async () => {
    const { sup, events, command } = world();
    await sup.start();
    command.value = "b";
    const first = sup.refresh();
    await tick(10); // now stopping a#1
    command.value = "c";
    const second = sup.refresh();
    await sup.configurationChanged();
    await Promise.all([first, second]);
    assert.deepEqual(events, [
      "start a#1",
      "running a#1",
      "stop a#1",
      "stopped a#1",
      "start b#2",
      "running b#2",
      "stop b#2",
      "stopped b#2",
      "start c#3",
      "running c#3",
    ]);
  });

  it("changed during the first start: the restart waits for the start to finish", async () => {
    const { sup, events, command } = world();
    const starting = sup.start();
    await tick(5);
    command.value = "b";
    const refreshed = sup.refresh();
    await sup.configurationChanged(); // the client is starting: nothing sent
    await Promise.all([starting, refreshed]);
    assert.deepEqual(events, ["start a#1", "running a#1", "stop a#1", "stopped a#1", "start b#2", "running b#2"]);
  });

  it("the command setting is removed and nothing is found: stops, says so once, not again for the same", async () => {
    const { sup, events, command } = world();
    await sup.start();
    command.value = "none";
    await sup.refresh();
    await sup.refresh();
    assert.deepEqual(events, ["start a#1", "running a#1", "stop a#1", "stopped a#1", "not found"]);
    assert.equal(sup.client, undefined);
    await sup.configurationChanged(); // no client: nothing, no error
  });

  it("Restart Server always restarts; stop stops for good", async () => {
    const { sup, events } = world();
    await sup.start();
    await sup.restart();
    await sup.stop();
    await sup.restart();
    assert.deepEqual(events, ["start a#1", "running a#1", "stop a#1", "stopped a#1", "start a#2", "running a#2", "stop a#2", "stopped a#2"]);
  });

  it("a client that fails to stop is logged, and the next one starts", async () => {
    const { sup, events, command } = world();
    await sup.start();
    sup.client!.stop = async () => {
      throw new Error("Client is not running");
    };
    command.value = "b";
    await sup.refresh();
    assert.deepEqual(events, ["start a#1", "running a#1", "[texgrad] stopping the server: Client is not running", "start b#2", "running b#2"]);
  });
});
