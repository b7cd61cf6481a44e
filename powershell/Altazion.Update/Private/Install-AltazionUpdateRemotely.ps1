function Install-AltazionUpdateRemotely {
    <#
    .SYNOPSIS
        Install-AltazionUpdate for one group of requests on remote servers (-ComputerName,
        -Session, or the server piped objects came from).
    .DESCRIPTION
        Confirmation is asked here, once per group, naming the servers, the modules and the
        explicit switches; the servers then run Install-AltazionUpdate without prompting (their
        confirmation cannot reach a person when several run at once). -WhatIf runs there, and their
        "What if:" lines come back to this host.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [object] $Group,
        [Parameter(Mandatory = $true)] [object] $Target,
        [Parameter(Mandatory = $true)] [System.Management.Automation.PSCmdlet] $Cmdlet,
        # The $PSBoundParameters of Install-AltazionUpdate.
        [Parameter(Mandatory = $true)] [hashtable] $Bound,
        [Parameter(Mandatory = $true)] [string] $Action,
        [AllowEmptyString()] [string] $ExportFolder,
        [int] $ThrottleLimit = 32,
        [AllowNull()] [System.Management.Automation.PSCredential] $Credential
    )

    # Plain values only: they are serialised to the servers.
    $parameters = @{ Confirm = $false }
    if (-not $Group.AllModules) { $parameters['Name'] = $Group.Names.ToArray() }
    if ($Group.HasInstance) { $parameters['Instance'] = $Group.Instance }
    if ($Group.Root) { $parameters['Root'] = $Group.Root }
    foreach ($name in @('Version', 'Script', 'MarkApplied')) {
        if ($Bound.ContainsKey($name)) { $parameters[$name] = [string]$Bound[$name] }
    }
    if ($Bound.ContainsKey('WaitSeconds')) { $parameters['WaitSeconds'] = [int]$Bound['WaitSeconds'] }
    if ($Bound.ContainsKey('ExportScripts')) { $parameters['ExportScripts'] = $ExportFolder }
    # A [datetime] travels as is: the server schedules it at the same instant.
    if ($Bound.ContainsKey('At')) { $parameters['At'] = [datetime]$Bound['At'] }
    foreach ($name in @('Reinstall', 'AllowDowngrade', 'IgnoreDatabaseCustomization')) {
        if ($Bound.ContainsKey($name) -and [bool]$Bound[$name]) { $parameters[$name] = $true }
    }

    $servers = @(@($Target.ComputerName) + @($Target.Session | ForEach-Object { if ($null -ne $_) { $_.ComputerName } }) | Where-Object { $_ })
    if ($Group.AllModules) { $what = 'every module with an update' } else { $what = $Group.Names -join ', ' }
    if ($Group.HasInstance) {
        if ([string]::IsNullOrEmpty($Group.Instance)) { $what += ' (main instance)' } else { $what += " (instance $($Group.Instance))" }
    }
    if ($Bound.ContainsKey('Version')) { $what += " to $($Bound['Version'])" }
    foreach ($name in @('Script', 'MarkApplied')) { if ($Bound.ContainsKey($name)) { $what += ", script $($Bound[$name])" } }
    if ($Bound.ContainsKey('At')) { $what += ' at ' + ([datetime]$Bound['At']).ToString('yyyy-MM-dd HH:mm', [System.Globalization.CultureInfo]::InvariantCulture) }

    if ([bool]$WhatIfPreference) {
        $parameters['WhatIf'] = $true
    }
    elseif (-not $Bound.ContainsKey('ExportScripts') -and -not $Cmdlet.ShouldProcess("$what on $($servers -join ', ')", $Action)) {
        return
    }
    Invoke-AltazionRemote -CommandName 'Install-AltazionUpdate' -Parameters $parameters -ComputerName $Target.ComputerName -Session $Target.Session -ThrottleLimit $ThrottleLimit -Credential $Credential
}
