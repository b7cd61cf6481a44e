# The Windows package of the module (tools/module-package.mjs, made by build.mjs): a zip for
# win_unzip and a .nupkg that PowerShellGet installs from an internal NuGet feed (a folder here),
# both at package.json's version and without the Linux executable. Their bin\ is the Windows folder
# dist/windows exactly (docs/windows.md): the launcher altazion-update.exe, node.exe, the bundle and
# its lazily loaded packages, the C# bridge, the service host and edge-js's Windows files.
BeforeAll {
    Import-Module ([System.IO.Path]::Combine($PSScriptRoot, 'helpers', 'AltazionTest.psm1')) -Force
    $paths = Get-TestPath
    $version = (Get-Content -Raw ([System.IO.Path]::Combine($paths.Repo, 'package.json')) | ConvertFrom-Json).version
    $packages = [System.IO.Path]::Combine($paths.Dist, 'packages')
    $zip = [System.IO.Path]::Combine($packages, "Altazion.Update-$version.zip")
    $nupkg = [System.IO.Path]::Combine($packages, "Altazion.Update.$version.nupkg")
    # What the packaged module must export: what the module in the repository declares.
    # What bin\ must hold: every file of dist/windows, relative paths with '/'.
    $windows = [System.IO.Path]::Combine($paths.Dist, 'windows')
    $windowsFiles = @([System.IO.Directory]::GetFiles($windows, '*', [System.IO.SearchOption]::AllDirectories) |
        ForEach-Object { [System.IO.Path]::GetRelativePath($windows, $_).Replace('\', '/') } | Sort-Object)
    function Get-BinFile([string] $ModuleBase) {
        $bin = [System.IO.Path]::Combine($ModuleBase, 'bin')
        @([System.IO.Directory]::GetFiles($bin, '*', [System.IO.SearchOption]::AllDirectories) |
            ForEach-Object { [System.IO.Path]::GetRelativePath($bin, $_).Replace('\', '/') } | Sort-Object)
    }
    $exported = @((Import-PowerShellDataFile ([System.IO.Path]::Combine($paths.Repo, 'powershell', 'Altazion.Update', 'Altazion.Update.psd1'))).FunctionsToExport | Sort-Object)
    $work = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'altazion-package-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    [void][System.IO.Directory]::CreateDirectory($work)

    # PowerShellGet writes its repositories and CurrentUser modules under HOME: a child pwsh with
    # its own HOME keeps this machine's set-up untouched.
    function Invoke-IsolatedPwsh([string] $Script) {
        $file = [System.IO.Path]::Combine($work, 'isolated-' + [guid]::NewGuid().ToString('n') + '.ps1')
        [System.IO.File]::WriteAllText($file, $Script)
        $start = [System.Diagnostics.ProcessStartInfo]::new($paths.Pwsh)
        foreach ($argument in @('-NoProfile', '-NonInteractive', '-File', $file)) { $start.ArgumentList.Add($argument) }
        $start.Environment['HOME'] = [System.IO.Path]::Combine($work, 'home')
        $start.Environment['PSModulePath'] = ''
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($start)
        $errors = $process.StandardError.ReadToEndAsync()
        $out = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        [pscustomobject]@{ Output = $out; Errors = $errors.Result; ExitCode = $process.ExitCode }
    }
}
AfterAll { [System.IO.Directory]::Delete($work, $true) }

Describe 'the zip (win_unzip, Expand-Archive)' {
    BeforeAll {
        Expand-Archive -Path $zip -DestinationPath ([System.IO.Path]::Combine($work, 'unzipped'))
        $module = [System.IO.Path]::Combine($work, 'unzipped', 'Altazion.Update', $version)
    }

    It 'holds the module in a versioned folder (Altazion.Update/<version>) with the Windows folder as bin\ and no Linux executable' {
        $windowsFiles | Should -Contain 'altazion-update.exe'
        $windowsFiles | Should -Contain 'node.exe'
        $windowsFiles | Should -Contain 'altazion-update.cjs'
        $windowsFiles | Should -Contain 'altazion-update-main.cjs'
        $windowsFiles | Should -Contain 'AltazionBridge.dll'
        $windowsFiles | Should -Contain 'AltazionBridge.Iis.dll'
        $windowsFiles | Should -Contain 'AltazionUpdateService.exe'
        @($windowsFiles | Where-Object { $_ -like 'edge-js/lib/native/win32/x64/*/edge_nativeclr.node' }).Count | Should -Be 1
        Get-BinFile $module | Should -Be $windowsFiles
        [System.IO.File]::Exists([System.IO.Path]::Combine($module, 'bin', 'altazion-update')) | Should -BeFalse
    }

    It 'has a valid manifest at package.json''s version' {
        $manifest = Test-ModuleManifest -Path ([System.IO.Path]::Combine($module, 'Altazion.Update.psd1')) -ErrorAction Stop
        $manifest.Version.ToString() | Should -Be $version
        $exported | Should -Contain 'Install-AltazionUpdate'
        @($manifest.ExportedFunctions.Keys | Sort-Object) | Should -Be $exported
    }
}

Describe 'the .nupkg on an internal NuGet feed (a folder repository)' {
    BeforeAll {
        $feed = [System.IO.Path]::Combine($work, 'feed')
        [void][System.IO.Directory]::CreateDirectory($feed)
        [System.IO.File]::Copy($nupkg, [System.IO.Path]::Combine($feed, [System.IO.Path]::GetFileName($nupkg)))
        $installed = Invoke-IsolatedPwsh @"
`$ErrorActionPreference = 'Stop'
Register-PSRepository -Name AltazionInternal -SourceLocation '$feed' -InstallationPolicy Trusted
(Find-Module -Name Altazion.Update -Repository AltazionInternal).Version.ToString()
Install-Module -Name Altazion.Update -Repository AltazionInternal -Scope CurrentUser -RequiredVersion '$version'
`$module = Get-Module -ListAvailable Altazion.Update
'BASE=' + `$module.ModuleBase
'VERSION=' + `$module.Version
Import-Module Altazion.Update
'COMMANDS=' + ((Get-Command -Module Altazion.Update).Name -join ',')
"@
    }

    It 'Find-Module and Install-Module accept it' {
        $installed.ExitCode | Should -Be 0 -Because $installed.Errors
        $installed.Output | Should -Match "VERSION=$([regex]::Escape($version))"
        $installed.Output | Should -Match ('COMMANDS=' + [regex]::Escape($exported -join ','))
    }

    It 'installs into a versioned folder (a new version never overwrites a running executable)' {
        $base = ([regex]::Match($installed.Output, 'BASE=(.+)')).Groups[1].Value.Trim()
        [System.IO.Path]::GetFileName($base) | Should -Be $version
        Get-BinFile $base | Should -Be $windowsFiles
        [System.IO.File]::Exists([System.IO.Path]::Combine($base, 'bin', 'altazion-update')) | Should -BeFalse
    }
}
