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

        Results carry the Root of their instance, and piped back they repair that same instance.
        With -ComputerName or -Session it runs on several servers at once through PowerShell
        remoting: every object carries PSComputerName, and a server that fails gives an error while
        the others go on.

    .PARAMETER Check
        Id(s) of the checks to run (the Check property of the results): settings, service,
        portal, feed, freshness, applications, rights, locks, app-offline, pools, journal, disk,
        acl.
        Accepts pipeline input by value and by property name, so results can be piped back to
        run those checks again. Default: every check.

    .PARAMETER Root
        Root folder of the Altazion instance, relative to the current location or absolute. Default:
        the ALTAZION_ROOT environment variable, else %ProgramData%\CPoint\[e]. Accepts pipeline
        input by property name, so results piped back repair the instance they came from.

    .PARAMETER ComputerName
        Servers to repair through PowerShell remoting (Invoke-Command -ComputerName), in parallel.

    .PARAMETER Session
        PowerShell sessions (New-PSSession, over WinRM or SSH) to repair, in parallel.

    .PARAMETER ThrottleLimit
        How many servers are repaired at the same time with -ComputerName or -Session (default 32).

    .PARAMETER Credential
        The account used to connect with -ComputerName (default: the current user).

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
            DetailId, DetailParams  the same as a message id and its parameters
            Action  what was done, or what the administrator should do
            ActionId, ActionParams  the same as a message id and its parameters
            Root    the instance root (bound by property name when piped back)

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
        PS C:\> Repair-AltazionUpdater -ComputerName web1, web2 -WhatIf | Where-Object Status -ne 'Ok' | Format-Table PSComputerName, Check, Status, Detail

        Audits several servers over remoting, changing nothing.

    .LINK
        Get-AltazionUpdate

    .LINK
        Install-AltazionUpdate
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Local')]
    [OutputType('Altazion.RepairResult')]
    param(
        [Parameter(Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Check,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Root,

        [Parameter(Mandatory = $true, ParameterSetName = 'ComputerName')]
        [Alias('Cn')]
        [ValidateNotNullOrEmpty()]
        [string[]] $ComputerName,

        [Parameter(Mandatory = $true, ParameterSetName = 'Session')]
        [ValidateNotNullOrEmpty()]
        [System.Management.Automation.Runspaces.PSSession[]] $Session,

        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Session')]
        [ValidateRange(1, 1024)]
        [int] $ThrottleLimit = 32,

        [Parameter(ParameterSetName = 'ComputerName')]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential
    )

    begin {
        $requests = [System.Collections.Generic.List[object]]::new()
        $remote = $PSCmdlet.ParameterSetName -ne 'Local'
        $commandLineRoot = ''
        if ($PSBoundParameters.ContainsKey('Root')) {
            if ($remote) { $commandLineRoot = $Root } else { $commandLineRoot = Resolve-AltazionPath -Cmdlet $PSCmdlet -Path $Root -ParameterName 'Root' }
        }
    }

    process {
        # Check ids are collected like module names: one run per instance root and server.
        Add-AltazionRequest -Request $requests -Cmdlet $PSCmdlet -InputObject $_ -Name $Check -InstanceOnCommandLine $false -Root $commandLineRoot
    }

    end {
        foreach ($group in @(Group-AltazionRequest -Request $requests.ToArray())) {
            if ($group.AllModules) { $what = 'every check' } else { $what = 'checks ' + ($group.Names -join ', ') }
            $target = Resolve-AltazionRemoteTarget -Group $group -Cmdlet $PSCmdlet -ComputerName $ComputerName -Session $Session
            if ($null -eq $target) { continue }
            if (-not $target.Local) {
                $parameters = @{ Confirm = $false }
                if (-not $group.AllModules) { $parameters['Check'] = $group.Names.ToArray() }
                if ($group.Root) { $parameters['Root'] = $group.Root }
                if ($WhatIfPreference) {
                    $parameters['WhatIf'] = $true
                }
                else {
                    $servers = @($target.ComputerName) + @($target.Session | ForEach-Object { $_.ComputerName }) | Where-Object { $_ }
                    if (-not $PSCmdlet.ShouldProcess("Altazion updater on $($servers -join ', ') ($what)", 'Repair')) { continue }
                }
                Invoke-AltazionRemote -CommandName 'Repair-AltazionUpdater' -Parameters $parameters -ComputerName $target.ComputerName -Session $target.Session -ThrottleLimit $ThrottleLimit -Credential $Credential
                continue
            }

            $arguments = [System.Collections.Generic.List[string]]::new()
            $arguments.Add('repair')
            if (-not $group.AllModules) {
                foreach ($id in $group.Names) { $arguments.Add('--check'); $arguments.Add($id) }
            }
            if ($WhatIfPreference) {
                $arguments.Add('--dry-run')
                # Streamed: each result is shown (and its "What if:" line written) as it arrives.
                Invoke-AltazionNative -ArgumentList $arguments.ToArray() -Cmdlet $PSCmdlet -Root $group.Root | ForEach-Object {
                    if ([string]$_.Status -eq 'WouldFix') {
                        [void]$PSCmdlet.ShouldProcess("$($_.Target) ($($_.Check))", [string]$_.Action)
                    }
                    $_
                }
                continue
            }
            if ($PSCmdlet.ShouldProcess("Altazion updater on $([System.Environment]::MachineName) ($what)", 'Repair')) {
                # Repairs may finish an interrupted install: a stopped pipeline lets them end.
                Invoke-AltazionNative -ArgumentList $arguments.ToArray() -Cmdlet $PSCmdlet -Root $group.Root -StopGracefully
            }
        }
    }
}
