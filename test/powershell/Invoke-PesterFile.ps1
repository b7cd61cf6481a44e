# Runs one Pester file in this real pwsh and writes its results as JSON (one entry per test, and
# one per block or file that failed outside a test) for test/powershell/pester.test.ts, which turns
# each entry into a mocha test so Pester results count in `npm test`'s summary.
#   pwsh -NoProfile -NonInteractive -File Invoke-PesterFile.ps1 -Path x.Tests.ps1 -Pester <Pester.psd1> -ResultFile out.json
# A developer runs the same files directly: Invoke-Pester test/powershell (after Import-Module Pester).
param(
    [Parameter(Mandatory = $true)] [string] $Path,
    [Parameter(Mandatory = $true)] [string] $Pester,
    [Parameter(Mandatory = $true)] [string] $ResultFile
)
$ErrorActionPreference = 'Stop'
Import-Module $Pester -Force
$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$run = Invoke-Pester -Configuration $configuration

function Get-ErrorText($records) {
    (@($records) | Where-Object { $null -ne $_ } | ForEach-Object {
            $text = [string]$_.Exception.Message
            # The frames of the test and of the module, not Pester's own.
            $frames = @(([string]$_.ScriptStackTrace) -split "`n" | Where-Object { $_ -and $_ -notmatch '[\/]Pester\.(psm1|ScriptScope\.ps1)' -and $_ -notmatch 'Invoke-PesterFile\.ps1' })
            if ($frames.Count -gt 0) { $text += "`n" + ($frames -join "`n") }
            $text
        }) -join "`n"
}

$entries = [System.Collections.Generic.List[object]]::new()
foreach ($test in $run.Tests) {
    $entries.Add([ordered]@{
            Kind       = 'test'
            Path       = @($test.Path)
            Result     = [string]$test.Result
            Error      = Get-ErrorText $test.ErrorRecord
            DurationMs = [int]$test.Duration.TotalMilliseconds
        })
}
# A failure in BeforeAll/AfterAll or in discovery is not a test result: report it too.
foreach ($block in @($run.FailedBlocks)) {
    $entries.Add([ordered]@{ Kind = 'block'; Path = @($block.Path); Result = 'Failed'; Error = Get-ErrorText $block.ErrorRecord; DurationMs = 0 })
}
foreach ($container in @($run.FailedContainers)) {
    $entries.Add([ordered]@{ Kind = 'file'; Path = @([System.IO.Path]::GetFileName($Path)); Result = 'Failed'; Error = Get-ErrorText $container.ErrorRecord; DurationMs = 0 })
}
[System.IO.File]::WriteAllText($ResultFile, (ConvertTo-Json -InputObject $entries.ToArray() -Depth 5))
