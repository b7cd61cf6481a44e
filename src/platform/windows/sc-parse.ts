// sc.exe (the service control manager's command line) command lines and output parsing, pure.
// Documented output (Microsoft Learn, "sc.exe query", "sc.exe qc"); field names are not localised:
//   SERVICE_NAME: wuauserv
//   DISPLAY_NAME: Windows Update                 (sc query only)
//           TYPE               : 20  WIN32_SHARE_PROCESS
//           STATE              : 4  RUNNING
//                                   (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)
//           PID                : 1234          (queryex only)
// and for `sc qc <name>`:
//   [SC] QueryServiceConfig SUCCESS
//   SERVICE_NAME: wuauserv
//           START_TYPE         : 2   AUTO_START  (DELAYED)
//           BINARY_PATH_NAME   : C:\Windows\system32\svchost.exe -k netsvcs -p
//           DISPLAY_NAME       : Windows Update
//           SERVICE_START_NAME : LocalSystem
import type { ServiceState, StartMode } from '../types';

export function scPath(env: NodeJS.ProcessEnv): string {
  const windir = env.windir ?? env.WINDIR ?? env.SystemRoot ?? 'C:\\Windows';
  return `${windir.replace(/\\+$/, '')}\\system32\\sc.exe`;
}

/** sc.exe wants `option= value` as two arguments, the `=` glued to the option. */
export const scArgs = {
  queryAll: () => ['queryex', 'type=', 'service', 'state=', 'all'],
  query: (name: string) => ['queryex', name],
  config: (name: string) => ['qc', name, '8192'],
  stop: (name: string) => ['stop', name],
  start: (name: string) => ['start', name],
  setStartMode: (name: string, mode: StartMode) => ['config', name, 'start=', startModeArg(mode)],
};

export function startModeArg(mode: StartMode): string {
  switch (mode) {
    case 'Automatic': return 'auto';
    case 'AutomaticDelayed': return 'delayed-auto';
    case 'Manual': return 'demand';
    case 'Disabled': return 'disabled';
  }
}

/** Win32 errors sc.exe returns as its exit code that mean "already in the wanted state". */
export const SC_ALREADY_RUNNING = 1056;
export const SC_NOT_STARTED = 1062;
export const SC_DOES_NOT_EXIST = 1060;

const STATES: Record<string, ServiceState> = {
  '1': 'Stopped', '2': 'StartPending', '3': 'StopPending', '4': 'Running', '5': 'StartPending', '6': 'StopPending', '7': 'Paused',
};

export interface ScQueryEntry { name: string; displayName?: string; state: ServiceState; pid?: number }

/** Fields of one `KEY : value` block; continuation lines (indented, no key) are skipped. */
function fields(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const m = /^\s*([A-Z_]+)\s*:\s?(.*)$/.exec(line);
    if (m) out.set(m[1], m[2].trim());
  }
  return out;
}

function blocks(text: string): string[] {
  return text.split(/\r?\n(?=SERVICE_NAME:)/).filter((b) => /^SERVICE_NAME:/m.test(b));
}

export function parseQuery(text: string): ScQueryEntry[] {
  return blocks(text).map((block) => {
    const f = fields(block);
    const state = STATES[(f.get('STATE') ?? '').split(/\s+/)[0]] ?? 'Unknown';
    const pid = Number(f.get('PID'));
    return {
      name: f.get('SERVICE_NAME') ?? '',
      ...(f.get('DISPLAY_NAME') ? { displayName: f.get('DISPLAY_NAME') } : {}),
      state,
      ...(Number.isFinite(pid) && pid > 0 ? { pid } : {}),
    };
  }).filter((e) => e.name !== '');
}

export interface ScConfig { name: string; startMode: StartMode; binaryPath: string; displayName: string; account: string }

export function parseQc(text: string): ScConfig | undefined {
  const block = blocks(text)[0];
  if (!block) return undefined;
  const f = fields(block);
  const start = f.get('START_TYPE') ?? '';
  const code = start.split(/\s+/)[0];
  const startMode: StartMode = code === '2' ? (/DELAYED/i.test(start) ? 'AutomaticDelayed' : 'Automatic')
    : code === '4' ? 'Disabled' : 'Manual';
  return {
    name: f.get('SERVICE_NAME') ?? '',
    startMode,
    binaryPath: f.get('BINARY_PATH_NAME') ?? '',
    displayName: f.get('DISPLAY_NAME') ?? '',
    account: f.get('SERVICE_START_NAME') ?? '',
  };
}
