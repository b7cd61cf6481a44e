// File-lock holders on Windows (SPEC §6 step 3, §8 `locks`), from one PowerShell script run with
// execFile (no shell) that prints one JSON object per holder:
//  1. the Restart Manager (Microsoft docs: "Using Restart Manager"; RmStartSession,
//     RmRegisterResources with the files of each module folder, RmGetList called first with no
//     buffer -> ERROR_MORE_DATA (234) and the count needed, then with a buffer; RmEndSession);
//     RM_PROCESS_INFO gives the pid (Process.dwProcessId); the image name and the owner come from
//     Win32_Process (Name, GetOwner) in the same script;
//  2. Explorer windows showing a module folder (Shell.Application .Windows(): LocationURL, HWND ->
//     GetWindowThreadProcessId). COM only lists the windows of the session the script runs in;
//  3. command prompts (cmd.exe, powershell.exe, pwsh.exe) of any session whose current directory is
//     inside a module folder: they hold a handle on the directory, which makes renaming the folder
//     fail, and the Restart Manager (files only) does not see them. The current directory is read
//     from the process parameters of the PEB (NtQueryInformationProcess ProcessBasicInformation,
//     documented in winternl.h; the CurrentDirectory offset inside RTL_USER_PROCESS_PARAMETERS is not
//     in the documented part of the structure, so this step is best effort: 64-bit targets only,
//     any failure skips the process).
import { execFile } from 'node:child_process';
import os from 'node:os';
import { AltazionError } from '../../core/errors';
import type { LockHolder, LockInspector } from '../types';

/** Number of files registered per Restart Manager session. */
export const RM_FILES_PER_SESSION = 1000;

const CSHARP = String.raw`
using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;

public static class AltazionLocks {
  [StructLayout(LayoutKind.Sequential)]
  struct RM_UNIQUE_PROCESS { public int dwProcessId; public System.Runtime.InteropServices.ComTypes.FILETIME ProcessStartTime; }

  [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
  struct RM_PROCESS_INFO {
    public RM_UNIQUE_PROCESS Process;
    [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 256)] public string strAppName;
    [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 64)] public string strServiceShortName;
    public int ApplicationType;
    public uint AppStatus;
    public uint TSSessionId;
    [MarshalAs(UnmanagedType.Bool)] public bool bRestartable;
  }

  [DllImport("rstrtmgr.dll", CharSet = CharSet.Unicode)]
  static extern int RmStartSession(out uint pSessionHandle, int dwSessionFlags, StringBuilder strSessionKey);
  [DllImport("rstrtmgr.dll")]
  static extern int RmEndSession(uint pSessionHandle);
  [DllImport("rstrtmgr.dll", CharSet = CharSet.Unicode)]
  static extern int RmRegisterResources(uint pSessionHandle, uint nFiles, string[] rgsFilenames, uint nApplications, RM_UNIQUE_PROCESS[] rgApplications, uint nServices, string[] rgsServiceNames);
  [DllImport("rstrtmgr.dll")]
  static extern int RmGetList(uint dwSessionHandle, out uint pnProcInfoNeeded, ref uint pnProcInfo, [In, Out] RM_PROCESS_INFO[] rgAffectedApps, ref uint lpdwRebootReasons);

  const int ERROR_MORE_DATA = 234;

  // "pid|service short name|application name" for every process holding one of the files.
  public static string[] Holders(string[] files) {
    uint session;
    StringBuilder key = new StringBuilder(33); // CCH_RM_SESSION_KEY + 1
    int rc = RmStartSession(out session, 0, key);
    if (rc != 0) throw new Win32Exception(rc, "RmStartSession failed (" + rc + ")");
    try {
      rc = RmRegisterResources(session, (uint)files.Length, files, 0, null, 0, null);
      if (rc != 0) throw new Win32Exception(rc, "RmRegisterResources failed (" + rc + ")");
      uint needed = 0, count = 0, reasons = 0;
      RM_PROCESS_INFO[] infos = null;
      // The list can grow between the two calls: ask again while it does.
      for (int attempt = 0; attempt < 5; attempt++) {
        rc = RmGetList(session, out needed, ref count, infos, ref reasons);
        if (rc == 0) break;
        if (rc != ERROR_MORE_DATA) throw new Win32Exception(rc, "RmGetList failed (" + rc + ")");
        infos = new RM_PROCESS_INFO[needed];
        count = needed;
      }
      if (rc != 0) throw new Win32Exception(rc, "RmGetList kept growing");
      List<string> result = new List<string>();
      for (int i = 0; i < count; i++) result.Add(infos[i].Process.dwProcessId + "|" + infos[i].strServiceShortName + "|" + infos[i].strAppName);
      return result.ToArray();
    } finally {
      RmEndSession(session);
    }
  }

  [DllImport("user32.dll")]
  static extern uint GetWindowThreadProcessId(IntPtr hWnd, out uint processId);

  public static int WindowProcess(long hwnd) {
    uint pid;
    GetWindowThreadProcessId(new IntPtr(hwnd), out pid);
    return (int)pid;
  }

  [StructLayout(LayoutKind.Sequential)]
  struct PROCESS_BASIC_INFORMATION { public IntPtr ExitStatus; public IntPtr PebBaseAddress; public IntPtr AffinityMask; public IntPtr BasePriority; public IntPtr UniqueProcessId; public IntPtr InheritedFromUniqueProcessId; }
  [DllImport("ntdll.dll")]
  static extern int NtQueryInformationProcess(IntPtr process, int infoClass, ref PROCESS_BASIC_INFORMATION info, int length, out int returned);
  [DllImport("kernel32.dll", SetLastError = true)]
  static extern IntPtr OpenProcess(int access, bool inherit, int pid);
  [DllImport("kernel32.dll", SetLastError = true)]
  static extern bool ReadProcessMemory(IntPtr process, IntPtr address, byte[] buffer, IntPtr size, out IntPtr read);
  [DllImport("kernel32.dll", SetLastError = true)]
  static extern bool IsWow64Process(IntPtr process, out bool wow64);
  [DllImport("kernel32.dll")]
  static extern bool CloseHandle(IntPtr handle);

  static byte[] Read(IntPtr process, long address, int size) {
    byte[] buffer = new byte[size];
    IntPtr read;
    if (!ReadProcessMemory(process, new IntPtr(address), buffer, new IntPtr(size), out read) || read.ToInt64() != size) return null;
    return buffer;
  }

  // Current directory of a 64-bit process, or null (best effort, see the TypeScript comment).
  public static string CurrentDirectory(int pid) {
    if (IntPtr.Size != 8) return null;
    IntPtr process = OpenProcess(0x0400 | 0x0010, false, pid); // PROCESS_QUERY_INFORMATION | PROCESS_VM_READ
    if (process == IntPtr.Zero) return null;
    try {
      bool wow64;
      if (!IsWow64Process(process, out wow64) || wow64) return null;
      PROCESS_BASIC_INFORMATION info = new PROCESS_BASIC_INFORMATION();
      int returned;
      if (NtQueryInformationProcess(process, 0, ref info, Marshal.SizeOf(info), out returned) != 0) return null;
      byte[] peb = Read(process, info.PebBaseAddress.ToInt64() + 0x20, 8); // PEB.ProcessParameters
      if (peb == null) return null;
      long parameters = BitConverter.ToInt64(peb, 0);
      byte[] cd = Read(process, parameters + 0x38, 16); // CurrentDirectory.DosPath (UNICODE_STRING)
      if (cd == null) return null;
      int length = BitConverter.ToUInt16(cd, 0);
      long buffer = BitConverter.ToInt64(cd, 8);
      if (length == 0 || length > 65534) return null;
      byte[] text = Read(process, buffer, length);
      return text == null ? null : Encoding.Unicode.GetString(text);
    } finally {
      CloseHandle(process);
    }
  }
}
`;

/**
 * The script: folders come from the environment variable ALTAZION_LOCK_FOLDERS (a JSON array), so
 * no path is ever pasted into code. Prints one compact JSON object per holder:
 * {"pid":123,"image":"explorer.exe","user":"SRV\\admin","path":"D:\\app\\gestcom","source":"explorer"}.
 */
export function buildLocksScript(filesPerSession = RM_FILES_PER_SESSION): string {
  return [
    `$ErrorActionPreference = 'Stop'`,
    `[Console]::OutputEncoding = [System.Text.Encoding]::UTF8`,
    `$folders = @(ConvertFrom-Json $env:ALTAZION_LOCK_FOLDERS)`,
    `Add-Type -TypeDefinition @'\n${CSHARP}\n'@`,
    `function Get-Owner([int]$procId) {`,
    `  try {`,
    `    $p = Get-CimInstance Win32_Process -Filter "ProcessId=$procId"`,
    `    if (-not $p) { return @('', '') }`,
    `    $o = Invoke-CimMethod -InputObject $p -MethodName GetOwner`,
    `    $user = if ($o.User) { if ($o.Domain) { "$($o.Domain)\\$($o.User)" } else { $o.User } } else { '' }`,
    `    return @($p.Name, $user)`,
    `  } catch { return @('', '') }`,
    `}`,
    `function Write-Holder([int]$procId, [string]$image, [string]$path, [string]$source, [string]$fallback = '') {`,
    `  $name, $user = Get-Owner $procId`,
    `  if (-not $image) { $image = $name }`,
    // A process Win32_Process cannot show (exited, protected): the Restart Manager's application name.
    `  if (-not $image) { $image = $fallback }`,
    `  '{"pid":' + $procId + ',"image":' + (Format-JsonString $image) + ',"user":' + (Format-JsonString $user) + ',"path":' + (Format-JsonString $path) + ',"source":' + (Format-JsonString $source) + '}'`,
    `}`,
    // JSON by hand: the same output on Windows PowerShell 5.1 and 7 whatever ConvertTo-Json's version
    // does. Patterns are .NET regexes ('\r' matches CR); replacements are literal ('\r' is backslash-r).
    String.raw`function Format-JsonString([string]$text) {`,
    String.raw`  $escaped = $text -replace '\\', '\\' -replace '"', '\"' -replace '\r', '\r' -replace '\n', '\n' -replace '\t', '\t' -replace '[\x00-\x1f]', ''`,
    String.raw`  return '"' + $escaped + '"'`,
    `}`,
    `function Test-Inside([string]$child, [string]$parent) {`,
    `  $c = $child.TrimEnd('\\').ToLowerInvariant(); $p = $parent.TrimEnd('\\').ToLowerInvariant()`,
    `  return ($c -eq $p) -or $c.StartsWith($p + '\\')`,
    `}`,
    `foreach ($folder in $folders) {`,
    `  $files = @(Get-ChildItem -LiteralPath $folder -Recurse -File -Force -ErrorAction SilentlyContinue | ForEach-Object { $_.FullName })`,
    `  $seen = @{}`,
    `  for ($i = 0; $i -lt $files.Count; $i += ${filesPerSession}) {`,
    `    $chunk = [string[]]$files[$i..([Math]::Min($i + ${filesPerSession - 1}, $files.Count - 1))]`,
    `    foreach ($line in [AltazionLocks]::Holders($chunk)) {`,
    `      $parts = $line.Split('|')`,
    `      $procId = [int]$parts[0]`,
    `      if ($procId -eq $PID -or $seen.ContainsKey($procId)) { continue }`,
    `      $seen[$procId] = $true`,
    `      Write-Holder $procId '' $folder 'restart-manager' $parts[2]`,
    `    }`,
    `  }`,
    `}`,
    `try {`,
    `  $shell = New-Object -ComObject Shell.Application`,
    `  foreach ($window in @($shell.Windows())) {`,
    `    try {`,
    `      $url = [string]$window.LocationURL`,
    `      if (-not $url.StartsWith('file:')) { continue }`,
    `      $local = ([Uri]$url).LocalPath`,
    `      foreach ($folder in $folders) {`,
    `        if (Test-Inside $local $folder) { Write-Holder ([AltazionLocks]::WindowProcess([long]$window.HWND)) 'explorer.exe' $local 'explorer' }`,
    `      }`,
    `    } catch { }`,
    `  }`,
    `} catch { }`,
    `foreach ($p in @(Get-CimInstance Win32_Process -Filter "Name='cmd.exe' OR Name='powershell.exe' OR Name='pwsh.exe'")) {`,
    `  if ($p.ProcessId -eq $PID) { continue }`,
    `  $cwd = $null`,
    `  try { $cwd = [AltazionLocks]::CurrentDirectory([int]$p.ProcessId) } catch { }`,
    `  if (-not $cwd) { continue }`,
    `  foreach ($folder in $folders) {`,
    `    if (Test-Inside $cwd $folder) { Write-Holder ([int]$p.ProcessId) $p.Name $cwd 'current-directory' }`,
    `  }`,
    `}`,
  ].join('\r\n');
}

export function powershellExe(env: NodeJS.ProcessEnv): string {
  const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows';
  return `${systemRoot.replace(/[\\/]+$/, '')}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`;
}

/** Windows limits a command line to 32,767 characters; the encoded script must leave room for the rest. */
export const MAX_ENCODED_COMMAND = 30_000;

/**
 * The command line: the script goes as -EncodedCommand (base64 of UTF-16LE, as powershell.exe
 * -? documents), which no execution policy blocks and which needs no temporary file; the folders go
 * through the environment.
 */
export function locksCommand(env: NodeJS.ProcessEnv, folders: readonly string[], script = buildLocksScript()): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const encoded = Buffer.from(script, 'utf16le').toString('base64');
  if (encoded.length > MAX_ENCODED_COMMAND) throw new AltazionError('E_INTERNAL', `the lock-holder script is too long for a command line (${encoded.length} characters encoded)`);
  return {
    file: powershellExe(env),
    args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-EncodedCommand', encoded],
    env: { ...env, ALTAZION_LOCK_FOLDERS: JSON.stringify(folders) },
  };
}

/** Parses the script's output: one JSON object per line; anything else is ignored. Duplicates (same pid and path) are merged. */
export function parseLocksOutput(stdout: string): LockHolder[] {
  const holders: LockHolder[] = [];
  for (const line of stdout.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(text) as Record<string, unknown>;
    } catch {
      continue;
    }
    const pid = Number(value.pid);
    if (!Number.isSafeInteger(pid) || pid <= 0) continue;
    const holder: LockHolder = {
      pid,
      image: String(value.image ?? '') || `pid ${pid}`,
      user: String(value.user ?? '') || 'unknown user',
      path: String(value.path ?? ''),
    };
    if (!holders.some((h) => h.pid === holder.pid && h.path.toLowerCase() === holder.path.toLowerCase())) holders.push(holder);
  }
  return holders;
}

export class WindowsLocks implements LockInspector {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async holders(paths: readonly string[]): Promise<LockHolder[]> {
    if (paths.length === 0) return [];
    const command = locksCommand(this.env, paths);
    // Run from the temp folder: our own PowerShell must not sit in a module folder.
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(command.file, command.args, { env: command.env, cwd: os.tmpdir(), windowsHide: true, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (error, out, err) => {
        if (error) {
          reject(new AltazionError('E_PLATFORM', `listing the processes holding files failed: ${`${err}`.trim().split(/\r?\n/).slice(0, 3).join(' ') || error.message}`, { target: paths.join('; '), cause: error }));
        } else resolve(out);
      });
    });
    return parseLocksOutput(stdout);
  }
}
