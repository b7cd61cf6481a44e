// The one job (install, database script, mark applied) the portal runs at a time. Its Output's
// messages are broadcast to the pages (SSE) and kept (tail) so a page opened mid-install catches up.
// The install lock (src/install/lock.ts) is what really excludes the CLI and the cmdlets; the
// check here only answers 409 early and names who holds it.
import { randomUUID } from 'node:crypto';
import { toAltazionError } from '../../core/errors';
import type { InstallResultRecord } from '../../core/records';
import type { Output } from '../../output/output';
import type { ProtocolMessage } from '../../output/protocol';
import type { JobKind, JobRequest, LockOwnerView, PortalBackend } from './types';

export const MESSAGE_TAIL = 300;

export interface JobSnapshot {
  id: string;
  kind: JobKind;
  name: string;
  instance: string;
  script?: string;
  /** Who asked (the signed-in administrator). */
  user?: string;
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt?: string;
  results?: InstallResultRecord[];
  error?: { code: string; message: string; hint?: string };
}

export type StartOutcome = { started: true; job: JobSnapshot } | { started: false; owner: LockOwnerView };

export class JobManager {
  private active: { snapshot: JobSnapshot; messages: ProtocolMessage[]; done: Promise<void>; abort: AbortController } | undefined;
  private starting = false;
  private last: { snapshot: JobSnapshot; messages: ProtocolMessage[] } | undefined;

  constructor(
    private readonly backend: PortalBackend,
    private readonly makeOutput: () => Output,
    private readonly broadcast: (event: string, data: unknown) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The running job, else the last one (with its message tail). */
  current(): { snapshot: JobSnapshot; messages: ProtocolMessage[] } | undefined {
    return this.active ?? this.last;
  }

  get running(): boolean { return this.active !== undefined || this.starting; }

  private selfOwner(): LockOwnerView {
    const job = this.active?.snapshot;
    return {
      pid: process.pid,
      user: '',
      host: '',
      requestedBy: 'portal',
      startedAt: job?.startedAt ?? this.now().toISOString(),
      description: job ? `${job.kind} ${job.name}${job.instance ? ` [${job.instance}]` : ''}` : 'starting',
    };
  }

  async start(request: JobRequest): Promise<StartOutcome> {
    // Our own job: the lock file names it best (pid, user, host); before it is written, describe it.
    if (this.running) return { started: false, owner: (await this.backend.lockOwner().catch(() => undefined)) ?? this.selfOwner() };
    this.starting = true; // set before any await: two simultaneous POSTs cannot both pass
    try {
      const owner = await this.backend.lockOwner();
      if (owner) return { started: false, owner };
      const snapshot: JobSnapshot = {
        id: randomUUID(),
        kind: request.kind,
        name: request.name,
        instance: request.instance ?? '',
        ...(request.script ? { script: request.script } : {}),
        ...(request.user ? { user: request.user } : {}),
        state: 'running',
        startedAt: this.now().toISOString(),
      };
      const messages: ProtocolMessage[] = [];
      const abort = new AbortController();
      const output = this.makeOutput();
      const unsubscribe = output.subscribe((message) => {
        messages.push(message);
        if (messages.length > MESSAGE_TAIL) messages.shift();
        this.broadcast('message', { job: snapshot.id, message });
      });
      // Announce the job before it runs: its first messages must find the page ready for them.
      this.broadcast('job', snapshot);
      const done = (async () => {
        await Promise.resolve();
        try {
          snapshot.results = await this.backend.runJob(request, output, abort.signal);
          snapshot.state = 'done';
        } catch (error) {
          const err = output.error(toAltazionError(error));
          snapshot.state = 'failed';
          snapshot.error = { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
        } finally {
          unsubscribe();
          output.flush();
          snapshot.finishedAt = this.now().toISOString();
          this.last = { snapshot, messages };
          this.active = undefined;
          this.broadcast('job', snapshot);
        }
      })();
      this.active = { snapshot, messages, done, abort };
      return { started: true, job: snapshot };
    } finally {
      this.starting = false;
    }
  }

  /** Waits for the running job (if any); with `abort`, asks it to stop first. */
  async settle(abort = false): Promise<void> {
    const active = this.active;
    if (!active) return;
    if (abort) active.abort.abort();
    await active.done;
  }
}
