# PowerShell remoting for real: SSH to localhost (a private sshd, pwsh as the SSH subsystem), each
# subsystem standing for one Altazion server (its own sandbox instance root). The remote side runs
# the built module from PSModulePath, as a server where Altazion.Update is installed.
BeforeAll {
    Import-Module ([System.IO.Path]::Combine($PSScriptRoot, 'helpers', 'AltazionTest.psm1')) -Force
    Import-Module ([System.IO.Path]::Combine($PSScriptRoot, 'helpers', 'TestSshServer.psm1')) -Force
    $paths = Get-TestPath
    Import-Module $paths.BuiltManifest -Force
    $env:ALTAZION_ROOT = $null
    $env:ALTAZION_UPDATE_EXE = $null
    $web1 = New-TestSandbox
    $web2 = New-TestSandbox
    $modulePath = [System.IO.Path]::GetDirectoryName([System.IO.Path]::GetDirectoryName($paths.BuiltManifest))
    $server = Start-TestSshServer -Pwsh $paths.Pwsh -Subsystem @{
        'altazion-web1'   = @{ ALTAZION_ROOT = $web1.Root; PSModulePath = $modulePath }
        'altazion-web2'   = @{ ALTAZION_ROOT = $web2.Root; PSModulePath = $modulePath }
        # A server whose module cannot run its executable: it fails, the others must go on.
        'altazion-broken' = @{ ALTAZION_ROOT = $web1.Root; PSModulePath = $modulePath; ALTAZION_UPDATE_EXE = '/nonexistent/altazion-update' }
    }
    # Two names for the same machine, so that PSComputerName tells the servers apart.
    $s1 = New-TestSshSession -Server $server -Subsystem 'altazion-web1' -HostName '127.0.0.1'
    $s2 = New-TestSshSession -Server $server -Subsystem 'altazion-web2' -HostName 'localhost'
    $broken = New-TestSshSession -Server $server -Subsystem 'altazion-broken' -HostName '127.0.0.1'
    Invoke-Command -Session $s1, $s2 { Get-AltazionUpdate -Refresh } | Out-Null
}
AfterAll {
    Stop-TestSshServer $server
    Remove-TestSandbox $web1, $web2
}

Describe 'Invoke-Command { Get-AltazionUpdate } over SSH' {
    BeforeAll { $received = @(Invoke-Command -Session $s1 { Get-AltazionUpdate }) }

    It 'returns deserialized Altazion.Update objects with PSComputerName and the remote Root' {
        $received.Count | Should -BeGreaterThan 2
        $received | ForEach-Object {
            $_.PSObject.TypeNames[0] | Should -Be 'Deserialized.Altazion.Update'
            $_.PSComputerName | Should -Be '127.0.0.1'
            $_.Root | Should -Be $web1.Root
        }
    }

    It 'displays them with the module''s table view (Installed/Available columns)' {
        $table = $received | Format-Table | Out-String -Width 200
        $table | Should -Match 'Name\s+Instance\s+Kind\s+Installed\s+Available\s+Status'
        $table | Should -Not -Match 'InstalledVersion'
    }
}

Describe 'an install run remotely streams its progress and results' {
    BeforeAll {
        $recorded = Invoke-Recorded -Script @"
Import-Module '$([System.IO.Path]::Combine($PSScriptRoot, 'helpers', 'TestSshServer.psm1'))'
`$server = [pscustomobject]@{ Port = $($server.Port); UserName = '$($server.UserName)'; KeyFile = '$($server.KeyFile)'; KnownHosts = '$($server.KnownHosts)' }
`$session = New-TestSshSession -Server `$server -Subsystem 'altazion-web1'
Invoke-Command -Session `$session { Install-AltazionUpdate -Name logistique -Force }
Remove-PSSession `$session
"@
    }

    It 'returns the result as a deserialized Altazion.InstallResult' {
        $recorded.terminatingError | Should -BeNullOrEmpty
        $results = @($recorded.output | Where-Object { $_.typeNames[0] -eq 'Deserialized.Altazion.InstallResult' })
        $results.Count | Should -Be 1
        $results[0].properties.Result | Should -Be 'Installed'
        $results[0].properties.PSComputerName | Should -Be '127.0.0.1'
    }

    It 'brings the progress of the install to this host before the result' {
        $progress = @($recorded.events | Where-Object { $_.stream -eq 'progress' -and $_.data.activity -like 'Installing logistique*' })
        $progress.Count | Should -BeGreaterThan 1
        $result = @($recorded.events | Where-Object { $_.stream -eq 'output' })[0]
        $progress[0].seq | Should -BeLessThan $result.seq
        @($progress | Where-Object { $_.data.recordType -eq 'Completed' }).Count | Should -BeGreaterThan 0
    }
}

Describe '-Session fans out through Invoke-Command; one failing server is one error' {
    It 'Get-AltazionUpdate -Session lists both servers, each object with its PSComputerName, and one error for the broken one' {
        $all = @(Get-AltazionUpdate -Session $s1, $s2, $broken -Name ecommerce -ThrottleLimit 2 -ErrorVariable failures -ErrorAction SilentlyContinue)
        @($all.PSComputerName | Sort-Object) | Should -Be @('127.0.0.1', 'localhost')
        ($all | Where-Object PSComputerName -eq '127.0.0.1').Root | Should -Be $web1.Root
        ($all | Where-Object PSComputerName -eq 'localhost').Root | Should -Be $web2.Root
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Match '^E_EXECUTABLE,'
        $failures[0].OriginInfo.PSComputerName | Should -Be '127.0.0.1'
    }

    It 'Install-AltazionUpdate -Session installs on every server that works, one at a time with -ThrottleLimit 1' {
        $results = @(Install-AltazionUpdate -Session $s1, $broken, $s2 -Name ecommerce -Force -ThrottleLimit 1 -ErrorVariable failures -ErrorAction SilentlyContinue)
        @($results | ForEach-Object { $_.PSComputerName + '=' + $_.Result } | Sort-Object) | Should -Be @('127.0.0.1=Installed', 'localhost=Installed')
        $failures.Count | Should -Be 1
        (Invoke-Command -Session $s1, $s2 { Get-AltazionUpdate -Name ecommerce }).Status | Should -Be @('UpToDate', 'UpToDate')
    }

    It 'objects piped from several sessions go back to their own server, never to another one' {
        $planned = @(Get-AltazionUpdate -Session $s1, $s2 -Name gestioncommerciale | Install-AltazionUpdate -Session $s1, $s2 -WhatIf)
        $planned.Count | Should -Be 2
        @($planned | ForEach-Object { $_.PSComputerName + '=' + $_.Root } | Sort-Object) | Should -Be @("127.0.0.1=$($web1.Root)", "localhost=$($web2.Root)")
    }

    It 'Repair-AltazionUpdater -Session -WhatIf audits every server' {
        $checks = @(Repair-AltazionUpdater -Session $s1, $s2 -Check disk -WhatIf)
        @($checks.PSComputerName | Sort-Object -Unique) | Should -Be @('127.0.0.1', 'localhost')
    }
}

Describe '-ComputerName goes to Invoke-Command -ComputerName with -ThrottleLimit and -Credential' {
    # WinRM (what -ComputerName uses) does not exist on Linux: the call itself is checked here;
    # the same fan-out code runs for real over SSH above.
    It 'passes the servers, the throttle limit, the credential and plain parameter values' {
        Mock -ModuleName Altazion.Update Invoke-Command { [pscustomobject]@{ Bound = $PesterBoundParameters } }
        $credential = [pscredential]::new('CONTOSO\admin', (ConvertTo-SecureString 'x' -AsPlainText -Force))
        $call = (Install-AltazionUpdate -ComputerName web1, web2 -Name ecommerce -Reinstall -Force -ThrottleLimit 3 -Credential $credential).Bound
        $call.ComputerName | Should -Be @('web1', 'web2')
        $call.ThrottleLimit | Should -Be 3
        $call.Credential.UserName | Should -Be 'CONTOSO\admin'
        $call.ArgumentList[0] | Should -Be 'Install-AltazionUpdate'
        $parameters = $call.ArgumentList[1]
        $parameters.Name | Should -Be @('ecommerce')
        $parameters.Reinstall | Should -BeTrue
        $parameters.Confirm | Should -BeFalse
        $parameters.ContainsKey('Force') | Should -BeFalse
    }

    It 'asks once per server group, naming the servers and the explicit switches' {
        Mock -ModuleName Altazion.Update Invoke-Command { }
        $recorded = Invoke-Recorded -Answer no -Script "Import-Module '$($paths.BuiltManifest)'; Install-AltazionUpdate -ComputerName web1, web2 -Name ecommerce -Reinstall"
        $recorded.prompt.Count | Should -Be 1
        $recorded.prompt[0].message | Should -Match 'Install Altazion update \(-Reinstall\)" on target "ecommerce on web1, web2"'
    }
}
