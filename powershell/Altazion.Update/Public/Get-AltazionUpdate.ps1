function Get-AltazionUpdate {
    <#
    .SYNOPSIS
        Lists the Altazion modules installed on this server with their installed and available versions.

    .DESCRIPTION
        Get-AltazionUpdate returns one Altazion.Update object per installed module instance
        (gestioncommerciale, ecommerce, phygitalapi, integration, logistique, database), as
        declared in bin\config\applicationspath.config of the Altazion instance root, with the
        version installed on the server and the latest version published on the signed feed.

        Without -Refresh it reads what the updater last detected (bin\updates\status.xml) and
        changes nothing. With -Refresh it first checks the publisher's feed (signature, expiry),
        as the update service does periodically.

        Module names can come from the pipeline, as strings or as objects with a Name property
        (and an Instance property), e.g. the output of Get-AltazionUpdate itself. The whole
        pipeline is answered by one run of the altazion-update executable.

        An unknown module name gives one non-terminating ObjectNotFound error; the other names are
        still reported.

        The cmdlet never prompts. With -ComputerName or -Session it runs on several servers at once
        through PowerShell remoting (the module must be installed there): every object carries
        PSComputerName, and a server that fails gives an error while the others go on. It also runs
        inside Invoke-Command, and its objects carry the ComputerName they describe and the Root of
        their instance.

    .PARAMETER Name
        Module key(s) to report, e.g. gestioncommerciale, ecommerce, phygitalapi (alias phygital),
        integration, logistique, database. Case-insensitive. Accepts pipeline input by value
        (strings) and by property name (Name). Default: every installed module.

    .PARAMETER Instance
        Instance name to report, as in the instance attribute of applicationspath.config (e.g.
        preprod). An empty string selects the main instance. Accepts pipeline input by property
        name. Default: every instance.

    .PARAMETER Refresh
        Checks the publisher's feed now (fetch and verify the signed index) before reporting,
        instead of using the versions the updater detected last, and asks the database now
        instead of showing it as the update service checked it within the last minute.

    .PARAMETER Root
        Root folder of the Altazion instance, relative to the current location or absolute. Default:
        the ALTAZION_ROOT environment variable, else %ProgramData%\CPoint\[e]. Accepts pipeline
        input by property name (the Root of Altazion objects).

    .PARAMETER ComputerName
        Servers to query through PowerShell remoting (Invoke-Command -ComputerName), in parallel.

    .PARAMETER Session
        PowerShell sessions (New-PSSession, over WinRM or SSH) to query, in parallel.

    .PARAMETER ThrottleLimit
        How many servers are queried at the same time with -ComputerName or -Session (default 32).

    .PARAMETER Credential
        The account used to connect with -ComputerName (default: the current user).

    .INPUTS
        System.String
            Module names.

        System.Management.Automation.PSObject
            Any object with a Name property and optionally an Instance property, such as
            Altazion.Update objects.

    .OUTPUTS
        Altazion.Update
            One object per module instance, with the properties:
            Name              module key (gestioncommerciale, ecommerce, ...)
            Instance          instance name ('' for the main instance)
            Kind              web, service or database
            Path              folder the module is installed in
            InstalledVersion  version found on the server, or Unknown
            AvailableVersion  latest version on the feed ($null when the feed does not list it)
            UpdateAvailable   $true when AvailableVersion is newer than InstalledVersion
            Downloaded        $true when that package is already downloaded and verified
            PublishedAt       publication date of AvailableVersion ([datetime])
            Status            UpToDate, UpdateAvailable, ManualActionRequired, NotInstalled or Unknown
            Detail            why, in words, when Status is not UpToDate
            DetailId          the same as a message id (for another language), when it has one
            DetailParams      the parameters of that message
            ComputerName      the server the object describes
            Root              the instance root (bound by property name by the next cmdlet)
            PSComputerName    with -ComputerName or -Session: the server that answered

    .EXAMPLE
        PS C:\> Get-AltazionUpdate

        Lists every installed module with its installed and available versions.

    .EXAMPLE
        PS C:\> Get-AltazionUpdate -Name gestioncommerciale, ecommerce -Refresh

        Checks the feed now, then reports the two modules.

    .EXAMPLE
        PS C:\> Get-AltazionUpdate | Where-Object UpdateAvailable | Install-AltazionUpdate -WhatIf

        Shows what would be installed for every module that has an update.

    .EXAMPLE
        PS C:\> 'ecommerce', 'phygital' | Get-AltazionUpdate -Instance preprod

        Module names from the pipeline, for the preprod instance only.

    .EXAMPLE
        PS C:\> Get-AltazionUpdate -ComputerName web1, web2, web3 | Format-Table PSComputerName, Name, InstalledVersion, AvailableVersion

        Compares several servers over PowerShell remoting; a server that does not answer gives one
        error and the others are listed.

    .NOTES
        Exit codes of the executable map to errors: bad input (malformed configuration, tampered
        or expired feed, wrong argument) terminates the command with an ErrorRecord whose
        FullyQualifiedErrorId is the error code, e.g. E_FEED_SIGNATURE,Get-AltazionUpdate.

    .LINK
        Install-AltazionUpdate

    .LINK
        Repair-AltazionUpdater
    #>
    [CmdletBinding(DefaultParameterSetName = 'Local')]
    [OutputType('Altazion.Update')]
    param(
        [Parameter(Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Module')]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [AllowEmptyString()]
        [AllowNull()]
        [string] $Instance,

        [switch] $Refresh,

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
        # Only the command line is bound in begin. Per pipeline object, PowerShell resets
        # -Instance to '' but keeps it in $PSBoundParameters, so the object itself tells.
        $instanceOnCommandLine = $PSBoundParameters.ContainsKey('Instance')
        $remote = $PSCmdlet.ParameterSetName -ne 'Local'
        # A path on the command line is relative to this location; remotely, to the server's.
        $commandLineRoot = ''
        if ($PSBoundParameters.ContainsKey('Root')) {
            if ($remote) { $commandLineRoot = $Root } else { $commandLineRoot = Resolve-AltazionPath -Cmdlet $PSCmdlet -Path $Root -ParameterName 'Root' }
        }
    }

    process {
        # Collected only: the executable runs once, in end, for the whole pipeline.
        Add-AltazionRequest -Request $requests -Cmdlet $PSCmdlet -InputObject $_ -Name $Name -Instance $Instance -InstanceOnCommandLine $instanceOnCommandLine -Root $commandLineRoot
    }

    end {
        foreach ($group in @(Group-AltazionRequest -Request $requests.ToArray())) {
            $target = Resolve-AltazionRemoteTarget -Group $group -Cmdlet $PSCmdlet -ComputerName $ComputerName -Session $Session
            if ($null -eq $target) { continue }
            if (-not $target.Local) {
                $parameters = @{}
                if (-not $group.AllModules) { $parameters['Name'] = $group.Names.ToArray() }
                if ($group.HasInstance) { $parameters['Instance'] = $group.Instance }
                if ($group.Root) { $parameters['Root'] = $group.Root }
                if ($Refresh) { $parameters['Refresh'] = $true }
                Invoke-AltazionRemote -CommandName 'Get-AltazionUpdate' -Parameters $parameters -ComputerName $target.ComputerName -Session $target.Session -ThrottleLimit $ThrottleLimit -Credential $Credential
                continue
            }
            $arguments = [System.Collections.Generic.List[string]]::new()
            $arguments.Add('get')
            foreach ($argument in @(Get-AltazionSelectionArgument -Group $group)) { $arguments.Add($argument) }
            if (-not $group.AllModules) { $arguments.Add('--skip-unknown-names') }
            if ($Refresh) { $arguments.Add('--refresh') }
            Invoke-AltazionNative -ArgumentList $arguments.ToArray() -Cmdlet $PSCmdlet -Root $group.Root
        }
    }
}
