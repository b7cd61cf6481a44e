# Stopping a pipeline never kills an install (SPEC section 11): in real pwsh, a pipeline stopped as
# Ctrl+C stops it (PowerShell.Stop) while a module is offline, and a PowerShell that dies under an
# install. A PREINSTALL hook (run inside the offline window) holds the install until the test lets
# it go, so the stop always lands mid-install: no timing.
BeforeAll {
    Import-Module ([System.IO.Path]::Combine($PSScriptRoot, 'helpers', 'AltazionTest.psm1')) -Force
    $paths = Get-TestPath
    Import-Module $paths.BuiltManifest -Force
    $env:ALTAZION_ROOT = $null
    $env:ALTAZION_UPDATE_EXE = $null

    function New-HeldSandbox {
        $sb = New-TestSandbox
        Set-TestHookInterpreter -Root $sb.Root
        $signals = [System.IO.Path]::Combine($sb.Base, 'signals')
        [void][System.IO.Directory]::CreateDirectory($signals)
        $sb | Add-Member -NotePropertyName Started -NotePropertyValue ([System.IO.Path]::Combine($signals, 'started'))
        $sb | Add-Member -NotePropertyName Release -NotePropertyValue ([System.IO.Path]::Combine($signals, 'release'))
        # ecommerce installs first of the two web modules (same kind: by name); its PREINSTALL runs offline.
        $hook = [System.IO.Path]::Combine($sb.Root, 'bin', 'updates', 'scripts', 'PREINSTALL_ecommerce.ps1')
        # The hook's pid is written beside, then renamed: whoever sees 'started' reads it whole. The
        # hook also lets go when the sandbox is removed (a test that failed before releasing it).
        [System.IO.File]::WriteAllText($hook, "[System.IO.File]::WriteAllText('$($sb.Started).partial', [string]`$PID)`n[System.IO.File]::Move('$($sb.Started).partial', '$($sb.Started)')`nwhile (-not [System.IO.File]::Exists('$($sb.Release)') -and [System.IO.Directory]::Exists('$signals')) { Start-Sleep -Milliseconds 50 }`n")
        Get-AltazionUpdate -Root $sb.Root -Refresh | Out-Null
        $sb
    }

    function Get-SandboxState($sb) {
        $updates = [System.IO.Path]::Combine($sb.Root, 'bin', 'updates')
        $journal = [System.IO.Path]::Combine($updates, 'journal')
        $modules = @{}
        Get-AltazionUpdate -Root $sb.Root | ForEach-Object { $modules[$_.Name] = $_ }
        [pscustomobject]@{
            Modules     = $modules
            Journals    = @(if ([System.IO.Directory]::Exists($journal)) { [System.IO.Directory]::GetFiles($journal) })
            Lock        = [System.IO.File]::Exists([System.IO.Path]::Combine($updates, 'install.lock'))
            AppOffline  = @($modules.Values | Where-Object { [System.IO.File]::Exists([System.IO.Path]::Combine($_.Path, 'app_offline.htm')) }).Count
        }
    }
}

Describe 'Ctrl+C (the pipeline is stopped) while a module is offline' {
    BeforeAll {
        $sb = New-HeldSandbox
        $script = [System.IO.Path]::Combine($sb.Base, 'install.ps1')
        [System.IO.File]::WriteAllText($script, "Import-Module '$($paths.BuiltManifest)'`nInstall-AltazionUpdate -Root '$($sb.Root)' -Name ecommerce, gestioncommerciale -Force`n'not reached'")
        . ([System.IO.Path]::Combine($paths.Repo, 'test', 'powershell', 'recorder', 'Import-Recorder.ps1'))
        $run = [AltazionTest.Recorder]::RunAndStop($script, $sb.Started, 'stop requested', $sb.Release) | ConvertFrom-Json
        $hostLines = @($run.host | ForEach-Object { $_.text })
        $state = Get-SandboxState $sb
    }
    AfterAll { Remove-TestSandbox $sb }

    It 'stops the pipeline' {
        @($run.events | Where-Object stream -eq 'pipelineStopped').Count | Should -Be 1
        $run.output | Should -Not -Contain 'not reached'
    }

    It 'asks the executable to stop and says so while it waits' {
        ($hostLines | Where-Object { $_ -like 'altazion-update: stop requested (stdin closed)*' }).Count | Should -Be 1
    }

    It 'lets the module in progress finish instead of killing it' {
        $state.Modules['ecommerce'].Status | Should -Be 'UpToDate'
        $summary = $hostLines | Where-Object { $_ -like 'Install-AltazionUpdate was stopped*' }
        $summary | Should -Match 'ecommerce Installed'
        # Killed, it would have no exit code of its own (1: a module was not started).
        $summary | Should -Match 'exit code 1\)'
    }

    It 'starts no other module, and names it' {
        $state.Modules['gestioncommerciale'].Status | Should -Be 'UpdateAvailable'
        $hostLines | Where-Object { $_ -like 'Install-AltazionUpdate was stopped*' } | Should -Match 'Not started: gestioncommerciale'
    }

    It 'leaves no journal, no lock and no app_offline.htm behind' {
        $state.Journals | Should -BeNullOrEmpty
        $state.Lock | Should -BeFalse
        $state.AppOffline | Should -Be 0
    }
}

Describe 'the PowerShell running the install dies (a dropped remote session, a killed console)' {
    BeforeAll {
        $sb = New-HeldSandbox
        $script = [System.IO.Path]::Combine($sb.Base, 'install.ps1')
        [System.IO.File]::WriteAllText($script, "Import-Module '$($paths.BuiltManifest)'`nInstall-AltazionUpdate -Root '$($sb.Root)' -Name ecommerce, gestioncommerciale -Force")
        $console = [System.Diagnostics.Process]::Start($paths.Pwsh, @('-NoProfile', '-NonInteractive', '-File', $script))
        Wait-TestFile $sb.Started
        # The hook is inside the offline window now. Up its parents: the executable, then the
        # PowerShell that started it (the pwsh .NET tool runs as a launcher and a dotnet child).
        $parentOf = { param($id) [int](([System.IO.File]::ReadAllText("/proc/$id/stat") -split ' ')[3]) }
        $exePid = [int][System.IO.File]::ReadAllText($sb.Started)
        while ([System.IO.File]::ReadAllText("/proc/$exePid/cmdline") -notmatch 'altazion-update') { $exePid = & $parentOf $exePid }
        $executable = [System.Diagnostics.Process]::GetProcessById($exePid)
        $powershell = [System.Diagnostics.Process]::GetProcessById((& $parentOf $exePid))
        # Killed at once (SIGKILL): no finally block runs, only the operating system closes its pipes.
        $powershell.Kill()
        $console.Kill()
        $powershell.WaitForExit()
        $console.WaitForExit()
        [System.IO.File]::WriteAllText($sb.Release, 'go')
        $executable.WaitForExit()
        $state = Get-SandboxState $sb
    }
    AfterAll { Remove-TestSandbox $sb }

    It 'the executable outlives it and finishes the module in progress' {
        $executable.HasExited | Should -BeTrue
        $state.Modules['ecommerce'].Status | Should -Be 'UpToDate'
    }

    It 'starts no other module (its stdin closed with the dead PowerShell)' {
        $state.Modules['gestioncommerciale'].Status | Should -Be 'UpdateAvailable'
    }

    It 'leaves no journal, no lock and no app_offline.htm behind' {
        $state.Journals | Should -BeNullOrEmpty
        $state.Lock | Should -BeFalse
        $state.AppOffline | Should -Be 0
    }
}
