// Maintenance windows (pure): when a scheduled install is due or missed, what `--at` means, and
// which modules the weekly-window policy of updater.config installs now. Times are the server's
// local time (the admin says "02:00" and means 02:00 on the server's clock). No disk, no clock here:
// `now` is always passed in.
import { AltazionError } from '../core/errors';
import type { ScheduledInstallRecord } from '../core/records';
import type { AutoInstallPolicy, WeeklyWindow } from '../config/maintenance';

export { parseDays, parseTimeOfDay, type AutoInstallPolicy, type WeeklyWindow } from '../config/maintenance';

/** How long after its time a scheduled install may still start (the service was restarting, another install ran). */
export const DEFAULT_WINDOW_MINUTES = 120;
/** The portal's "Installer cette nuit à 02:00". */
export const DEFAULT_NIGHT_TIME = '02:00';

export type ScheduledInstall = ScheduledInstallRecord;

const HHMM = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** The next `HH:MM` (local time) strictly after `now`: today if still ahead, else tomorrow. */
export function nextOccurrence(hhmm: string, now: Date): Date {
  const m = HHMM.exec(hhmm.trim());
  if (!m) throw new AltazionError('E_USAGE', `"${hhmm}" is not a time of day (HH:MM)`, { target: hhmm });
  const at = new Date(now.getFullYear(), now.getMonth(), now.getDate(), Number(m[1]), Number(m[2]), 0, 0);
  if (at.getTime() <= now.getTime()) at.setDate(at.getDate() + 1);
  return at;
}

/**
 * `--at` / `-At`: `HH:MM` (the next one), `YYYY-MM-DD HH:MM[:SS]` or `YYYY-MM-DDTHH:MM[:SS[.fff]]`
 * in local time, or with an offset (`Z`, `+02:00`: what PowerShell's `[datetime]::ToString('o')` gives).
 * Must be in the future.
 */
export function parseAt(text: string, now: Date, option = '--at'): Date {
  const value = text.trim();
  let at: Date;
  if (HHMM.test(value)) {
    at = nextOccurrence(value, now);
  } else {
    const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(value);
    if (!m) throw new AltazionError('E_USAGE', `${option}: "${text}" is not a time (HH:MM, or YYYY-MM-DD HH:MM)`, { target: text, hint: `${option} 02:00, or ${option} "2026-05-02 02:00"` });
    const [, y, mo, d, h, mi, se, frac, zone] = m;
    const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
    if (zone) {
      at = new Date(`${y}-${mo}-${d}T${h!.padStart(2, '0')}:${mi}:${se ?? '00'}.${String(ms).padStart(3, '0')}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
    } else {
      at = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se ?? 0), ms);
    }
    if (Number.isNaN(at.getTime()) || (!zone && at.getMonth() !== Number(mo) - 1)) {
      throw new AltazionError('E_USAGE', `${option}: "${text}" is not a valid date`, { target: text });
    }
  }
  if (at.getTime() <= now.getTime()) {
    throw new AltazionError('E_USAGE', `${option}: ${text} is in the past (now: ${localText(now)})`, { target: text });
  }
  return at;
}

/** `2026-05-02 02:00` in local time (for messages). */
export function localText(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())}`;
}

export interface ScheduleDecision {
  /** Pending installs whose time has come (oldest first). */
  due: ScheduledInstall[];
  /** Pending installs whose window is over: never run, reported. */
  missed: ScheduledInstall[];
  /** The next time something becomes due, if any. */
  nextAt?: Date;
}

export function decideSchedule(entries: readonly ScheduledInstall[], now: Date): ScheduleDecision {
  const decision: ScheduleDecision = { due: [], missed: [] };
  const t = now.getTime();
  for (const entry of [...entries].sort((a, b) => Date.parse(a.At) - Date.parse(b.At))) {
    if (entry.State !== 'Pending') continue;
    const at = Date.parse(entry.At);
    if (t > Date.parse(entry.NotAfter)) decision.missed.push(entry);
    else if (t >= at) decision.due.push(entry);
    else if (!decision.nextAt || at < decision.nextAt.getTime()) decision.nextAt = new Date(at);
  }
  return decision;
}

// ---------------------------------------------------------------------------------------------
// The weekly window of updater.config (read by src/config/maintenance.ts).

/** The occurrence of a window that contains `now` (its start and end), if any. */
export function windowContaining(windows: readonly WeeklyWindow[], now: Date): { start: Date; end: Date } | undefined {
  const minutes = now.getHours() * 60 + now.getMinutes();
  for (const w of windows) {
    const overnight = w.end <= w.start;
    // A window over midnight that started yesterday.
    const startDay = overnight && minutes < w.end ? new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1) : new Date(now.getFullYear(), now.getMonth(), now.getDate());
    if (!w.days.includes(startDay.getDay())) continue;
    const start = new Date(startDay.getFullYear(), startDay.getMonth(), startDay.getDate(), Math.floor(w.start / 60), w.start % 60);
    const end = new Date(startDay.getFullYear(), startDay.getMonth(), startDay.getDate() + (overnight ? 1 : 0), Math.floor(w.end / 60), w.end % 60);
    if (now.getTime() >= start.getTime() && now.getTime() < end.getTime()) return { start, end };
  }
  return undefined;
}

export interface AutoCandidate { name: string; instance: string; version: string }

/** What `get` says of a module (the fields the policy looks at). */
export interface ModuleState { Name: string; Instance: string; Status: string; UpdateAvailable: boolean; AvailableVersion: string | null; DetailId?: string }

/**
 * The modules the policy installs now: inside a window, chosen in the policy, with an update whose
 * status is plainly UpdateAvailable — never a module that needs a manual action (a customised
 * database, an unmet requirement), never one being installed — and not already tried in this window.
 */
export function autoInstallCandidates(policy: AutoInstallPolicy, modules: readonly ModuleState[], now: Date, tried: ReadonlySet<string>): { window?: { start: Date; end: Date }; candidates: AutoCandidate[] } {
  const window = windowContaining(policy.windows, now);
  if (!window || policy.modules.length === 0) return { candidates: [] };
  const candidates = modules
    .filter((m) => policy.modules.includes(m.Name) && m.UpdateAvailable && m.Status === 'UpdateAvailable' && m.AvailableVersion && m.DetailId !== 'update.installing')
    .map((m) => ({ name: m.Name, instance: m.Instance, version: m.AvailableVersion! }))
    .filter((c) => !tried.has(attemptKey(c, window.start)));
  return { window, candidates };
}

/** One attempt per module, version and window occurrence: a failed install is retried at the next window, not every minute. */
export function attemptKey(candidate: AutoCandidate, windowStart: Date): string {
  return `${candidate.name}|${candidate.instance}|${candidate.version}|${windowStart.toISOString()}`;
}
