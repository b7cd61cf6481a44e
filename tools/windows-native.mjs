// The Windows-native parts of the product, built here (never on a server): the C# bridge
// (AltazionBridge.dll, AltazionBridge.Iis.dll) and the service host (AltazionUpdateService.exe) with
// the .NET SDK against the .NET Framework 4.8 reference assemblies (NuGet), C# 5; the launcher
// altazion-update.exe with mingw-w64 (Debian package gcc-mingw-w64-x86-64-win32). Shared by
// build.mjs and the tests, so the tests check what ships.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = path.join(projectRoot, '.cache', 'dotnet', 'bin');

export const CSHARP_PROJECTS = {
  bridgeIis: path.join(projectRoot, 'src', 'platform', 'windows', 'bridge', 'Iis', 'AltazionBridge.Iis.csproj'),
  serviceHost: path.join(projectRoot, 'src', 'service', 'host', 'AltazionUpdateService.csproj'),
};
export const LAUNCHER_SOURCE = path.join(projectRoot, 'src', 'launcher', 'altazion-update.c');
export const MINGW_GCC = 'x86_64-w64-mingw32-gcc';

function dotnetBuild(project) {
  execFileSync('dotnet', ['build', project, '-c', 'Release', '--nologo', '-v', 'quiet', '-clp:ErrorsOnly'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1', DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1' },
  });
}

/** Builds the C# parts and copies what ships into `outDir`; returns the files copied. */
export function buildCSharp(outDir) {
  mkdirSync(outDir, { recursive: true });
  dotnetBuild(CSHARP_PROJECTS.bridgeIis); // builds AltazionBridge.csproj too
  dotnetBuild(CSHARP_PROJECTS.serviceHost);
  const files = [
    path.join(artifacts, 'AltazionBridge.Iis', 'release', 'AltazionBridge.dll'),
    path.join(artifacts, 'AltazionBridge.Iis', 'release', 'AltazionBridge.Iis.dll'),
    path.join(artifacts, 'AltazionUpdateService', 'release', 'AltazionUpdateService.exe'),
    path.join(artifacts, 'AltazionUpdateService', 'release', 'AltazionUpdateService.exe.config'),
  ];
  return files.map((file) => {
    if (!existsSync(file)) throw new Error(`${file} was not built`);
    const target = path.join(outDir, path.basename(file));
    copyFileSync(file, target);
    return target;
  });
}

/** Compiles the launcher into `outFile` (warnings are errors). */
export function buildLauncher(outFile) {
  mkdirSync(path.dirname(outFile), { recursive: true });
  execFileSync(MINGW_GCC, ['-O2', '-s', '-municode', '-Wall', '-Wextra', '-Werror', '-o', outFile, LAUNCHER_SOURCE], { stdio: ['ignore', 'pipe', 'inherit'] });
  return outFile;
}
