# TEST TOOL (never shipped): runs a script in this real pwsh under a recording host and prints one
# JSON document with every stream it produced (Recorder.cs). test/helpers/pwsh.ts (runPwsh) calls
#   pwsh -NoProfile -NonInteractive -File Invoke-Recorded.ps1 -File <script.ps1> [-Confirm yes|no]
# The C# tool is compiled once per source change and cached beside the pwsh install.
param(
    [Parameter(Mandatory = $true)] [string] $File,
    [ValidateSet('', 'yes', 'no')] [string] $Confirm = ''
)
$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'Import-Recorder.ps1'))
$json = [AltazionTest.Recorder]::Run($File, $Confirm)
[System.Console]::Out.Write($json + "`n")
