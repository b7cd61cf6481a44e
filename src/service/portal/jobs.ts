// The one job (install, database script, mark applied) the portal runs at a time. Its Output's
// messages are broadcast to the pages (SSE) and kept (tail) so a page opened mid-install catches up.
// The install lock (src/install-state/lock.ts) is what really excludes the CLI and the cmdlets; the
// check here only answers 409 early and names who holds it.
import { randomUUID } from 'node:crypto';
import { toAltazionError } from '../../core/errors';
import type { MessageParams } from '../../core/messages';
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
  error?: { code: string; message: string; hint?: string; messageId?: string; params?: MessageParams };
  /** Who asked: the portal, or the service running a scheduled install or the weekly window. */
  requestedBy?: string;
}

/** A job with its message tail; `firstSeq` is the sequence number of messages[0]. */
export interface JobState { snapshot: JobSnapshot; messages: ProtocolMessage[]; firstSeq: number }

export type StartOutcome = { started: true; job: JobSnapshot } | { started: false; owner: LockOwnerView };

export class JobManager {
  private active: (JobState & { done: Promise<void>; abort: AbortController }) | undefined;
  private starting = false;
  private last: JobState | undefined;

  constructor(
    private readonly backend: PortalBackend,
    private readonly makeOutput: () => Output,
    private readonly broadcast: (event: string, data: unknown) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The running job, else the last one (with its message tail). */
  current(): JobState | undefined {
    const job = this.active ?? this.last;
    return job && { snapshot: job.snapshot, messages: job.messages, firstSeq: job.firstSeq };
  }

  /** Resolves when the running job (if any) is over. */
  async whenIdle(): Promise<void> {
    await this.active?.done;
  }

  get running(): boolean { return this.active !== undefined || this.starting; }

  private selfOwner(): LockOwnerView {
    const job = this.active?.snapshot;
    return {
      pid: process.pid,
      // Who started it: two administrators at once, the second is told who the first is.
      user: job?.user ?? '',
      host: '',
      requestedBy: job?.requestedBy ?? 'portal',
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
        ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
        state: 'running',
        startedAt: this.now().toISOString(),
      };
      const state: JobState = { snapshot, messages: [], firstSeq: 1 };
      const abort = new AbortController();
      const output = this.makeOutput();
      let seq = 0;
      // Each message has a sequence number: a page that read the tail (/api/job) and then hears the
      // stream skips what it already has.
      const unsubscribe = output.subscribe((message) => {
        seq++;
        state.messages.push(message);
        if (state.messages.length > MESSAGE_TAIL) { state.messages.shift(); state.firstSeq++; }
        this.broadcast('message', { job: snapshot.id, seq, message });
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
          snapshot.error = { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(err.messageRef ? { messageId: err.messageRef.id, ...(err.messageRef.params ? { params: err.messageRef.params } : {}) } : {}) };
        } finally {
          unsubscribe();
          output.flush();
          snapshot.finishedAt = this.now().toISOString();
          this.last = state;
          this.active = undefined;
          this.broadcast('job', snapshot);
        }
      })();
      // The same object the subscriber appends to.
      this.active = Object.assign(state, { done, abort });
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
