import cluster, { type Worker } from 'node:cluster';
import type pino from 'pino';

/**
 * Several api processes on one port (API_PROCESSES): node:cluster. The primary owns the listening
 * socket and hands each connection to a child in turn (round robin), so one address serves and no
 * proxy is needed; each child is a complete api (its own Nest application, pool and schedulers).
 * The primary here only supervises: it forks the children, restarts one that ends (with backoff),
 * and on SIGINT/SIGTERM stops them in order and waits for them.
 *
 * Messages between primary and children are plain objects tagged `zw`.
 */

/** Environment the primary gives a child: which part it plays. */
export const CLUSTER_ENV = {
  role: 'ZW_CLUSTER_ROLE',
  index: 'ZW_CLUSTER_INDEX',
  /** The database the primary prepared (the embedded one's URL when DATABASE_URL is unset). */
  databaseUrl: 'ZW_CLUSTER_DATABASE_URL',
  /** Where the companions (workers) reach the api. */
  internalUrl: 'ZW_CLUSTER_INTERNAL_URL',
} as const;

export interface ReadyMessage {
  zw: 'ready';
  port?: number;
}
interface ReplyMessage {
  zw: 'reply';
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}
interface RequestMessage {
  zw: 'request';
  id: number;
  type: string;
}
interface ShutdownMessage {
  zw: 'shutdown';
}
type ChildMessage = ReadyMessage | ReplyMessage;

function isTagged(message: unknown): message is { zw: string } {
  return typeof message === 'object' && message !== null && typeof (message as { zw?: unknown }).zw === 'string';
}

export interface ChildSpec {
  role: string;
  index: number;
  env: Record<string, string>;
}

export interface SupervisorOptions {
  /** First wait before restarting a child that ended (default 1 s), doubled per quick failure. */
  firstBackoffMs?: number;
  /** Longest wait before a restart (default 30 s). */
  maxBackoffMs?: number;
  /** A child that ran this long before ending starts the backoff afresh (default 60 s). */
  stableAfterMs?: number;
  /** How long a child may take to stop before it is killed (default 20 s). */
  stopTimeoutMs?: number;
}

interface Slot {
  spec: ChildSpec;
  worker?: Worker;
  startedAt: number;
  failures: number;
  /** Set while a restart is waiting for its backoff. */
  restartTimer?: NodeJS.Timeout;
  ready: boolean;
}

const label = (spec: ChildSpec): string => `${spec.role} process ${spec.index}`;

/** Forks, watches and restarts the children; the primary's side of the cluster. */
export class Supervisor {
  private readonly slots: Slot[] = [];
  private stopping = false;
  private nextRequestId = 1;
  private readonly options: Required<SupervisorOptions>;

  constructor(
    private readonly log: pino.Logger,
    options: SupervisorOptions = {},
  ) {
    this.options = {
      firstBackoffMs: options.firstBackoffMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      stableAfterMs: options.stableAfterMs ?? 60_000,
      stopTimeoutMs: options.stopTimeoutMs ?? 20_000,
    };
  }

  /** The live children's process ids, by role, in index order. */
  pids(role: string): number[] {
    return this.slots
      .filter((s) => s.spec.role === role && s.worker?.process.pid !== undefined)
      .sort((a, b) => a.spec.index - b.spec.index)
      .map((s) => s.worker!.process.pid!);
  }

  /**
   * Forks a child and resolves with its ready message. A child that ends before it is ready rejects
   * (a start that cannot succeed, e.g. the port is taken, stops `npm start` instead of looping);
   * once ready, the child is supervised: if it ends, it is forked again after the backoff.
   */
  start(spec: ChildSpec): Promise<ReadyMessage> {
    const slot: Slot = { spec, startedAt: Date.now(), failures: 0, ready: false };
    this.slots.push(slot);
    return this.fork(slot, true);
  }

  /** Asks a ready child to run `type` (see `serveRequests`) and resolves with its answer. */
  request<T>(role: string, index: number, type: string): Promise<T> {
    const slot = this.slots.find((s) => s.spec.role === role && s.spec.index === index);
    const worker = slot?.worker;
    if (!worker) return Promise.reject(new Error(`no ${role} process ${index}`));
    const id = this.nextRequestId++;
    return new Promise<T>((resolve, reject) => {
      const onMessage = (message: unknown): void => {
        if (!isTagged(message) || message.zw !== 'reply' || (message as ReplyMessage).id !== id) return;
        cleanup();
        const reply = message as ReplyMessage;
        if (reply.ok) resolve(reply.result as T);
        else reject(new Error(reply.error ?? `${type} failed`));
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error(`${label(slot.spec)} ended before answering ${type}`));
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.once('exit', onExit);
      worker.send({ zw: 'request', id, type } satisfies RequestMessage);
    });
  }

  /**
   * Stops every child: the roles in the order given (the workers before the apis they talk to),
   * each role's children together. A child that does not stop within the time limit is killed.
   */
  async stop(order: string[]): Promise<void> {
    this.stopping = true;
    for (const slot of this.slots) if (slot.restartTimer) clearTimeout(slot.restartTimer);
    const roles = [...order, ...new Set(this.slots.map((s) => s.spec.role).filter((r) => !order.includes(r)))];
    for (const role of roles) {
      await Promise.all(this.slots.filter((s) => s.spec.role === role).map((s) => this.stopChild(s)));
    }
  }

  private async stopChild(slot: Slot): Promise<void> {
    const worker = slot.worker;
    if (!worker || worker.isDead()) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const kill = setTimeout(() => {
      this.log.warn({ childPid: worker.process.pid }, `${label(slot.spec)} did not stop in time; killing it`);
      worker.process.kill('SIGKILL');
    }, this.options.stopTimeoutMs);
    try {
      // A child still starting has not linked to the primary yet: it would not hear the message.
      if (slot.ready && worker.isConnected()) worker.send({ zw: 'shutdown' } satisfies ShutdownMessage);
      else worker.process.kill('SIGTERM');
    } catch {
      worker.process.kill('SIGTERM');
    }
    await exited;
    clearTimeout(kill);
  }

  private fork(slot: Slot, first: boolean): Promise<ReadyMessage> {
    slot.startedAt = Date.now();
    slot.ready = false;
    const worker = cluster.fork({ ...slot.spec.env, [CLUSTER_ENV.role]: slot.spec.role, [CLUSTER_ENV.index]: String(slot.spec.index) });
    slot.worker = worker;
    return new Promise<ReadyMessage>((resolve, reject) => {
      worker.on('message', (message: unknown) => {
        if (!isTagged(message) || message.zw !== 'ready' || slot.ready) return;
        slot.ready = true;
        const ready = message as ChildMessage as ReadyMessage;
        if (!first) this.log.warn({ childPid: worker.process.pid }, `${label(slot.spec)} restarted and serving`);
        resolve(ready);
      });
      worker.once('exit', (code, signal) => {
        if (slot.worker === worker) slot.worker = undefined;
        if (this.stopping) {
          if (!slot.ready) reject(new Error(`${label(slot.spec)} stopped while starting`));
          return;
        }
        if (first && !slot.ready) {
          reject(new Error(`${label(slot.spec)} ended while starting (${signal ?? `exit code ${code}`})`));
          return;
        }
        this.scheduleRestart(slot, worker.process.pid, code, signal);
      });
    });
  }

  private scheduleRestart(slot: Slot, pid: number | undefined, code: number | null, signal: string | null): void {
    if (Date.now() - slot.startedAt >= this.options.stableAfterMs) slot.failures = 0;
    const waitMs = Math.min(this.options.maxBackoffMs, this.options.firstBackoffMs * 2 ** slot.failures);
    slot.failures += 1;
    this.log.warn({ childPid: pid, code, signal, restartInMs: waitMs }, `${label(slot.spec)} ended; restarting it`);
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (this.stopping) return;
      // A restart that fails before it is ready is logged by its own exit and tried again.
      this.fork(slot, false).catch(() => undefined);
    }, waitMs);
  }
}

/** The child's side: tell the primary it is ready, answer its requests, and stop when told. */
export interface ChildLink {
  ready(info?: { port?: number }): void;
}

/**
 * Wires a child to the primary. `stop` runs once, on the primary's shutdown message or a SIGTERM
 * sent to this process alone, and the process exits 0 after it. SIGINT is ignored: Ctrl-C reaches
 * every process of the terminal's group, and the primary stops the children in order itself. A
 * child whose primary dies exits at once (node:cluster does so when the IPC channel closes).
 */
export function linkToPrimary(
  log: pino.Logger,
  stop: () => Promise<void>,
  requests: Record<string, () => Promise<unknown>> = {},
  describe: () => Promise<Record<string, unknown>> = async () => ({}),
): ChildLink {
  let stopping = false;
  const shutdown = (why: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'stopping');
    // A stop that hangs is killed by the primary after its time limit; say first what is still open, so the
    // operator (and a fault test) can tell a pending request from a pool that waits for a lost connection.
    const slow = setTimeout(() => {
      void describe()
        .catch(() => ({}))
        .then((more) => log.warn({ why, pending: countResources(), ...more }, 'still stopping after 5 s'));
    }, 5_000).unref();
    stop().then(
      () => {
        clearTimeout(slow);
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('message', (message: unknown) => {
    if (!isTagged(message)) return;
    if (message.zw === 'shutdown') return shutdown('primary');
    if (message.zw !== 'request') return;
    const { id, type } = message as RequestMessage;
    const handler = requests[type];
    const answer = (reply: Omit<ReplyMessage, 'zw' | 'id'>): void =>
      void process.send?.({ zw: 'reply', id, ...reply } satisfies ReplyMessage);
    if (!handler) return answer({ ok: false, error: `unknown request ${type}` });
    handler().then(
      (result) => answer({ ok: true, result }),
      (error: unknown) => answer({ ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  return {
    ready(info = {}) {
      process.send?.({ zw: 'ready', ...info } satisfies ReadyMessage);
    },
  };
}

/** What keeps the event loop busy, by kind (sockets, timers, file handles). */
function countResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
