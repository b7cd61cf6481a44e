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
        A module already up to date is left alone.

        For the database module, scripts are applied automatically when the database matches the
        standard schema; when it was customised, the result is ManualActionRequired with the
        scripts to review, and the administrator goes on with -Script, -MarkApplied or
        -ExportScripts (one per run: they are separate parameter sets), or with
        -IgnoreDatabaseCustomization.

        Modules come from -Name or from the pipeline (e.g. Get-AltazionUpdate objects). Piped objects
        keep their instance root (Root) and, when they came from remoting, their server: a pipeline
        never switches instance or server. The whole pipeline is installed by one run of the
        altazion-update executable per instance. An unknown module name gives one non-terminating
        ObjectNotFound error and the other modules are installed.

        Installing is a high-impact change: PowerShell asks for confirmation (ShouldProcess, with the
        module, the instance and the from/to versions) unless -Confirm:$false or -Force is given.
        -Force only suppresses that confirmation. Anything riskier than installing a newer version
        is asked for explicitly, and named in the confirmation: -Reinstall, -AllowDowngrade,
        -IgnoreDatabaseCustomization. -WhatIf shows the plan and changes nothing; on a module that
        is up to date it says there is nothing to do.

        Stopping the command (Ctrl+C, Select-Object -First, a remote session that drops) never kills
        an install: the module in progress is finished or rolled back, the next ones are not
        started, and a warning says what happened. With -ErrorAction Stop the first module that
        fails stops the command the same way.

        With -ComputerName or -Session the install runs on several servers through PowerShell
        remoting (the module must be installed there), ThrottleLimit at a time; every result carries
        PSComputerName, and a server that fails gives its errors while the others go on.

    .PARAMETER Name
        Module key(s) to install, e.g. gestioncommerciale, ecommerce, phygitalapi (alias phygital),
        integration, logistique, database. Accepts pipeline input by value and by property name.
        Default: every module that has an update.

    .PARAMETER Instance
        Instance to install into, as in the instance attribute of applicationspath.config; an empty
        string is the main instance. Accepts pipeline input by property name. Default: every
        instance of the selected modules.

    .PARAMETER Version
        Version to install instead of the latest one, e.g. 25.10 (must be on the signed feed). An
        older version than the installed one also needs -AllowDowngrade.

    .PARAMETER Reinstall
        Installs again the version that is already installed (with its downtime); with -Script, runs
        again a database script already recorded as applied. Asked for in the confirmation.

    .PARAMETER AllowDowngrade
        Allows -Version to be older than the installed version. Asked for in the confirmation.

    .PARAMETER IgnoreDatabaseCustomization
        Runs the database scripts although standard objects of the database were customised (the
        seed procedure asks for a review first: see -ExportScripts). Asked for in the confirmation.

    .PARAMETER Force
        Installs without asking for confirmation. It changes nothing else (see -Reinstall,
        -AllowDowngrade, -IgnoreDatabaseCustomization).

    .PARAMETER Script
        Database only: runs the one pending database script with this id (after review with
        `altazion-update db scripts --show <id>`).

    .PARAMETER MarkApplied
        Database only: records the pending database script with this id as applied by hand,
        without running it.

    .PARAMETER ExportScripts
        Database only: writes the pending database scripts into this folder for review (relative to
        the current location), and installs nothing.

    .PARAMETER At
        Does not install now: schedules the install for this date and time (the server's local
        time, or the offset the [datetime] carries), for a maintenance window. The update service
        runs it then (within two hours; past that it is reported as missed) and survives a restart
        meanwhile. Returns Altazion.ScheduledInstall objects; `altazion-update schedule list` and
        `altazion-update schedule cancel <Id>` list and cancel them.

    .PARAMETER WaitSeconds
        When another install is running on the server (the portal, the update service, a scheduled
        task or another administrator), waits up to this many seconds for it to end, then installs;
        past that, fails with E_BUSY naming who holds the install lock. Without it, fails at once.
        0 to 86400 (a day).

    .PARAMETER Root
        Root folder of the Altazion instance, relative to the current location or absolute. Default:
        the ALTAZION_ROOT environment variable, else %ProgramData%\CPoint\[e]. Accepts pipeline
        input by property name: objects from Get-AltazionUpdate install into their own instance.

    .PARAMETER ComputerName
        Servers to install on through PowerShell remoting (Invoke-Command -ComputerName).

    .PARAMETER Session
        PowerShell sessions (New-PSSession, over WinRM or SSH) to install in.

    .PARAMETER ThrottleLimit
        How many servers install at the same time with -ComputerName or -Session (default 32; 1
        updates one server after the other).

    .PARAMETER Credential
        The account used to connect with -ComputerName (default: the current user).

    .PARAMETER WhatIf
        Shows what would be installed (the usual "What if:" lines, and one result per module) and
        changes nothing: the executable runs with --dry-run. A module that would not be installed
        says why instead (up to date, held, a version not in the feed); -Script, -MarkApplied and
        -ExportScripts show that database action.

    .PARAMETER Confirm
        Asks for confirmation before each module. Installing asks by default (ConfirmImpact High);
        -Confirm:$false or -Force turn it off.

    .INPUTS
        System.String
            Module names.

        System.Management.Automation.PSObject
            Objects with a Name property and optionally Instance, Root, InstalledVersion and
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
            Root             the instance root
            PSComputerName   with -ComputerName or -Session: the server

    .EXAMPLE
        PS C:\> Get-AltazionUpdate | Where-Object UpdateAvailable | Install-AltazionUpdate

        Installs every available update, asking for confirmation for each module.

    .EXAMPLE
        PS C:\> Install-AltazionUpdate -Name ecommerce -Instance preprod -WhatIf

        Shows the plan for the preprod e-commerce site (versions, pools and services to stop) and
        changes nothing.

    .EXAMPLE
        PS C:\> Install-AltazionUpdate -Name gestioncommerciale -Version 25.5 -AllowDowngrade -Force

        Goes back to version 25.5 of gestioncommerciale, without asking.

    .EXAMPLE
        PS C:\> Install-AltazionUpdate -Name database -ExportScripts .\review

        The database was customised: exports its pending scripts for review into .\review.

    .EXAMPLE
        PS C:\> Install-AltazionUpdate -Name database -Script '2025-10/0030' -Confirm:$false

        Runs one reviewed database script.

    .EXAMPLE
        PS C:\> Install-AltazionUpdate -Name ecommerce -At (Get-Date).Date.AddDays(1).AddHours(2) -Confirm:$false

        Schedules the e-commerce update for 02:00 tonight; the update service installs it then.

    .EXAMPLE
        PS C:\> Install-AltazionUpdate -Name ecommerce -WaitSeconds 600 -Force

        From a scheduled task: if the update service or someone else is installing right now, waits
        up to 10 minutes for it to finish instead of failing at once.

    .EXAMPLE
        PS C:\> foreach ($server in 'web1', 'web2', 'web3') { Install-AltazionUpdate -ComputerName $server -Force -ErrorAction Stop }

        Updates a farm one server at a time, stopping the rollout at the first server that fails
        (the servers not reached yet keep their version).

    .EXAMPLE
        PS C:\> Get-AltazionUpdate -ComputerName web1, web2 | Where-Object UpdateAvailable | Install-AltazionUpdate -ThrottleLimit 1 -Force

        Installs what each server needs, on that server, one server at a time.

    .NOTES
        Only one install runs at a time on a server (shared with the portal and the service); a
        second one fails with E_BUSY naming who holds the lock, or waits for it with -WaitSeconds.

    .LINK
        Get-AltazionUpdate

    .LINK
        Repair-AltazionUpdater
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High', DefaultParameterSetName = 'Install')]
    [OutputType('Altazion.InstallResult')]
    param(
        [Parameter(Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Module')]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [AllowEmptyString()]
        [string] $Instance,

        [Parameter(ParameterSetName = 'Install')]
        [ValidateNotNullOrEmpty()]
        [string] $Version,

        [Parameter(ParameterSetName = 'Install')]
        [Parameter(ParameterSetName = 'Script')]
        [switch] $Reinstall,

        [Parameter(ParameterSetName = 'Install')]
        [switch] $AllowDowngrade,

        [Parameter(ParameterSetName = 'Install')]
        [switch] $IgnoreDatabaseCustomization,

        [Parameter(Mandatory = $true, ParameterSetName = 'Script')]
        [ValidateNotNullOrEmpty()]
        [string] $Script,

        [Parameter(Mandatory = $true, ParameterSetName = 'MarkApplied')]
        [ValidateNotNullOrEmpty()]
        [string] $MarkApplied,

        [Parameter(Mandatory = $true, ParameterSetName = 'ExportScripts')]
        [ValidateNotNullOrEmpty()]
        [string] $ExportScripts,

        [Parameter(ParameterSetName = 'Install')]
        [datetime] $At,

        [Parameter(ParameterSetName = 'Install')]
        [Parameter(ParameterSetName = 'Script')]
        [Parameter(ParameterSetName = 'MarkApplied')]
        [ValidateRange(0, 86400)]
        [int] $WaitSeconds,

        [switch] $Force,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Root,

        [Alias('Cn')]
        [ValidateNotNullOrEmpty()]
        [string[]] $ComputerName,

        [ValidateNotNullOrEmpty()]
        [System.Management.Automation.Runspaces.PSSession[]] $Session,

        [ValidateRange(1, 1024)]
        [int] $ThrottleLimit = 32,

        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential
    )

    begin {
        if ($PSBoundParameters.ContainsKey('ComputerName') -and $PSBoundParameters.ContainsKey('Session')) {
            # Not parameter sets: they would multiply the four database sets.
            $record = New-AltazionErrorRecord -Code 'E_USAGE' -Message '-ComputerName and -Session cannot be used together.' -Target 'ComputerName'
            $PSCmdlet.ThrowTerminatingError($record)
        }
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        $requests = [System.Collections.Generic.List[object]]::new()
        # Only the command line is bound in begin. Per pipeline object, PowerShell resets
        # -Instance to '' but keeps it in $PSBoundParameters, so the object itself tells.
        $instanceOnCommandLine = $PSBoundParameters.ContainsKey('Instance')
        $remote = $PSBoundParameters.ContainsKey('ComputerName') -or $PSBoundParameters.ContainsKey('Session')
        # Paths are relative to this location; remotely, to the server's.
        $commandLineRoot = ''
        if ($PSBoundParameters.ContainsKey('Root')) {
            if ($remote) { $commandLineRoot = $Root } else { $commandLineRoot = Resolve-AltazionPath -Cmdlet $PSCmdlet -Path $Root -ParameterName 'Root' }
        }
        $exportFolder = $ExportScripts
        if ($PSCmdlet.ParameterSetName -eq 'ExportScripts' -and -not $remote) {
            $exportFolder = Resolve-AltazionPath -Cmdlet $PSCmdlet -Path $ExportScripts -ParameterName 'ExportScripts'
        }

        # What is asked beyond a normal install, named in every confirmation and What if line.
        $explicit = @()
        if ($Reinstall) { $explicit += '-Reinstall' }
        if ($AllowDowngrade) { $explicit += '-AllowDowngrade' }
        if ($IgnoreDatabaseCustomization) { $explicit += '-IgnoreDatabaseCustomization' }
        $action = 'Install Altazion update'
        if ($explicit.Count -gt 0) { $action += ' (' + ($explicit -join ', ') + ')' }
    }

    process {
        # Versions of a piped Get-AltazionUpdate object make the confirmation precise without an
        # extra run of the executable.
        $current = $null
        if ($PSCmdlet.MyInvocation.ExpectingInput) { $current = $_ }
        $fromVersion = Get-AltazionPropertyValue -InputObject $current -Property 'InstalledVersion'
        $toVersion = Get-AltazionPropertyValue -InputObject $current -Property 'AvailableVersion'
        if ($PSBoundParameters.ContainsKey('Version')) { $toVersion = $Version }
        Add-AltazionRequest -Request $requests -Cmdlet $PSCmdlet -InputObject $current -Name $Name -Instance $Instance -InstanceOnCommandLine $instanceOnCommandLine -Root $commandLineRoot -FromVersion $fromVersion -ToVersion $toVersion
    }

    end {
        $dryRun = [bool]$WhatIfPreference
        $set = $PSCmdlet.ParameterSetName

        foreach ($group in @(Group-AltazionRequest -Request $requests.ToArray())) {
            # A database action (-Script, -MarkApplied, -ExportScripts) is named as such in its
            # confirmation and its "What if:" line, not as an install.
            $databaseTarget = $null
            $databaseAction = $null
            if ($set -ne 'Install') {
                $instanceText = Format-AltazionInstallTarget -Name 'database' -Instance $group.Instance -HasInstance $group.HasInstance
                $instanceText = $instanceText.Substring(0, $instanceText.IndexOf(' from '))
                if ($set -eq 'Script') {
                    $databaseTarget = "$instanceText, script $Script"
                    $databaseAction = 'Run database script'
                    if ($Reinstall) { $databaseAction += ' (-Reinstall: again, although recorded as applied)' }
                }
                elseif ($set -eq 'MarkApplied') {
                    $databaseTarget = "$instanceText, script $MarkApplied"
                    $databaseAction = 'Mark database script as applied'
                }
                else {
                    $databaseTarget = "$instanceText, pending scripts into $exportFolder"
                    $databaseAction = 'Export database scripts for review'
                }
            }

            $remoteAction = $action
            if ($null -ne $databaseAction) { $remoteAction = $databaseAction }
            $target = Resolve-AltazionRemoteTarget -Group $group -Cmdlet $PSCmdlet -ComputerName $ComputerName -Session $Session
            if ($null -eq $target) { continue }
            if (-not $target.Local) {
                Install-AltazionUpdateRemotely -Group $group -Target $target -Cmdlet $PSCmdlet -Bound $PSBoundParameters -Action $remoteAction -ExportFolder $exportFolder -ThrottleLimit $ThrottleLimit -Credential $Credential
                continue
            }

            $selection = @(Get-AltazionSelectionArgument -Group $group)
            $options = [System.Collections.Generic.List[string]]::new()
            # The install lock then names the cmdlet as the one holding it (portal and CLI show it).
            $options.Add('--requested-by'); $options.Add('cmdlet')
            if (-not $group.AllModules) { $options.Add('--skip-unknown-names') }
            if ($PSBoundParameters.ContainsKey('Version')) { $options.Add('--version'); $options.Add($Version) }
            if ($PSBoundParameters.ContainsKey('WaitSeconds')) { $options.Add('--wait'); $options.Add([string]$WaitSeconds) }
            if ($Reinstall) { $options.Add('--reinstall') }
            if ($AllowDowngrade) { $options.Add('--allow-downgrade') }
            if ($IgnoreDatabaseCustomization) { $options.Add('--ignore-database-customization') }
            if ($set -eq 'Script') { $options.Add('--script'); $options.Add($Script) }
            if ($set -eq 'MarkApplied') { $options.Add('--mark-applied'); $options.Add($MarkApplied) }
            if ($set -eq 'ExportScripts') { $options.Add('--export-scripts'); $options.Add($exportFolder) }
            $arguments = @('install') + $selection + $options.ToArray()
            $native = @{ Cmdlet = $PSCmdlet; Root = $group.Root; StopGracefully = $true }

            if ($PSBoundParameters.ContainsKey('At')) {
                # Scheduled, not installed now: the executable records it for the update service.
                # 'o' keeps the offset of a Local or Utc [datetime]; an Unspecified one is the server's local time.
                $when = $At.ToString('o', [System.Globalization.CultureInfo]::InvariantCulture)
                $names = @($group.Names) -join ', '
                if ($group.AllModules -or -not $names) { $names = 'every module with an update' }
                if ($PSCmdlet.ShouldProcess("$names at $($At.ToString('yyyy-MM-dd HH:mm', [System.Globalization.CultureInfo]::InvariantCulture))", 'Schedule Altazion update')) {
                    Invoke-AltazionNative -ArgumentList ($arguments + @('--at', $when)) -Cmdlet $PSCmdlet -Root $group.Root
                }
                continue
            }

            if ($dryRun) {
                # -WhatIf: the executable's own plan, as "What if:" lines and results; an up-to-date
                # module says there is nothing to do.
                Invoke-AltazionNative -ArgumentList ($arguments + '--dry-run') @native | ForEach-Object {
                    if ($_.PSObject.TypeNames -contains 'Altazion.InstallResult') {
                        $text = Format-AltazionInstallTarget -Name (Get-AltazionPropertyValue $_ 'Name') -Instance (Get-AltazionPropertyValue $_ 'Instance') -FromVersion (Get-AltazionPropertyValue $_ 'FromVersion') -ToVersion (Get-AltazionPropertyValue $_ 'ToVersion')
                        if ([string]$_.Result -eq 'WhatIf' -and $null -ne $databaseAction) { [void]$PSCmdlet.ShouldProcess($databaseTarget, $databaseAction) }
                        elseif ([string]$_.Result -eq 'WhatIf') { [void]$PSCmdlet.ShouldProcess($text, $action) }
                        elseif ([string]$_.Result -eq 'UpToDate') { Write-Host "Nothing to do: $($text.Substring(0, $text.IndexOf(' from '))) is up to date ($($_.ToVersion))." }
                        else { Write-Host "Nothing to do: $($text.Substring(0, $text.IndexOf(' from '))): $($_.Message)" }
                    }
                    $_
                }
                continue
            }

            if ($set -eq 'ExportScripts') {
                # Writes review copies of the scripts and changes nothing on the server: no confirmation.
                Invoke-AltazionNative -ArgumentList $arguments @native
                continue
            }

            if ($set -eq 'Script' -or $set -eq 'MarkApplied') {
                if ($PSCmdlet.ShouldProcess($databaseTarget, $databaseAction)) { Invoke-AltazionNative -ArgumentList $arguments @native }
                continue
            }

            # Confirmation per module, naming the versions. When the pipeline did not bring them and
            # a prompt will be shown, the executable's dry-run plan supplies them.
            $targets = @($requests | Where-Object {
                    [string]::Equals([string]$_.Root, $group.Root, [System.StringComparison]::OrdinalIgnoreCase) -and [string]::IsNullOrEmpty($_.ComputerName) -and
                    ($_.HasInstance -eq $group.HasInstance) -and (-not $group.HasInstance -or [string]::Equals([string]$_.Instance, $group.Instance, [System.StringComparison]::OrdinalIgnoreCase))
                })
            $missingVersions = $group.AllModules -or @($targets | Where-Object { [string]::IsNullOrEmpty($_.FromVersion) -or [string]::IsNullOrEmpty($_.ToVersion) }).Count -gt 0
            $plan = $null
            if ($ConfirmPreference -ne 'None' -and $missingVersions) {
                $plan = @(Invoke-AltazionNative -ArgumentList ($arguments + '--dry-run') @native |
                        Where-Object { $_.PSObject.TypeNames -contains 'Altazion.InstallResult' })
                $toInstall = @($plan | Where-Object { $_.Result -eq 'WhatIf' })
                # What will not be installed (up to date, held for a manual action) is answered now,
                # as an install without confirmation answers it.
                $plan | Where-Object { $_.Result -ne 'WhatIf' }
                if ($toInstall.Count -eq 0) { continue }
                $targets = @($toInstall | ForEach-Object {
                        [pscustomobject]@{ Name = $_.Name; Instance = [string]$_.Instance; HasInstance = $true; FromVersion = $_.FromVersion; ToVersion = $_.ToVersion; Root = $group.Root; ComputerName = $null; RunspaceId = $null }
                    })
            }

            $approved = [System.Collections.Generic.List[object]]::new()
            foreach ($item in $targets) {
                # Up to date and no -Reinstall: nothing will happen, nothing to confirm.
                $upToDate = -not $Reinstall -and -not [string]::IsNullOrEmpty($item.FromVersion) -and [string]::Equals([string]$item.FromVersion, [string]$item.ToVersion, [System.StringComparison]::OrdinalIgnoreCase)
                $text = Format-AltazionInstallTarget -Name $item.Name -Instance $item.Instance -HasInstance $item.HasInstance -FromVersion $item.FromVersion -ToVersion $item.ToVersion
                if ($upToDate -or $PSCmdlet.ShouldProcess($text, $action)) { $approved.Add($item) }
            }
            if ($approved.Count -eq 0) { continue }
            if ($null -eq $plan -and $approved.Count -eq $targets.Count) {
                Invoke-AltazionNative -ArgumentList $arguments @native
                continue
            }
            # Some modules were declined, or the plan named them: install exactly what was approved.
            foreach ($approvedGroup in @(Group-AltazionRequest -Request $approved.ToArray())) {
                $approvedArguments = @('install') + @(Get-AltazionSelectionArgument -Group $approvedGroup) + $options.ToArray()
                Invoke-AltazionNative -ArgumentList $approvedArguments @native
            }
        }
    }
}
