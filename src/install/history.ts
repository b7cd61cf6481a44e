// Install history: one JSON line per finished install in bin/updates/history.jsonl (appended under
// the install lock), read newest first by the portal and `Get-AltazionUpdate -History`-like tools.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { InstanceLayout } from '../config/paths';
import type { InstallResultRecord } from '../core/records';

export interface InstallHistoryEntry extends InstallResultRecord {
  Id: string;
  RequestedBy: string;
  User: string;
  ComputerName: string;
  /** Where the request came from (surface and remote session), when known. */
  From?: string;
  /** Database runs: automatic, forced, script, mark-applied, export, refused. */
  Action?: string;
  /** Database runs: the scripts run or recorded. */
  Scripts?: string[];
  /** Database runs: saved object definitions and database backups. */
  Backups?: string[];
}

export function historyPath(layout: InstanceLayout): string {
  return path.join(layout.updates, 'history.jsonl');
}

export async function appendInstallHistory(layout: InstanceLayout, entry: InstallHistoryEntry): Promise<void> {
  await fs.mkdir(layout.updates, { recursive: true });
  await fs.appendFile(historyPath(layout), JSON.stringify(entry) + '\n');
}

/** Newest first; a torn last line (crash while appending) is skipped. */
export async function listInstallHistory(layout: InstanceLayout): Promise<InstallHistoryEntry[]> {
  const text = await fs.readFile(historyPath(layout), 'utf8').catch(() => '');
  const entries: InstallHistoryEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try { entries.push(JSON.parse(line) as InstallHistoryEntry); } catch { /* torn line */ }
  }
  return entries.reverse();
}
