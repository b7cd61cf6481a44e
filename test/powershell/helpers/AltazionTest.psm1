# Helpers of the Pester suites (test/powershell/*.Tests.ps1). TEST TOOLS, never shipped.
# Paths come from the environment set by test/powershell/pester.test.ts (ALTAZION_TEST_REPO,
# ALTAZION_TEST_DIST), defaulting to this checkout and its dist/ for a developer running
# Invoke-Pester by hand after `node build.mjs`.

$script:Repo = $env:ALTAZION_TEST_REPO
if ([string]::IsNullOrEmpty($script:Repo)) { $script:Repo = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..', '..')) }
$script:Dist = $env:ALTAZION_TEST_DIST
if ([string]::IsNullOrEmpty($script:Dist)) { $script:Dist = [System.IO.Path]::Combine($script:Repo, 'dist') }

$script:Pwsh = $env:ALTAZION_TEST_PWSH
if ([string]::IsNullOrEmpty($script:Pwsh)) { $script:Pwsh = (Get-Command pwsh -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source }

function Get-TestPath {
    <# Paths the suites use: Repo, Dist, SourceManifest, BuiltManifest, Executable (the Linux one), Pwsh. #>
    [pscustomobject]@{
        Repo           = $script:Repo
        Dist           = $script:Dist
        SourceManifest = [System.IO.Path]::Combine($script:Repo, 'powershell', 'Altazion.Update', 'Altazion.Update.psd1')
        BuiltManifest  = [System.IO.Path]::Combine($script:Dist, 'Altazion.Update', 'Altazion.Update.psd1')
        Executable     = [System.IO.Path]::Combine($script:Dist, 'Altazion.Update', 'bin', 'altazion-update')
        # The pwsh launcher (a .NET tool: the process itself is `dotnet`).
        Pwsh           = $script:Pwsh
    }
}

function New-TestSandbox {
    <# A sandbox server made by the real executable (sandbox create) in a new temporary folder. #>
    param([string] $Base)
    if ([string]::IsNullOrEmpty($Base)) { $Base = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'altazion-pester-' + [guid]::NewGuid().ToString('n').Substring(0, 8)) }
    $root = [System.IO.Path]::Combine($Base, 'root')
    $feed = [System.IO.Path]::Combine($Base, 'feed')
    $output = & (Get-TestPath).Executable sandbox create --root $root --feed $feed --json
    if ($LASTEXITCODE -ne 0) { throw "sandbox create failed ($LASTEXITCODE): $output" }
    [pscustomobject]@{ Base = $Base; Root = $root; Feed = $feed }
}

function Remove-TestSandbox {
    <# Deletes sandboxes made by New-TestSandbox. #>
    param([object[]] $Sandbox)
    foreach ($item in $Sandbox) {
        if ($null -ne $item -and [System.IO.Directory]::Exists($item.Base)) { [System.IO.Directory]::Delete($item.Base, $true) }
    }
}

function Set-TestHookInterpreter {
    <# Hook scripts of a sandbox run with this pwsh (updater.config <install powershell="...">). #>
    param([Parameter(Mandatory = $true)] [string] $Root)
    $file = [System.IO.Path]::Combine($Root, 'bin', 'updates', 'updater.config')
    $xml = [xml][System.IO.File]::ReadAllText($file)
    $install = $xml.SelectSingleNode('/updater/install')
    if ($null -eq $install) { $install = $xml.DocumentElement.AppendChild($xml.CreateElement('install')) }
    $install.SetAttribute('powershell', (Get-TestPath).Pwsh)
    $xml.Save($file)
}

function Invoke-Recorded {
    <#
    Runs a script in a new runspace of this pwsh whose host records "What if:" lines and prompts
    (test/powershell/recorder), answering prompts with -Answer yes|no. Returns the recorder's
    document: Output, Error, Warning, Verbose, Information, Progress, Host, Prompt, TerminatingError.
    #>
    param(
        [Parameter(Mandatory = $true)] [string] $Script,
        [ValidateSet('', 'yes', 'no')] [string] $Answer = ''
    )
    . ([System.IO.Path]::Combine($script:Repo, 'test', 'powershell', 'recorder', 'Import-Recorder.ps1'))
    $file = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'recorded-' + [guid]::NewGuid().ToString('n') + '.ps1')
    [System.IO.File]::WriteAllText($file, $Script)
    try { [AltazionTest.Recorder]::Run($file, $Answer) | ConvertFrom-Json }
    finally { [System.IO.File]::Delete($file) }
}

function Wait-TestFile {
    <# Waits until a file exists (an event another process signals), at most TimeoutSeconds. #>
    param([Parameter(Mandatory = $true)] [string] $Path, [int] $TimeoutSeconds = 120)
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not [System.IO.File]::Exists($Path)) {
        if ([datetime]::UtcNow -gt $deadline) { throw "timed out waiting for $Path" }
        Start-Sleep -Milliseconds 50
    }
}

function New-BlockingHook {
    <#
    Writes a STARTUPDATE hook for a module that signals it started (creates $Started) and waits for
    $Release: an install then stays inside that module until the test lets it go.
    #>
    param([string] $Root, [string] $Module, [string] $Started, [string] $Release)
    $hook = [System.IO.Path]::Combine($Root, 'bin', 'updates', 'scripts', "STARTUPDATE_$Module.ps1")
    [System.IO.File]::WriteAllText($hook, @"
[System.IO.File]::WriteAllText('$Started', [string]`$PID)
while (-not [System.IO.File]::Exists('$Release')) { Start-Sleep -Milliseconds 50 }
"@)
}

Export-ModuleMember -Function Get-TestPath, New-TestSandbox, Remove-TestSandbox, Set-TestHookInterpreter, Invoke-Recorded, Wait-TestFile, New-BlockingHook
