function Install-AltazionUpdate {
    <#
    .SYNOPSIS
        Installs the available updates of Altazion modules, safely, offline only for the swap.

    .DESCRIPTION
        Install-AltazionUpdate installs the latest (or a given) version of Altazion modules on this
        server: it verifies the signed package, stages it beside the module, runs the admin hook
        scripts of bin\updates\scripts, takes the web application or service offline only to swap
        the folders, brings it back online and checks it answers. Any failure before the module is
        back online restores the previous version, the IIS pools and the services as they were.

        For the database module, scripts are applied automatically when the database matches the
        standard schema; when it was customised, the result is ManualActionRequired with the
        scripts to review, and -Script, -MarkApplied, -ExportScripts or -Force let the
        administrator go on.

        Modules come from -Name or from the pipeline (e.g. Get-AltazionUpdate objects). The whole
        pipeline is installed by one run of the altazion-update executable (one run per instance
        when the objects belong to several instances).

        Installing is a high-impact change: PowerShell asks for confirmation (ShouldProcess, with the
        module, the instance and the from/to versions) unless -Confirm:$false or -Force is given.
        -WhatIf shows the plan (results with Result = WhatIf) and changes nothing. The cmdlet never
        prompts in any other way, so it runs unattended over remoting, from DSC or Ansible with
        -Confirm:$false.

    .PARAMETER Name
        Module key(s) to install, e.g. gestioncommerciale, ecommerce, phygitalapi (alias phygital),
        integration, logistique, database. Accepts pipeline input by value and by property name.
        Default: every module that has an update.

    .PARAMETER Instance
        Instance to install into, as in the instance attribute of applicationspath.config; an empty
        string is the main instance. Accepts pipeline input by property name. Default: every
        instance of the selected modules.

    .PARAMETER Version
        Version to install instead of the latest one, e.g. 25.10 (must be on the signed feed).

    .PARAMETER Force
        Installs without asking for confirmation, and passes --force to the executable: reinstalls a
        module already up to date and applies database scripts even when the database was
        customised. Use with care.

    .PARAMETER Script
        Database only: runs the one pending database script with this id (after review with
        `altazion-update db scripts --show <id>`).

    .PARAMETER MarkApplied
        Database only: records the pending database script with this id as applied by hand,
        without running it.

    .PARAMETER ExportScripts
        Database only: writes the pending database scripts into this folder for review, and installs
        nothing.

    .PARAMETER At
        Does not install now: schedules the install for this date and time (the server's local
        time, or the offset the [datetime] carries), for a maintenance window. The update service
        runs it then (within two hours; past that it is reported as missed) and survives a restart
        meanwhile. Returns Altazion.ScheduledInstall objects; `altazion-update schedule list` and
        `altazion-update schedule cancel <Id>` list and cancel them.

    .PARAMETER Root
        Root folder of the Altazion instance. Default: the ALTAZION_ROOT environment variable,
        else %ProgramData%\CPoint\[e].

    .PARAMETER WhatIf
        Shows what would be installed (one result with Result = WhatIf per module, and the usual
        "What if:" lines) and changes nothing: the executable runs with --dry-run.

    .PARAMETER Confirm
        Asks for confirmation before each module. Installing asks by default (ConfirmImpact High);
        -Confirm:$false or -Force turn it off.

    .INPUTS
        System.String
            Module names.

        System.Management.Automation.PSObject
            Objects with a Name property and optionally Instance, InstalledVersion and
            AvailableVersion properties, such as Altazion.Update objects from Get-AltazionUpdate.

    .OUTPUTS
        Altazion.InstallResult
            One object per module instance, with the properties:
            Name             module key
            Instance         instance name ('' for the main instance)
            FromVersion      version before the install
            ToVersion        version installed (or that would be, with -WhatIf)
            Result           Installed, UpToDate, ManualActionRequired, Failed, RolledBack or WhatIf
            StartedAt        when the install of this module started ([datetime])
            DurationSeconds  total duration
            DowntimeSeconds  how long the module was offline
            BackupPath       where the previous version was kept
            LogPath          the install log
            Message          what happened, in words
            MessageId        the same as a message id (for another language), when it has one
            MessageParams    the parameters of that message
            PendingScripts   database scripts still to run (ManualActionRequired)

    .EXAMPLE
        PS C:\> Get-AltazionUpdate | Where-Object UpdateAvailable | Install-AltazionUpdate

        Installs every available update, asking for confirmation for each module.

    .EXAMPLE
        PS C:\> Install-AltazionUpdate -Name ecommerce -Instance preprod -WhatIf

        Shows the plan for the preprod e-commerce site (versions, pools and services to stop) and
        changes nothing.

    .EXAMPLE
        PS C:\> Install-AltazionUpdate -Name gestioncommerciale -Version 25.10 -Confirm:$false

        Installs version 25.10 of the gestioncommerciale module without asking.

    .EXAMPLE
        PS C:\> Install-AltazionUpdate -Name database -ExportScripts D:\review\scripts

        The database was customised: exports its pending scripts for review.

    .EXAMPLE
        PS C:\> Install-AltazionUpdate -Name database -Script '2025-10/0030' -Confirm:$false

        Runs one reviewed database script.

    .EXAMPLE
        PS C:\> Install-AltazionUpdate -Name ecommerce -At (Get-Date).Date.AddDays(1).AddHours(2) -Confirm:$false

        Schedules the e-commerce update for 02:00 tonight; the update service installs it then.

    .EXAMPLE
        PS C:\> Invoke-Command -ComputerName web1, web2 { Install-AltazionUpdate -Name ecommerce -Confirm:$false }

        Updates the e-commerce site on two servers over remoting.

    .NOTES
        Only one install runs at a time on a server (shared with the portal and the service); a
        second one fails with E_BUSY naming who holds the lock.

    .LINK
        Get-AltazionUpdate

    .LINK
        Repair-AltazionUpdater
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('Altazion.InstallResult')]
    param(
        [Parameter(Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Module')]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [AllowEmptyString()]
        [string] $Instance,

        [ValidateNotNullOrEmpty()]
        [string] $Version,

        [switch] $Force,

        [ValidateNotNullOrEmpty()]
        [string] $Script,

        [ValidateNotNullOrEmpty()]
        [string] $MarkApplied,

        [ValidateNotNullOrEmpty()]
        [string] $ExportScripts,

        [datetime] $At,

        [ValidateNotNullOrEmpty()]
        [string] $Root
    )

    begin {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        $requests = [System.Collections.Generic.List[object]]::new()
        # Only the command line is bound in begin. Per pipeline object, PowerShell resets
        # -Instance to '' but keeps it in $PSBoundParameters, so the object itself tells.
        $instanceOnCommandLine = $PSBoundParameters.ContainsKey('Instance')
    }

    process {
        # Versions of a piped Get-AltazionUpdate object make the confirmation precise without an
        # extra run of the executable.
        $current = $null
        if ($PSCmdlet.MyInvocation.ExpectingInput) { $current = $_ }
        $fromVersion = Get-AltazionPropertyValue -InputObject $current -Property 'InstalledVersion'
        $toVersion = Get-AltazionPropertyValue -InputObject $current -Property 'AvailableVersion'
        if ($PSBoundParameters.ContainsKey('Version')) { $toVersion = $Version }
        Add-AltazionRequest -Request $requests -Cmdlet $PSCmdlet -InputObject $current -Name $Name -Instance $Instance -InstanceOnCommandLine $instanceOnCommandLine -FromVersion $fromVersion -ToVersion $toVersion
    }

    end {
        $dryRun = [bool]$WhatIfPreference
        $exportOnly = $PSBoundParameters.ContainsKey('ExportScripts')

        foreach ($group in @(Group-AltazionRequest -Request $requests.ToArray())) {
            $selection = @(Get-AltazionSelectionArgument -Group $group)
            $options = [System.Collections.Generic.List[string]]::new()
            # The install lock then names the cmdlet as the one holding it (portal and CLI show it).
            $options.Add('--requested-by'); $options.Add('cmdlet')
            if ($PSBoundParameters.ContainsKey('Version')) { $options.Add('--version'); $options.Add($Version) }
            if ($Force) { $options.Add('--force') }
            if ($PSBoundParameters.ContainsKey('Script')) { $options.Add('--script'); $options.Add($Script) }
            if ($PSBoundParameters.ContainsKey('MarkApplied')) { $options.Add('--mark-applied'); $options.Add($MarkApplied) }
            if ($exportOnly) { $options.Add('--export-scripts'); $options.Add($ExportScripts) }
            $arguments = @('install') + $selection + $options.ToArray()

            if ($PSBoundParameters.ContainsKey('At')) {
                # Scheduled, not installed now: the executable records it for the update service.
                # 'o' keeps the offset of a Local or Utc [datetime]; an Unspecified one is the server's local time.
                $when = $At.ToString('o', [System.Globalization.CultureInfo]::InvariantCulture)
                $names = @($requests | ForEach-Object { $_.Name } | Where-Object { $_ }) -join ', '
                if (-not $names) { $names = 'every module with an update' }
                if ($PSCmdlet.ShouldProcess("$names at $($At.ToString('yyyy-MM-dd HH:mm', [System.Globalization.CultureInfo]::InvariantCulture))", 'Schedule Altazion update')) {
                    Invoke-AltazionNative -ArgumentList ($arguments + @('--at', $when)) -Cmdlet $PSCmdlet -Root $Root
                }
                continue
            }

            if ($dryRun) {
                # -WhatIf: the executable's own plan, shown as "What if:" lines and WhatIf results.
                Invoke-AltazionNative -ArgumentList ($arguments + '--dry-run') -Cmdlet $PSCmdlet -Root $Root | ForEach-Object {
                    if ($_.PSObject.TypeNames -contains 'Altazion.InstallResult') {
                        $target = Format-AltazionInstallTarget -Name (Get-AltazionPropertyValue $_ 'Name') -Instance (Get-AltazionPropertyValue $_ 'Instance') -FromVersion (Get-AltazionPropertyValue $_ 'FromVersion') -ToVersion (Get-AltazionPropertyValue $_ 'ToVersion')
                        [void]$PSCmdlet.ShouldProcess($target, 'Install Altazion update')
                    }
                    $_
                }
                continue
            }

            if ($exportOnly) {
                # Writes review copies of the scripts and changes nothing on the server: no confirmation.
                Invoke-AltazionNative -ArgumentList $arguments -Cmdlet $PSCmdlet -Root $Root
                continue
            }

            if ($PSBoundParameters.ContainsKey('Script') -or $PSBoundParameters.ContainsKey('MarkApplied')) {
                $instanceText = Format-AltazionInstallTarget -Name 'database' -Instance $group.Instance -HasInstance $group.HasInstance
                $instanceText = $instanceText.Substring(0, $instanceText.IndexOf(' from '))
                if ($PSBoundParameters.ContainsKey('Script')) {
                    $approved = $PSCmdlet.ShouldProcess("$instanceText, script $Script", 'Run database script')
                }
                else {
                    $approved = $PSCmdlet.ShouldProcess("$instanceText, script $MarkApplied", 'Mark database script as applied')
                }
                if ($approved) { Invoke-AltazionNative -ArgumentList $arguments -Cmdlet $PSCmdlet -Root $Root }
                continue
            }

            # Confirmation per module, naming the versions. When the pipeline did not bring them and
            # a prompt will be shown, the executable's dry-run plan supplies them.
            $targets = @($requests | Where-Object {
                    ($_.HasInstance -eq $group.HasInstance) -and (-not $group.HasInstance -or [string]::Equals([string]$_.Instance, $group.Instance, [System.StringComparison]::OrdinalIgnoreCase))
                })
            $missingVersions = $group.AllModules -or @($targets | Where-Object { [string]::IsNullOrEmpty($_.FromVersion) -or [string]::IsNullOrEmpty($_.ToVersion) }).Count -gt 0
            $plan = $null
            if ($ConfirmPreference -ne 'None' -and $missingVersions) {
                $plan = @(Invoke-AltazionNative -ArgumentList ($arguments + '--dry-run') -Cmdlet $PSCmdlet -Root $Root |
                        Where-Object { $_.PSObject.TypeNames -contains 'Altazion.InstallResult' })
                $toInstall = @($plan | Where-Object { $_.Result -eq 'WhatIf' })
                if ($toInstall.Count -eq 0) {
                    # Nothing to install (up to date, or waiting for a manual action): say so.
                    $plan
                    continue
                }
                $targets = @($toInstall | ForEach-Object {
                        [pscustomobject]@{ Name = $_.Name; Instance = [string]$_.Instance; HasInstance = $true; FromVersion = $_.FromVersion; ToVersion = $_.ToVersion }
                    })
            }

            $approved = [System.Collections.Generic.List[object]]::new()
            foreach ($target in $targets) {
                $text = Format-AltazionInstallTarget -Name $target.Name -Instance $target.Instance -HasInstance $target.HasInstance -FromVersion $target.FromVersion -ToVersion $target.ToVersion
                if ($PSCmdlet.ShouldProcess($text, 'Install Altazion update')) { $approved.Add($target) }
            }
            if ($approved.Count -eq 0) { continue }
            if ($null -eq $plan -and $approved.Count -eq $targets.Count) {
                Invoke-AltazionNative -ArgumentList $arguments -Cmdlet $PSCmdlet -Root $Root
                continue
            }
            # Some modules were declined, or the plan named them: install exactly what was approved.
            foreach ($approvedGroup in @(Group-AltazionRequest -Request $approved.ToArray())) {
                $approvedArguments = @('install') + @(Get-AltazionSelectionArgument -Group $approvedGroup) + $options.ToArray()
                Invoke-AltazionNative -ArgumentList $approvedArguments -Cmdlet $PSCmdlet -Root $Root
            }
        }
    }
}
