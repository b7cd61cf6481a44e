// What the updater must know about a Windows host before the bridge can run, read from the registry
// with reg.exe (the one console tool left; only its exit code and the value of one line are read,
// never localised text):
//  - the .NET Framework 4.x release (HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full,
//    Release): edge-js's native module is a mixed-mode (C++/CLI) module; without a CLR, loading it
//    aborts the whole process, so it is only ever loaded when this says 4.5 or later;
//  - whether IIS is installed (the W3SVC service key exists): web modules need it, nothing else does;
//  - the OEM code page (HKLM\SYSTEM\CurrentControlSet\Control\Nls\CodePage, OEMCP), which console
//    programs started without a console of their own (windowsHide) write in: 850 on French servers.
import { execFile } from 'node:child_process';

/** .NET Framework 4.5 is release 378389 (Microsoft: "Determine which .NET Framework versions are installed"). */
export const NETFX_45_RELEASE = 378389;

export const REGISTRY = {
  netfx: { key: 'HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full', value: 'Release' },
  w3svc: { key: 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\W3SVC', value: 'Start' },
  codePage: { key: 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Nls\\CodePage', value: 'OEMCP' },
} as const;

export interface HostProbe {
  /** The .NET Framework 4.x release number, or undefined when 4.x is not installed. */
  netfxRelease?: number;
  iisInstalled: boolean;
  oemCodePage: number;
}

/** `reg query <key> /v <value>` arguments. */
export function regQueryArgs(key: string, value: string): string[] {
  return ['query', key, '/v', value];
}

/**
 * The data of one value in reg.exe's answer: a line `    <name>    REG_<TYPE>    <data>` (names and
 * types are not localised). REG_DWORD data is printed in hex (0x80ff4). Undefined when absent.
 */
export function parseRegValue(text: string, name: string): string | number | undefined {
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s+(.+?)\s{2,}(REG_[A-Z_]+)\s{2,}(.*?)\s*$/.exec(line) ?? /^\s+(.+?)\s+(REG_[A-Z_]+)\s*(.*?)\s*$/.exec(line);
    if (!match || match[1]!.toLowerCase() !== name.toLowerCase()) continue;
    const data = match[3]!;
    if (match[2] === 'REG_DWORD' || match[2] === 'REG_QWORD') {
      const number = Number(data);
      return Number.isFinite(number) ? number : undefined;
    }
    return data;
  }
  return undefined;
}

/** reg.exe's path (never found through PATH: the service runs as SYSTEM). */
export function regExe(env: NodeJS.ProcessEnv): string {
  const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? env.windir ?? 'C:\\Windows';
  return `${systemRoot.replace(/[\\/]+$/, '')}\\System32\\reg.exe`;
}

export type RegQuery = (key: string, value: string) => Promise<{ code: number; stdout: string }>;

/** Runs reg.exe; its output is read as latin1, enough for the ASCII names and numbers looked at. */
export function regQueryWith(env: NodeJS.ProcessEnv): RegQuery {
  return (key, value) => new Promise((resolve) => {
    execFile(regExe(env), regQueryArgs(key, value), { windowsHide: true, encoding: 'latin1', timeout: 30_000 }, (error, stdout) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? Number((error as { code?: unknown }).code) : -1) : 0;
      resolve({ code, stdout: String(stdout ?? '') });
    });
  });
}

export async function probeHost(query: RegQuery): Promise<HostProbe> {
  const [netfx, w3svc, codePage] = await Promise.all([
    query(REGISTRY.netfx.key, REGISTRY.netfx.value),
    query(REGISTRY.w3svc.key, REGISTRY.w3svc.value),
    query(REGISTRY.codePage.key, REGISTRY.codePage.value),
  ]);
  const release = netfx.code === 0 ? parseRegValue(netfx.stdout, REGISTRY.netfx.value) : undefined;
  const oem = codePage.code === 0 ? Number(parseRegValue(codePage.stdout, REGISTRY.codePage.value)) : NaN;
  return {
    ...(typeof release === 'number' ? { netfxRelease: release } : {}),
    iisInstalled: w3svc.code === 0,
    oemCodePage: Number.isInteger(oem) && oem > 0 ? oem : 850,
  };
}
