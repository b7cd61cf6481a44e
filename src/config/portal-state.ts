// bin\updates\portal.json: where the running service's portal listens. `service run` writes it
// once it is listening (the port may be the fallback one: the legacy EMainServer serves the old
// portal on 8080) and removes it when it stops; `repair`, the health page, `service install` (and
// later `portal open` and the cmdlets) read it to find the portal instead of guessing from
// updater.config. Example:
//   {"v":1,"url":"http://localhost:8081/","port":8081,"configuredPort":8080,"fallback":true,
//    "reason":"port 8080 on 127.0.0.1 is in use ...","reasonId":"portal.fallback","reasonParams":{...},
//    "pid":4321,"startedAt":"2026-05-04T08:00:00.000Z"}
// The reason is a message (src/core/messages.ts): its English text, and its id and parameters beside
// it, so the health page words it in French.
import { promises as fs } from 'node:fs';
import { isMessage, recordText, type Message } from '../core/messages';
import { writeFileAtomic } from '../io/files';

export interface PortalState {
  /** The URL an administrator opens (http://localhost:<port>/). */
  url: string;
  port: number;
  /** <portal port> of updater.config (or --port) when the service started. */
  configuredPort: number;
  /** True when the configured port was in use and the fallback port was taken instead. */
  fallback: boolean;
  /** Why the fallback port is used (a message; plain text from a file written without an id). */
  reason?: Message | string;
  /** The service process. */
  pid: number;
  startedAt: string;
}

const isPort = (n: unknown): n is number => Number.isInteger(n) && (n as number) > 0 && (n as number) <= 65535;

/** The state in a file's text; undefined when it is not one (a damaged file is as good as none). */
export function parsePortalState(text: string): PortalState | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || value.v !== 1) return undefined;
  const { url, port, configuredPort, fallback, reason, reasonId, reasonParams, pid, startedAt } = value;
  if (typeof url !== 'string' || !/^http:\/\/[^/]+\/$/.test(url) || !isPort(port) || !Number.isInteger(configuredPort)
    || typeof fallback !== 'boolean' || !Number.isInteger(pid) || (pid as number) <= 0 || typeof startedAt !== 'string') return undefined;
  return {
    url, port, configuredPort: configuredPort as number, fallback, pid: pid as number, startedAt,
    ...(typeof reason === 'string' && reason ? { reason } : {}),
    ...(reasonMessage(reasonId, reasonParams) ?? {}),
  };
}

function reasonMessage(id: unknown, params: unknown): { reason: Message } | undefined {
  const candidate = { id, ...(params && typeof params === 'object' ? { params } : {}) };
  return isMessage(candidate) ? { reason: candidate } : undefined;
}

export async function readPortalState(file: string): Promise<PortalState | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parsePortalState(text);
}

export async function writePortalState(file: string, state: PortalState): Promise<void> {
  const { reason, ...rest } = state;
  await writeFileAtomic(file, `${JSON.stringify({ v: 1, ...rest, ...(reason === undefined ? {} : recordText('reason', reason)) })}\n`);
}

/** Removes the file if it is still the one written by `pid` (another service may have started since). */
export async function removePortalState(file: string, pid: number): Promise<void> {
  if ((await readPortalState(file))?.pid === pid) await fs.rm(file, { force: true });
}
