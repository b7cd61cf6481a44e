#!/usr/bin/env bash
# Installs what the PowerShell module tests need, from NuGet, into a cache folder (idempotent;
# quick when already done). .ci/run calls it; test/helpers/pwsh.ts finds the same paths.
#   - PowerShell 7.6.10, the `PowerShell` .NET tool (a real pwsh):   $cache/pwsh-7.6.10/pwsh
#   - Pester 6.2.0, a NuGet package download:                        $cache/nuget/pester/6.2.0/tools/Pester.psd1
# $ALTAZION_PWSH_CACHE overrides the cache folder (default ~/.cache/altazion-pwsh).
# The remoting tests also need OpenSSH (sshd and the ssh client): .ci/run installs openssh-server.
set -euo pipefail
PWSH_VERSION=7.6.10
PESTER_VERSION=6.2.0
cache="${ALTAZION_PWSH_CACHE:-$HOME/.cache/altazion-pwsh}"
say() { echo "test/setup/pwsh: $*"; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
mkdir -p "$cache"
# Several worktrees / mocha processes may run this at once: one at a time.
exec 9>"$cache/.setup.lock"
flock 9

tool_dir="$cache/pwsh-$PWSH_VERSION"
if [ ! -x "$tool_dir/pwsh" ]; then
  say "installing PowerShell $PWSH_VERSION (dotnet tool) into $tool_dir"
  rm -rf "$tool_dir.partial"
  dotnet tool install PowerShell --version "$PWSH_VERSION" --tool-path "$tool_dir.partial" >/dev/null
  rm -rf "$tool_dir"
  mv "$tool_dir.partial" "$tool_dir"
fi

pester="$cache/nuget/pester/$PESTER_VERSION/tools/Pester.psd1"
if [ ! -f "$pester" ]; then
  say "downloading Pester $PESTER_VERSION (NuGet package) into $cache/nuget"
  project="$(mktemp -d)"
  cat > "$project/download.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Pester" Version="[$PESTER_VERSION]" /></ItemGroup>
</Project>
XML
  dotnet restore "$project/download.csproj" --packages "$cache/nuget" >/dev/null
  rm -rf "$project"
  [ -f "$pester" ] || { say "Pester.psd1 not found at $pester after the download"; exit 1; }
fi

# The pwsh launcher of a .NET tool has a relative DOTNET_ROOT lookup: check it really starts.
version="$("$tool_dir/pwsh" -NoLogo -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()')"
[ "$version" = "$PWSH_VERSION" ] || { say "pwsh reports '$version', expected $PWSH_VERSION"; exit 1; }
say "pwsh $version at $tool_dir/pwsh; Pester $PESTER_VERSION at $pester"
