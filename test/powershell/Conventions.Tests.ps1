# PowerShell conventions of Altazion.Update (SPEC section 11), in real pwsh against sandbox servers
# made by the real executable (the built module runs its own bin/altazion-update).
BeforeAll {
    Import-Module ([System.IO.Path]::Combine($PSScriptRoot, 'helpers', 'AltazionTest.psm1')) -Force
    $paths = Get-TestPath
    Import-Module $paths.BuiltManifest -Force
    $env:ALTAZION_ROOT = $null
    $env:ALTAZION_UPDATE_EXE = $null
}

Describe '-Force only suppresses confirmation; -Reinstall, -AllowDowngrade, -IgnoreDatabaseCustomization are explicit' {
    BeforeAll {
        $sb = New-TestSandbox
        Get-AltazionUpdate -Root $sb.Root -Refresh | Out-Null
        $logistique = Get-AltazionUpdate -Root $sb.Root -Name logistique
        Install-AltazionUpdate -Root $sb.Root -Name logistique -Force | Out-Null
    }
    AfterAll { Remove-TestSandbox $sb }

    It 'reinstalls nothing with -Force on an up-to-date module (no downtime)' {
        $result = Install-AltazionUpdate -Root $sb.Root -Name logistique -Force
        $result.Result | Should -Be 'UpToDate'
        $result.DowntimeSeconds | Should -Be 0
        $result.BackupPath | Should -BeNullOrEmpty
    }

    It '-Reinstall installs the same version again' {
        $result = Install-AltazionUpdate -Root $sb.Root -Name logistique -Reinstall -Force
        $result.Result | Should -Be 'Installed'
        $result.FromVersion | Should -Be $result.ToVersion
        $result.BackupPath | Should -Not -BeNullOrEmpty
    }

    It 'an older -Version waits for -AllowDowngrade, then installs it' {
        # The installed version claims to be newer than the feed's latest: installing that one is a downgrade.
        $manifest = [System.IO.Path]::Combine($logistique.Path, 'altazion-package.json')
        [System.IO.File]::WriteAllText($manifest, ([System.IO.File]::ReadAllText($manifest) -replace '"version":\s*"[^"]+"', '"version": "99.1"'))
        $held = Install-AltazionUpdate -Root $sb.Root -Name logistique -Version $logistique.AvailableVersion -Force -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        $held.Result | Should -Be 'ManualActionRequired'
        $held.Message | Should -Match 'allow-downgrade'
        (Get-AltazionUpdate -Root $sb.Root -Name logistique).InstalledVersion | Should -Be '99.1'
        $down = Install-AltazionUpdate -Root $sb.Root -Name logistique -Version $logistique.AvailableVersion -AllowDowngrade -Force
        $down.Result | Should -Be 'Installed'
        $down.FromVersion | Should -Be '99.1'
        (Get-AltazionUpdate -Root $sb.Root -Name logistique).InstalledVersion | Should -Be $logistique.AvailableVersion
    }

    It 'names each explicit switch in the confirmation, and -Force never passes --force' {
        $recorded = Invoke-Recorded -Answer no -Script @"
Import-Module '$($paths.BuiltManifest)'
Install-AltazionUpdate -Root '$($sb.Root)' -Name logistique -Reinstall
Install-AltazionUpdate -Root '$($sb.Root)' -Name ecommerce -Version '$($logistique.AvailableVersion)' -AllowDowngrade
Install-AltazionUpdate -Root '$($sb.Root)' -Name database -IgnoreDatabaseCustomization -Reinstall
"@
        $messages = @($recorded.prompt | ForEach-Object { $_.message })
        $messages.Count | Should -Be 3
        $messages[0] | Should -Match 'Install Altazion update \(-Reinstall\)'
        $messages[1] | Should -Match '\(-AllowDowngrade\)'
        $messages[2] | Should -Match '\(-Reinstall, -IgnoreDatabaseCustomization\)'
    }

    It 'each of the three is a switch of the install parameter set; ConfirmImpact is High' {
        $command = Get-Command Install-AltazionUpdate
        foreach ($name in 'Reinstall', 'AllowDowngrade', 'IgnoreDatabaseCustomization', 'Force') {
            $command.Parameters[$name].ParameterType | Should -Be ([switch])
        }
        $command.ScriptBlock.Attributes.Where({ $_ -is [System.Management.Automation.CmdletBindingAttribute] })[0].ConfirmImpact | Should -Be 'High'
    }
}

Describe 'parameter sets keep the database actions exclusive' {
    It 'has the sets Install (default), Script, MarkApplied and ExportScripts' {
        $command = Get-Command Install-AltazionUpdate
        @($command.ParameterSets.Name | Sort-Object) | Should -Be @('ExportScripts', 'Install', 'MarkApplied', 'Script')
        $command.DefaultParameterSet | Should -Be 'Install'
    }

    It 'refuses <Combination> before running anything' -ForEach @(
        @{ Combination = '-Script with -MarkApplied'; Arguments = @{ Script = 'a'; MarkApplied = 'b' } }
        @{ Combination = '-Script with -ExportScripts'; Arguments = @{ Script = 'a'; ExportScripts = 'x' } }
        @{ Combination = '-MarkApplied with -ExportScripts'; Arguments = @{ MarkApplied = 'a'; ExportScripts = 'x' } }
        @{ Combination = '-Version with -Script'; Arguments = @{ Version = '25.10'; Script = 'a' } }
        @{ Combination = '-AllowDowngrade with -MarkApplied'; Arguments = @{ AllowDowngrade = $true; MarkApplied = 'a' } }
    ) {
        $env:ALTAZION_UPDATE_EXE = '/nonexistent/never-run'
        try {
            { Install-AltazionUpdate -Name database @Arguments -Confirm:$false } | Should -Throw -ErrorId 'AmbiguousParameterSet,Install-AltazionUpdate'
        }
        finally { $env:ALTAZION_UPDATE_EXE = $null }
    }
}

Describe 'paths resolve against the PowerShell location' {
    BeforeAll {
        $sb = New-TestSandbox
        $where = [System.IO.Path]::GetDirectoryName($sb.Root)
        $before = Get-Location
    }
    AfterAll { Set-Location $before; Remove-TestSandbox $sb }

    It '-Root .\root is the root under $PWD, not under the process directory' {
        Set-Location $where
        [System.Environment]::CurrentDirectory | Should -Not -Be $where
        $records = @(Get-AltazionUpdate -Root ./root)
        $records.Count | Should -BeGreaterThan 0
        $records[0].Root | Should -Be $sb.Root
    }

    It '-ExportScripts .\review writes under $PWD' {
        Set-Location $where
        Install-AltazionUpdate -Root ./root -Name database -ExportScripts ./review | Out-Null
        [System.IO.File]::Exists([System.IO.Path]::Combine($where, 'review', 'report.txt')) | Should -BeTrue
    }

    It '-Root .\root of Get-AltazionScheduledInstall and Unregister-AltazionScheduledInstall is the root under $PWD too' {
        Set-Location $where
        [System.Environment]::CurrentDirectory | Should -Not -Be $where
        Install-AltazionUpdate -Root $sb.Root -Name ecommerce -At ([datetime]::Now.AddDays(1)) -Confirm:$false | Out-Null
        $scheduled = @(Get-AltazionScheduledInstall -Root ./root)
        $scheduled.Count | Should -Be 1
        $scheduled | Unregister-AltazionScheduledInstall -Root ./root -Confirm:$false | Out-Null
        @(Get-AltazionScheduledInstall -Root $sb.Root).Count | Should -Be 0
    }

    It 'resolves a PowerShell drive (New-PSDrive) to its folder' {
        # Global, as at a prompt (a drive of the test's scope is invisible to the module).
        New-PSDrive -Name AltazionSb -PSProvider FileSystem -Root $where -Scope Global | Out-Null
        try { (Get-AltazionUpdate -Root 'AltazionSb:\root' -Name ecommerce).Root | Should -Be $sb.Root }
        finally { Remove-PSDrive AltazionSb -Scope Global }
    }

    It 'refuses a path of another provider, naming it' {
        { Get-AltazionUpdate -Root 'Env:\PATH' } | Should -Throw -ExpectedMessage '*Environment path*'
    }
}

Describe 'records carry their instance root; a pipeline never switches instance' {
    BeforeAll {
        $sb = New-TestSandbox
        $other = New-TestSandbox
    }
    AfterAll { Remove-TestSandbox $sb, $other }

    It 'Get | Where UpdateAvailable | Install -WhatIf plans against the root of the objects, not the default' {
        # The default root is another instance: a pipeline that lost the root would plan there.
        $env:ALTAZION_ROOT = $other.Root
        try {
            $planned = @(Get-AltazionUpdate -Root $sb.Root -Refresh | Where-Object UpdateAvailable | Install-AltazionUpdate -WhatIf)
        }
        finally { $env:ALTAZION_ROOT = $null }
        $planned.Count | Should -BeGreaterThan 0
        $planned | ForEach-Object { $_.Root | Should -Be $sb.Root }
        $planned.Result | Should -Not -Contain 'Failed'
    }

    It 'Install binds Root by property name and installs into that instance only' {
        (Get-Command Install-AltazionUpdate).Parameters['Root'].Attributes.Where({ $_ -is [System.Management.Automation.ParameterAttribute] }).ValueFromPipelineByPropertyName | Should -Contain $true
        (Get-Command Repair-AltazionUpdater).Parameters['Root'].Attributes.Where({ $_ -is [System.Management.Automation.ParameterAttribute] }).ValueFromPipelineByPropertyName | Should -Contain $true
        $results = @(Get-AltazionUpdate -Root $sb.Root -Name ecommerce | Install-AltazionUpdate -Force)
        $results.Result | Should -Be 'Installed'
        (Get-AltazionUpdate -Root $sb.Root -Name ecommerce).Status | Should -Be 'UpToDate'
        (Get-AltazionUpdate -Root $other.Root -Name ecommerce).Status | Should -Not -Be 'UpToDate'
    }

    It 'an object of another root than -Root is refused, the others proceed' {
        $mixed = @(Get-AltazionUpdate -Root $other.Root -Name logistique) + @(Get-AltazionUpdate -Root $sb.Root -Name logistique)
        $results = @($mixed | Install-AltazionUpdate -Root $sb.Root -WhatIf -ErrorVariable refused -ErrorAction SilentlyContinue)
        $refused.Count | Should -Be 1
        [string]$refused[0].Exception.Message | Should -Match 'does not switch instance'
        $results.Count | Should -Be 1
        $results[0].Root | Should -Be $sb.Root
    }

    It 'Repair results piped back repair their own instance' {
        $env:ALTAZION_ROOT = $other.Root
        try { $again = @(Repair-AltazionUpdater -Root $sb.Root -Check disk -WhatIf | Repair-AltazionUpdater -WhatIf) }
        finally { $env:ALTAZION_ROOT = $null }
        $again.Count | Should -BeGreaterThan 0
        $again | ForEach-Object { $_.Root | Should -Be $sb.Root }
    }
}

Describe 'an unknown -Name is one non-terminating ObjectNotFound error; the others proceed' {
    BeforeAll { $sb = New-TestSandbox }
    AfterAll { Remove-TestSandbox $sb }

    It 'Get-AltazionUpdate reports the known names and one error for the unknown one' {
        $found = @(Get-AltazionUpdate -Root $sb.Root -Name ecommerce, nosuchmodule, logistique -ErrorVariable failures -ErrorAction SilentlyContinue)
        @($found.Name | Sort-Object) | Should -Be @('ecommerce', 'logistique')
        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].FullyQualifiedErrorId | Should -Be 'E_NOT_FOUND,Get-AltazionUpdate'
        $failures[0].TargetObject | Should -Be 'nosuchmodule'
    }

    It 'Install-AltazionUpdate installs the known module and reports the unknown one' {
        $results = @(Install-AltazionUpdate -Root $sb.Root -Name nosuchmodule, ecommerce -Force -ErrorVariable failures -ErrorAction SilentlyContinue)
        $results.Name | Should -Be 'ecommerce'
        $results.Result | Should -Be 'Installed'
        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'nosuchmodule'
    }

    It 'does not stop a script under the default error action' {
        $after = & { Get-AltazionUpdate -Root $sb.Root -Name nosuchmodule -ErrorAction SilentlyContinue; 'went on' }
        $after | Should -Be 'went on'
    }
}

Describe '-WhatIf on an up-to-date module says there is nothing to do' {
    BeforeAll {
        $sb = New-TestSandbox
        Install-AltazionUpdate -Root $sb.Root -Name logistique -Force | Out-Null
    }
    AfterAll { Remove-TestSandbox $sb }

    It 'writes no "What if" line for it, and says nothing to do' {
        $recorded = Invoke-Recorded -Script @"
Import-Module '$($paths.BuiltManifest)'
Install-AltazionUpdate -Root '$($sb.Root)' -Name logistique, ecommerce -WhatIf
"@
        $lines = @($recorded.host | ForEach-Object { $_.text })
        ($lines | Where-Object { $_ -like 'What if:*logistique*' }) | Should -BeNullOrEmpty
        ($lines | Where-Object { $_ -like 'What if:*ecommerce*' }).Count | Should -Be 1
        ($lines | Where-Object { $_ -like 'Nothing to do: logistique (main instance) is up to date*' }).Count | Should -Be 1
        ($recorded.output | Where-Object { $_.properties.Name -eq 'logistique' }).properties.Result | Should -Be 'UpToDate'
    }

    It 'when confirming, returns the result of the module it did not ask about, as -Force does' {
        $recorded = Invoke-Recorded -Answer yes -Script @"
Import-Module '$($paths.BuiltManifest)'
Install-AltazionUpdate -Root '$($sb.Root)' -Name logistique, ecommerce
"@
        @($recorded.prompt).Count | Should -Be 1
        $recorded.prompt[0].message | Should -Match 'ecommerce'
        $results = @($recorded.output | ForEach-Object { $_.properties.Name + '=' + $_.properties.Result })
        $results | Should -Contain 'logistique=UpToDate'
        $results | Should -Contain 'ecommerce=Installed'
        $results.Count | Should -Be 2
    }
}

Describe 'objects of one type have the same properties, so Set-StrictMode -Version Latest scripts can read any of them' {
    BeforeAll {
        $sb = New-TestSandbox
        Install-AltazionUpdate -Root $sb.Root -Name logistique -Force | Out-Null
    }
    AfterAll { Remove-TestSandbox $sb }

    It '<TypeName>: every object has <Properties> (documented in the help), $null when the tool has no message id' -ForEach @(
        @{ TypeName = 'Altazion.Update'; Properties = @('DetailId', 'DetailParams'); Command = { Get-AltazionUpdate -Root $sb.Root -Refresh } }
        @{ TypeName = 'Altazion.InstallResult'; Properties = @('MessageId', 'MessageParams'); Command = { Install-AltazionUpdate -Root $sb.Root -WhatIf } }
        @{ TypeName = 'Altazion.RepairResult'; Properties = @('DetailId', 'DetailParams', 'ActionId', 'ActionParams'); Command = { Repair-AltazionUpdater -Root $sb.Root -Check journal, disk, app-offline -WhatIf } }
    ) {
        $objects = @(& $Command)
        $objects.Count | Should -BeGreaterThan 1
        foreach ($object in $objects) {
            $object.PSObject.TypeNames[0] | Should -Be $TypeName
            foreach ($property in $Properties) {
                $object.PSObject.Properties.Name | Should -Contain $property -Because "$($object.Name)$($object.Check) is read as `$_.$property under Set-StrictMode"
            }
        }
        # As a strict script reads them: no PropertyNotFoundException.
        Set-StrictMode -Version Latest
        { foreach ($object in $objects) { foreach ($property in $Properties) { $null = $object.$property } } } | Should -Not -Throw
    }
}
