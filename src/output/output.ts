// The one writer for everything the tool says. With --json every message is an NDJSON line on
// stdout and nothing else goes there; without it records become tables on stdout and progress,
// logs and errors go to stderr (a progress bar when stderr is a terminal).
import { AltazionError, toAltazionError } from '../core/errors';
import { textOf, type Message } from '../core/messages';
import { encodeLine, errorMessage, idFields, objectMessage, type LogLevel, type ProtocolMessage } from './protocol';
import { formatList, formatProgressBar, formatTable, TABLE_COLUMNS } from './table';

export interface TextStream { write(chunk: string): unknown; isTTY?: boolean; columns?: number }

export interface OutputOptions {
  json: boolean;
  verbose: boolean;
  stdout: TextStream;
  stderr: TextStream;
  /** Colours in tables (decided at the edge: see colorWanted). */
  color?: boolean;
}

/**
 * Whether to colour what goes to `stream`: only a terminal, never with NO_COLOR set to anything
 * (https://no-color.org) or on a dumb terminal.
 */
export function colorWanted(stream: TextStream, env: NodeJS.ProcessEnv): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
}

export interface ProgressUpdate { activity: string; status: string; percent: number; completed?: boolean }

export class Output {
  private nextProgressId = 1;
  private buffered = new Map<string, Record<string, unknown>[]>();
  private progressLineOpen = false;
  /** Listeners see every message (the portal streams them to the browser). */
  private listeners = new Set<(message: ProtocolMessage) => void>();

  constructor(private readonly options: OutputOptions) {}

  get json(): boolean { return this.options.json; }

  subscribe(listener: (message: ProtocolMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(message: ProtocolMessage): void {
    for (const listener of this.listeners) listener(message);
    if (this.options.json) this.options.stdout.write(encodeLine(message));
  }

  record(typeName: string, data: object): void {
    this.emit(objectMessage(typeName, data));
    if (!this.options.json) {
      const rows = this.buffered.get(typeName) ?? [];
      rows.push(data as Record<string, unknown>);
      this.buffered.set(typeName, rows);
    }
  }

  /** Starts a progress activity and returns a function that reports on it. */
  startProgress(activityText: string | Message): (status: string | Message, percent: number, completed?: boolean) => void {
    const id = this.nextProgressId++;
    let lastDrawn = -1;
    const activity = textOf(activityText);
    return (statusText, percent, completed = false) => {
      const status = textOf(statusText);
      const message: ProtocolMessage = {
        v: 1, type: 'progress', id, activity, status, percent: Math.round(percent),
        ...idFields('activityId', 'activityParams', activityText), ...idFields('statusId', 'statusParams', statusText),
      };
      if (completed) message.completed = true;
      for (const listener of this.listeners) listener(message);
      if (this.options.json) {
        this.options.stdout.write(encodeLine(message));
      } else if (this.options.stderr.isTTY) {
        const rounded = Math.floor(percent);
        if (rounded === lastDrawn && !completed) return;
        lastDrawn = rounded;
        this.options.stderr.write(`\r${formatProgressBar(activity, status, percent)}\x1b[K`);
        this.progressLineOpen = !completed;
        if (completed) this.options.stderr.write('\n');
      }
    };
  }

  log(level: LogLevel, worded: string | Message): void {
    // With --json verbose lines are always sent: the cmdlets map them to Write-Verbose, which
    // PowerShell shows or hides by its own preference.
    const message = textOf(worded);
    this.emit({ v: 1, type: 'log', level, message, ...idFields('messageId', 'params', worded) });
    if (this.options.json || (level === 'verbose' && !this.options.verbose)) return;
    this.text(`${level === 'warning' ? 'WARNING: ' : level === 'verbose' ? 'VERBOSE: ' : ''}${message}`);
  }

  info(message: string | Message): void { this.log('info', message); }
  warn(message: string | Message): void { this.log('warning', message); }
  verbose(message: string | Message): void { this.log('verbose', message); }

  error(error: unknown): AltazionError {
    const err = toAltazionError(error);
    this.emit(errorMessage(err));
    if (!this.options.json) {
      this.text(`ERROR ${err.code}: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}`);
      if (this.options.verbose && err.stack) this.text(err.stack);
    }
    return err;
  }

  private text(line: string): void {
    if (this.progressLineOpen) { this.options.stderr.write('\n'); this.progressLineOpen = false; }
    this.options.stderr.write(line + '\n');
  }

  /** Prints buffered records as tables (terminal mode); a no-op with --json. */
  flush(): void {
    if (this.options.json) return;
    if (this.progressLineOpen) { this.options.stderr.write('\n'); this.progressLineOpen = false; }
    for (const [typeName, rows] of this.buffered) {
      const columns = TABLE_COLUMNS[typeName];
      // On a terminal the table fits its width; in a file or a pipe lines are whole.
      const maxWidth = this.options.stdout.isTTY && this.options.stdout.columns ? this.options.stdout.columns : undefined;
      this.options.stdout.write(columns ? formatTable(rows, columns, { maxWidth, color: this.options.color }) : formatList(rows));
    }
    this.buffered.clear();
  }
}

/** An Output that writes nowhere: for library callers and tests that only subscribe. */
export function silentOutput(json = true): Output {
  return new Output({ json, verbose: true, stdout: { write: () => true }, stderr: { write: () => true } });
}
