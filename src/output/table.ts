// Plain-text tables for a terminal: pure formatting, no I/O. A table wider than the terminal has
// its widest columns wrapped (word by word, long words cut) so that every line fits; colours (the
// status words) only when the caller says the output is a terminal that wants them.

export interface Column {
  header: string;
  key: string;
  /** Coloured by value (status words) when colours are on. */
  colored?: boolean;
}

export interface TableOptions {
  /** Terminal width: lines never exceed it (undefined: no limit, e.g. output to a file or a pipe). */
  maxWidth?: number;
  /** ANSI colours on the status words (only on a terminal, never with NO_COLOR). */
  color?: boolean;
}

/** Default columns shown on a terminal for each record type; everything else is in --json. */
export const TABLE_COLUMNS: Record<string, Column[]> = {
  'Altazion.Update': [
    { header: 'Name', key: 'Name' },
    { header: 'Instance', key: 'Instance' },
    { header: 'Kind', key: 'Kind' },
    { header: 'Installed', key: 'InstalledVersion' },
    { header: 'Available', key: 'AvailableVersion' },
    { header: 'Status', key: 'Status', colored: true },
    { header: 'Path', key: 'Path' },
    // Why a version is Unknown, what a manual action is about, ... (wrapped to the terminal).
    { header: 'Detail', key: 'Detail' },
  ],
  'Altazion.InstallResult': [
    { header: 'Name', key: 'Name' },
    { header: 'Instance', key: 'Instance' },
    { header: 'From', key: 'FromVersion' },
    { header: 'To', key: 'ToVersion' },
    { header: 'Result', key: 'Result', colored: true },
    { header: 'Downtime(s)', key: 'DowntimeSeconds' },
    { header: 'Message', key: 'Message' },
  ],
  'Altazion.RepairResult': [
    { header: 'Check', key: 'Check' },
    { header: 'Target', key: 'Target' },
    { header: 'Status', key: 'Status', colored: true },
    { header: 'Detail', key: 'Detail' },
    { header: 'Action', key: 'Action' },
  ],
  'Altazion.ScheduledInstall': [
    { header: 'Id', key: 'Id' },
    { header: 'Modules', key: 'Names' },
    { header: 'Instance', key: 'Instance' },
    { header: 'At', key: 'At' },
    { header: 'NotAfter', key: 'NotAfter' },
    { header: 'By', key: 'RequestedBy' },
    { header: 'State', key: 'State' },
  ],
  'Altazion.DatabaseScript': [
    { header: 'Id', key: 'Id' },
    { header: 'Version', key: 'Version' },
    { header: 'Name', key: 'Name' },
    { header: 'Status', key: 'Status', colored: true },
    { header: 'Customized', key: 'TouchesCustomizedObjects' },
  ],
};

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s+/g, ' ');
}

const SEPARATOR = '  ';
/** A column is never wrapped narrower than this (or its header). */
const MIN_WRAPPED_WIDTH = 10;

const GREEN = ['UpToDate', 'Installed', 'Ok', 'Fixed', 'Applied', 'AppliedManually'];
const YELLOW = ['UpdateAvailable', 'ManualActionRequired', 'WouldFix', 'Warning', 'WhatIf', 'Pending'];
const RED = ['Failed', 'RolledBack'];

function colorize(text: string, value: string): string {
  const code = GREEN.includes(value) ? 32 : YELLOW.includes(value) ? 33 : RED.includes(value) ? 31 : undefined;
  return code === undefined || text.trim() === '' ? text : `\x1b[${code}m${text}\x1b[0m`;
}

/** Splits `text` into lines of at most `width` characters, at spaces when it can. */
export function wrapText(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(' ')) {
    while (word.length > width) {
      // A word longer than the column (a path): fill the current line, then cut.
      const room = line ? width - line.length - 1 : width;
      if (room <= 0) { lines.push(line); line = ''; continue; }
      lines.push(line ? `${line} ${word.slice(0, room)}` : word.slice(0, room));
      line = '';
      word = word.slice(room);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else { lines.push(line); line = word; }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * Column widths that fit `maxWidth`: the widest column gives a character at a time until the
 * line fits or every column is at its floor (then the line is as narrow as it can be).
 */
export function fitWidths(natural: readonly number[], floors: readonly number[], maxWidth: number): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((a, b) => a + b, 0) + SEPARATOR.length * (widths.length - 1);
  while (total() > maxWidth) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) if (widths[i]! > floors[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    if (widest < 0) break;
    widths[widest]!--;
  }
  return widths;
}

export function formatTable(rows: readonly Record<string, unknown>[], columns?: Column[], options: TableOptions = {}): string {
  if (rows.length === 0) return '';
  const cols: Column[] = columns ?? Object.keys(rows[0]!).map((key) => ({ header: key, key }));
  const text = rows.map((row) => cols.map((c) => cell(row[c.key])));
  const natural = cols.map((c, i) => Math.max(c.header.length, ...text.map((r) => r[i]!.length)));
  const floors = cols.map((c, i) => Math.min(natural[i]!, Math.max(c.header.length, MIN_WRAPPED_WIDTH)));
  const widths = options.maxWidth ? fitWidths(natural, floors, options.maxWidth) : natural;
  const render = (values: readonly string[], raw?: readonly string[]) => {
    const wrapped = values.map((v, i) => wrapText(v, widths[i]!));
    const height = Math.max(...wrapped.map((w) => w.length));
    const lines: string[] = [];
    for (let l = 0; l < height; l++) {
      lines.push(wrapped.map((w, i) => {
        const piece = w[l] ?? '';
        const padded = i === wrapped.length - 1 ? piece : piece.padEnd(widths[i]!);
        return options.color && raw && cols[i]!.colored ? colorize(padded, raw[i]!) : padded;
      }).join(SEPARATOR).trimEnd());
    }
    return lines;
  };
  return [
    ...render(cols.map((c) => c.header)),
    ...render(widths.map((w) => '-'.repeat(w))),
    ...text.flatMap((r) => render(r, r)),
  ].join('\n') + '\n';
}

/** `[#####-----]  42% activity: status` */
export function formatProgressBar(activity: string, status: string, percent: number, width = 24): string {
  const clamped = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.round((clamped / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(clamped).padStart(3)}% ${activity}: ${status}`;
}

/** `Key : value` blocks, one per record (like PowerShell's Format-List), for records without a table view. */
export function formatList(rows: readonly Record<string, unknown>[]): string {
  return rows.map((row) => {
    const keys = Object.keys(row);
    const width = Math.max(...keys.map((k) => k.length));
    return keys.map((k) => {
      const value = row[k];
      const text = Array.isArray(value) ? value.map(String).join('\n' + ' '.repeat(width + 3)) : cell(value);
      return `${k.padEnd(width)} : ${text}`;
    }).join('\n') + '\n';
  }).join('\n');
}
