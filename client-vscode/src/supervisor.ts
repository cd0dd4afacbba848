// Starting, restarting and stopping the language server, one operation at a time. No `vscode`
// import: the client is injected, so every sequence is unit-tested in node.
//
// - Operations run in a queue (a promise chain): a restart waits for a start in progress, a
//   stop waits for both; nothing is ever sent to a client that is stopping or starting.
// - `refresh()` (a setting or the Python environment changed) resolves the command again and
//   restarts only when what would be started (the command, the document selector) differs
//   from what runs. A refresh queued behind another queued one is the same operation: changing
//   the command twice quickly restarts once, with the last value. A server that failed to
//   start is not retried by a refresh with the same key (texgrad: Restart Server does that).
// - `restart()` (texgrad: Restart Server) always restarts.
// - `configurationChanged()` tells the running client (didChangeConfiguration), only when it
//   runs and no operation is under way or queued (a start sends the settings anyway).

export interface Plan<S> {
  /** What identifies the server this plan starts: equal keys, no restart. */
  key: string;
  /** What to start; undefined when nothing was found (the key says so too). */
  spec?: S;
}

export interface Client {
  isRunning(): boolean;
  stop(): Promise<void>;
  notifyConfiguration(): Promise<void>;
}

export interface SupervisorDeps<S, C extends Client> {
  resolve(): Promise<Plan<S>>;
  /** Starts a client for `spec` (or reports that nothing was found when spec is undefined):
   * the started client, or undefined if it failed (the deps report it). */
  launch(plan: Plan<S>): Promise<C | undefined>;
  log(line: string): void;
}

type Kind = "refresh" | "restart";

export class Supervisor<S, C extends Client> {
  private chain: Promise<void> = Promise.resolve();
  private queued: { kind: Kind; promise: Promise<void> } | undefined;
  private busy = 0;
  private runningKey: string | undefined;
  private stopped = false;
  client: C | undefined;

  constructor(private readonly deps: SupervisorDeps<S, C>) {}

  /** The first start (at activation). */
  start(): Promise<void> {
    return this.enqueue("restart");
  }

  restart(): Promise<void> {
    return this.enqueue("restart");
  }

  refresh(): Promise<void> {
    return this.enqueue("refresh");
  }

  /** Whether an operation runs or waits. */
  get idle(): boolean {
    return this.busy === 0;
  }

  async configurationChanged(): Promise<void> {
    const client = this.client;
    if (!this.idle || client === undefined || !client.isRunning()) {
      return; // a start under way or queued sends the settings itself
    }
    try {
      await client.notifyConfiguration();
    } catch (e) {
      this.deps.log(`[texgrad] sending the settings: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Stops the server for good (deactivation): after what is queued, and no more starts. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.busy++;
    const done = this.chain.then(() => this.halt());
    this.chain = done.finally(() => this.busy--);
    await this.chain;
  }

  private enqueue(kind: Kind): Promise<void> {
    if (this.queued !== undefined) {
      if (kind === "restart") {
        this.queued.kind = "restart";
      }
      return this.queued.promise;
    }
    const entry: { kind: Kind; promise: Promise<void> } = { kind, promise: Promise.resolve() };
    this.busy++;
    entry.promise = this.chain.then(async () => {
      this.queued = undefined; // from now on, a new request queues behind this one
      try {
        await this.run(entry.kind);
      } catch (e) {
        this.deps.log(`[texgrad] ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        this.busy--;
      }
    });
    this.queued = entry;
    this.chain = entry.promise;
    return entry.promise;
  }

  private async run(kind: Kind): Promise<void> {
    if (this.stopped) {
      return;
    }
    const plan = await this.deps.resolve();
    if (kind === "refresh" && plan.key === this.runningKey) {
      return; // the same server (or, again, none): nothing to do
    }
    await this.halt();
    this.runningKey = plan.key;
    this.client = await this.deps.launch(plan);
  }

  private async halt(): Promise<void> {
    const old = this.client;
    this.client = undefined;
    this.runningKey = undefined;
    if (old === undefined) {
      return;
    }
    try {
      await old.stop();
    } catch (e) {
      this.deps.log(`[texgrad] stopping the server: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
