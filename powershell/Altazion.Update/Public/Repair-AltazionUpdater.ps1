function Repair-AltazionUpdater {
    <#
    .SYNOPSIS
        Diagnoses the Altazion updater and fixes what it safely can.

    .DESCRIPTION
        Repair-AltazionUpdater runs the checks of the Altazion troubleshooting procedure and returns
        one Altazion.RepairResult per check and target: the updater's settings live in
        bin\updates, out of the module identities' reach; the update service is present, running
        and set to Automatic (Delayed Start); the local portal answers; the feed is reachable and
        valid; the detected versions are current; every running module is declared in
        applicationspath.config and, when not, its identity can write that file (and only it); no
        process holds files of a module folder; no stale app_offline.htm keeps a site in
        maintenance; no IIS pool or service was left stopped by a failed install; no install was
        interrupted; there is enough free disk space; what the SYSTEM service runs or trusts
        (bin\updates, the hook interpreter, the service's files) can be changed by Administrators
        and SYSTEM only.

        Each problem it can fix safely is fixed (Status Fixed); with -WhatIf nothing changes and
        such problems are reported as WouldFix. Problems it must not fix alone are reported with
        Status Warning or Failed and the Action to take.

        The cmdlet never prompts by default (ConfirmImpact Medium); -Confirm asks before repairing.

    .PARAMETER Check
        Id(s) of the checks to run (the Check property of the results): settings, service,
        portal, feed, freshness, applications, rights, locks, app-offline, pools, journal, disk,
        acl.
        Accepts pipeline input by value and by property name, so results can be piped back to
        run those checks again. Default: every check.

    .PARAMETER Root
        Root folder of the Altazion instance. Default: the ALTAZION_ROOT environment variable,
        else %ProgramData%\CPoint\[e].

    .PARAMETER WhatIf
        Reports what would be fixed (Status WouldFix) and changes nothing: the executable runs with
        --dry-run.

    .PARAMETER Confirm
        Asks for confirmation before repairing.

    .INPUTS
        System.String
            Check ids.

        System.Management.Automation.PSObject
            Objects with a Check property, such as Altazion.RepairResult objects.

    .OUTPUTS
        Altazion.RepairResult
            One object per check and target, with the properties:
            Check   id of the check
            Target  what was checked (service, folder, pool, file...)
            Status  Ok, Fixed, WouldFix, Warning, Failed or Skipped
            Detail  what was found, in words
            Action  what was done, or what the administrator should do

    .EXAMPLE
        PS C:\> Repair-AltazionUpdater

        Runs every check and fixes what can be fixed safely.

    .EXAMPLE
        PS C:\> Repair-AltazionUpdater -WhatIf

        Reports what is wrong and what would be fixed, without changing anything.

    .EXAMPLE
        PS C:\> Repair-AltazionUpdater -Check app-offline, pools

        Runs two checks only: sites left in maintenance and pools left stopped.

    .EXAMPLE
        PS C:\> Repair-AltazionUpdater -WhatIf | Where-Object Status -eq 'WouldFix' | Repair-AltazionUpdater -Confirm

        Fixes, after confirmation, only the problems the dry run found.

    .EXAMPLE
        PS C:\> Invoke-Command -ComputerName web1, web2 { Repair-AltazionUpdater -WhatIf } | Where-Object Status -ne 'Ok'

        Audits several servers over remoting.

    .LINK
        Get-AltazionUpdate

    .LINK
        Install-AltazionUpdate
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('Altazion.RepairResult')]
    param(
        [Parameter(Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Check,

        [ValidateNotNullOrEmpty()]
        [string] $Root
    )

    begin {
        $checks = [System.Collections.Generic.List[string]]::new()
        $allChecks = $false
    }

    process {
        if ($null -eq $Check -or $Check.Count -eq 0) {
            $allChecks = $true
        }
        else {
            foreach ($id in $Check) {
                if (-not $checks.Contains($id)) { $checks.Add($id) }
            }
        }
    }

    end {
        $arguments = [System.Collections.Generic.List[string]]::new()
        $arguments.Add('repair')
        if (-not $allChecks) {
            foreach ($id in $checks) { $arguments.Add('--check'); $arguments.Add($id) }
        }

        if ($WhatIfPreference) {
            $arguments.Add('--dry-run')
            # Streamed: each result is shown (and its "What if:" line written) as it arrives.
            Invoke-AltazionNative -ArgumentList $arguments.ToArray() -Cmdlet $PSCmdlet -Root $Root | ForEach-Object {
                if ([string]$_.Status -eq 'WouldFix') {
                    [void]$PSCmdlet.ShouldProcess("$($_.Target) ($($_.Check))", [string]$_.Action)
                }
                $_
            }
            return
        }

        if ($allChecks) { $what = 'every check' } else { $what = 'checks ' + ($checks -join ', ') }
        if ($PSCmdlet.ShouldProcess("Altazion updater on $([System.Environment]::MachineName) ($what)", 'Repair')) {
            Invoke-AltazionNative -ArgumentList $arguments.ToArray() -Cmdlet $PSCmdlet -Root $Root
        }
    }
}
