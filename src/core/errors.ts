// Every failure the tool reports is an AltazionError with a stable code. The exit code is derived
// from the code in exactly one place (exitCodeFor), so the CLI, the NDJSON `error` records and the
// PowerShell module agree on what a failure means.

import { textOf, type Message } from './messages';

export const ExitCode = {
  Ok: 0,
  Failed: 1,
  BadInput: 2,
  ManualActionRequired: 3,
  Busy: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Error codes, grouped by the exit code they map to. */
const BAD_INPUT_CODES = [
  'E_USAGE', // wrong argument
  'E_CONFIG', // malformed or missing configuration file / field
  'E_FEED_SIGNATURE', // missing or bad signature
  'E_FEED_UNKNOWN_KEY', // signed by a key we do not trust
  'E_FEED_REVOKED_KEY', // signed only by keys the publisher revoked
  'E_FEED_EXPIRED', // index past its expiry date
  'E_FEED_ROLLBACK', // index version lower than the last accepted one
  'E_FEED_INVALID', // index does not follow the schema
  'E_PACKAGE_INTEGRITY', // size or sha256 differs from the signed index
  'E_PACKAGE_INVALID', // zip-slip, bad manifest, truncated archive...
  'E_NOT_FOUND', // unknown module / instance / version / script
  'E_HOOK_UNSAFE', // a hook script, its folder or the interpreter can be changed by a non-administrator
  'E_JOURNAL_INVALID', // an install journal that names paths, pools or services not of its module
] as const;
const MANUAL_CODES = ['E_MANUAL_ACTION', 'E_DB_CUSTOMIZED', 'E_REQUIREMENT'] as const;
const BUSY_CODES = ['E_BUSY'] as const;
const FAILED_CODES = [
  'E_FAILED',
  'E_FEED_UNREACHABLE',
  'E_DOWNLOAD',
  'E_LOCKED', // files held by another process
  'E_HOOK', // admin hook script failed
  'E_PLATFORM', // IIS / service control failure
  'E_DISK_SPACE', // volume full, over quota or read-only (names the volume and the bytes needed)
  'E_DATABASE',
  'E_ROLLED_BACK',
  'E_STOPPED', // asked to stop (Ctrl+C, the cmdlet's pipeline stopped): a module was not started
  'E_INTERNAL',
] as const;

export type ErrorCode =
  | (typeof BAD_INPUT_CODES)[number]
  | (typeof MANUAL_CODES)[number]
  | (typeof BUSY_CODES)[number]
  | (typeof FAILED_CODES)[number];

export function exitCodeFor(code: ErrorCode | string): ExitCode {
  if ((BAD_INPUT_CODES as readonly string[]).includes(code)) return ExitCode.BadInput;
  if ((MANUAL_CODES as readonly string[]).includes(code)) return ExitCode.ManualActionRequired;
  if ((BUSY_CODES as readonly string[]).includes(code)) return ExitCode.Busy;
  return ExitCode.Failed;
}

export interface ErrorDetails {
  /** What the error is about: a file path, a field, a module, a URL. */
  target?: string;
  /** What the admin can do about it. */
  hint?: string | Message;
  cause?: unknown;
}

export class AltazionError extends Error {
  readonly code: ErrorCode;
  readonly target?: string;
  readonly hint?: string;
  /** The message as a code with parameters, when it has one (the portal words it in French). */
  readonly messageRef?: Message;
  readonly hintRef?: Message;

  constructor(code: ErrorCode, message: string | Message, details: ErrorDetails = {}) {
    super(textOf(message), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'AltazionError';
    this.code = code;
    this.target = details.target;
    if (details.hint !== undefined) this.hint = textOf(details.hint);
    if (typeof message !== 'string') this.messageRef = message;
    if (details.hint !== undefined && typeof details.hint !== 'string') this.hintRef = details.hint;
  }

  /** The message as a Message when it has one, else its English text (data, shown as is). */
  get worded(): Message | string {
    return this.messageRef ?? this.message;
  }

  get exitCode(): ExitCode {
    return exitCodeFor(this.code);
  }
}

/** Wraps anything thrown into an AltazionError (unknown errors become E_INTERNAL). */
export function toAltazionError(error: unknown): AltazionError {
  if (error instanceof AltazionError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AltazionError('E_INTERNAL', message, { cause: error });
}

/** Shorthand for configuration errors, which must always name the file and the field. */
export function configError(file: string, field: string, problem: string, hint?: string): AltazionError {
  return new AltazionError('E_CONFIG', `${file}: ${field}: ${problem}`, { target: file, hint });
}
