# What Windows PowerShell 5.1 does differently, reproduced in pwsh 7.6 where it can be: its
# ConvertFrom-Json (JavaScriptSerializer) leaves ISO dates as strings, does not enumerate a
# top-level array, has no -Depth/-AsHashtable, and reads fractional numbers as [decimal]. The
# module's reader runs here with such a ConvertFrom-Json (mocked in the module's scope) against the
# real executable. The 5.1 syntax rules are checked by syntax.test.ts (the engine's parser).
BeforeAll {
    Import-Module ([System.IO.Path]::Combine($PSScriptRoot, 'helpers', 'AltazionTest.psm1')) -Force
    $paths = Get-TestPath
    Import-Module $paths.BuiltManifest -Force
    $env:ALTAZION_ROOT = $null
    $env:ALTAZION_UPDATE_EXE = $null
    $sb = New-TestSandbox

    # Windows PowerShell 5.1's ConvertFrom-Json, as far as the module can tell the difference.
    Mock -ModuleName Altazion.Update ConvertFrom-Json {
        param([Parameter(ValueFromPipeline = $true)] [string] $InputObject)
        $parameters = @($PesterBoundParameters.Keys | Where-Object { $_ -notin 'InputObject', 'ErrorAction' })
        if ($parameters.Count -gt 0) { throw "Windows PowerShell 5.1's ConvertFrom-Json has no parameter -$($parameters -join ', -')" }
        $value = Microsoft.PowerShell.Utility\ConvertFrom-Json -InputObject $InputObject -NoEnumerate -DateKind String
        function ConvertTo-Decimal($node) {
            if ($node -is [double]) { return [decimal]$node }
            if ($node -is [pscustomobject]) { foreach ($p in @($node.PSObject.Properties)) { $p.Value = ConvertTo-Decimal $p.Value }; return $node }
            if ($node -is [object[]]) { return , @($node | ForEach-Object { ConvertTo-Decimal $_ }) }
            return $node
        }
        , (ConvertTo-Decimal $value)
    }
}
AfterAll { Remove-TestSandbox $sb }

Describe 'the reader with Windows PowerShell 5.1''s ConvertFrom-Json' {
    It 'still turns publication dates into [datetime] (5.1 leaves them as strings)' {
        $records = @(Get-AltazionUpdate -Root $sb.Root -Refresh)
        Should -Invoke -ModuleName Altazion.Update ConvertFrom-Json -Scope It
        $withDate = @($records | Where-Object { $null -ne $_.PublishedAt })
        $withDate.Count | Should -BeGreaterThan 0
        $withDate | ForEach-Object { $_.PublishedAt | Should -BeOfType [datetime] }
    }

    It 'keeps booleans, nulls and one-element arrays as they are' {
        $records = @(Get-AltazionUpdate -Root $sb.Root)
        ($records | Where-Object Name -eq 'ecommerce').UpdateAvailable | Should -BeOfType [bool]
        $result = Install-AltazionUpdate -Root $sb.Root -Name database -Force
        $result.StartedAt | Should -BeOfType [datetime]
        , $result.PendingScripts | Should -BeOfType [object[]]
    }

    It 'installs with progress and [decimal] durations' {
        $result = Install-AltazionUpdate -Root $sb.Root -Name ecommerce -Force
        $result.Result | Should -Be 'Installed'
        $result.DurationSeconds | Should -BeOfType [decimal]
        $result.DurationSeconds | Should -BeGreaterThan 0
    }
}
