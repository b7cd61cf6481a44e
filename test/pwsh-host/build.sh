#!/usr/bin/env bash
# Builds the PowerShell test host (test/pwsh-host) used by test/powershell/*.test.ts.
# The mocha helper (test/helpers/pwsh.ts) builds it on first use too; .ci/run calls this first so
# a build failure shows up on its own.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build "$here/PwshHost.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly
echo "pwsh-host: built $here/bin/Release/net10.0/pwsh-host.dll"
