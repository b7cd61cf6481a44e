// Plain-text tables for a terminal: pure formatting, no I/O.

export interface Column { header: string; key: string; width?: number }

/** Default columns shown on a terminal for each record type; everything else is in --json. */
export const TABLE_COLUMNS: Record<string, Column[]> = {
  'Altazion.Update': [
    { header: 'Name', key: 'Name' },
    { header: 'Instance', key: 'Instance' },
    { header: 'Kind', key: 'Kind' },
    { header: 'Installed', key: 'InstalledVersion' },
    { header: 'Available', key: 'AvailableVersion' },
    { header: 'Status', key: 'Status' },
    { header: 'Path', key: 'Path' },
  ],
  'Altazion.InstallResult': [
    { header: 'Name', key: 'Name' },
    { header: 'Instance', key: 'Instance' },
    { header: 'From', key: 'FromVersion' },
    { header: 'To', key: 'ToVersion' },
    { header: 'Result', key: 'Result' },
    { header: 'Downtime(s)', key: 'DowntimeSeconds' },
    { header: 'Message', key: 'Message' },
  ],
  'Altazion.RepairResult': [
    { header: 'Check', key: 'Check' },
    { header: 'Target', key: 'Target' },
    { header: 'Status', key: 'Status' },
    { header: 'Detail', key: 'Detail' },
    { header: 'Action', key: 'Action' },
  ],
  'Altazion.DatabaseScript': [
    { header: 'Id', key: 'Id' },
    { header: 'Version', key: 'Version' },
    { header: 'Name', key: 'Name' },
    { header: 'Status', key: 'Status' },
    { header: 'Customized', key: 'TouchesCustomizedObjects' },
  ],
};

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s+/g, ' ');
}

export function formatTable(rows: readonly Record<string, unknown>[], columns?: Column[]): string {
  if (rows.length === 0) return '';
  const cols = columns ?? Object.keys(rows[0]).map((key) => ({ header: key, key }));
  const text = rows.map((row) => cols.map((c) => cell(row[c.key])));
  const widths = cols.map((c, i) => Math.max(c.header.length, ...text.map((r) => r[i].length)));
  const line = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(cols.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n') + '\n';
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
