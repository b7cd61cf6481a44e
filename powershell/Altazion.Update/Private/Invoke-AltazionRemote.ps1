function Invoke-AltazionRemote {
    <#
    .SYNOPSIS
        Runs one of the module's cmdlets on remote servers through PowerShell remoting.
    .DESCRIPTION
        Invoke-Command with -ThrottleLimit: the servers run in parallel (at most ThrottleLimit at a
        time), their objects stream back as they come, each with PSComputerName (remoting adds
        it), their progress and "What if:" lines reach this host. A server that cannot be reached
        or whose run fails gives its error records (with its name in OriginInfo); the others go on.
        The Altazion.Update module must be installed on each server (it is imported by name there).
        Parameters are plain values (switches as booleans) so that they survive serialisation.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateSet('Get-AltazionUpdate', 'Install-AltazionUpdate', 'Repair-AltazionUpdater')]
        [string] $CommandName,

        [Parameter(Mandatory = $true)]
        [hashtable] $Parameters,

        [string[]] $ComputerName,

        [System.Management.Automation.Runspaces.PSSession[]] $Session,

        [int] $ThrottleLimit = 32,

        [System.Management.Automation.PSCredential] $Credential
    )

    $invoke = @{
        ScriptBlock   = {
            param($command, $parameters)
            Import-Module Altazion.Update -ErrorAction Stop
            & $command @parameters
        }
        ArgumentList  = @($CommandName, $Parameters)
        ThrottleLimit = $ThrottleLimit
    }
    if ($null -ne $Session -and $Session.Count -gt 0) {
        $invoke['Session'] = $Session
    }
    else {
        $invoke['ComputerName'] = $ComputerName
        if ($null -ne $Credential) { $invoke['Credential'] = $Credential }
    }
    Invoke-Command @invoke
}
