function Resolve-AltazionRemoteTarget {
    <#
    .SYNOPSIS
        Where one group of requests runs: here, on servers (-ComputerName) or in sessions (-Session).
    .DESCRIPTION
        Objects that came from remoting carry their server (PSComputerName, and the RunspaceId of
        their session): they go back to that server, never to another one nor to this computer.
        - Given -Session: the session the object came from (same RunspaceId, else same computer
          name); objects without a server (names typed or piped as strings) go to every session.
        - Given -ComputerName: the object's server must be one of them; typed names go to all.
        - Neither: an object's own server (remoting -ComputerName), else this computer.
        Returns an object with Local, ComputerName and Session, or $null after writing an error
        when the object's server is not among those given.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [object] $Group,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [AllowNull()]
        [string[]] $ComputerName,

        [AllowNull()]
        [System.Management.Automation.Runspaces.PSSession[]] $Session
    )

    $fromServer = -not [string]::IsNullOrEmpty($Group.ComputerName)
    if ($null -ne $Session -and $Session.Count -gt 0) {
        if (-not $fromServer) { return [pscustomobject]@{ Local = $false; ComputerName = $null; Session = $Session } }
        $matching = @($Session | Where-Object { [string]$_.Runspace.InstanceId -eq $Group.RunspaceId -or [string]$_.InstanceId -eq $Group.RunspaceId })
        if ($matching.Count -eq 0) { $matching = @($Session | Where-Object { [string]::Equals($_.ComputerName, $Group.ComputerName, [System.StringComparison]::OrdinalIgnoreCase) }) }
        if ($matching.Count -gt 0) { return [pscustomobject]@{ Local = $false; ComputerName = $null; Session = @($matching[0]) } }
        $record = New-AltazionErrorRecord -Code 'E_REMOTE' -Message "Objects from $($Group.ComputerName) were piped, but none of the sessions given with -Session is connected to it: they are skipped so that the pipeline does not switch server." -Target $Group.ComputerName -Hint 'Pass the session the objects came from, or no -Session.'
        $Cmdlet.WriteError($record)
        return $null
    }
    if ($null -ne $ComputerName -and $ComputerName.Count -gt 0) {
        if (-not $fromServer) { return [pscustomobject]@{ Local = $false; ComputerName = $ComputerName; Session = $null } }
        $matching = @($ComputerName | Where-Object { [string]::Equals($_, $Group.ComputerName, [System.StringComparison]::OrdinalIgnoreCase) })
        if ($matching.Count -gt 0) { return [pscustomobject]@{ Local = $false; ComputerName = @($matching[0]); Session = $null } }
        $record = New-AltazionErrorRecord -Code 'E_REMOTE' -Message "Objects from $($Group.ComputerName) were piped, but -ComputerName does not name it: they are skipped so that the pipeline does not switch server." -Target $Group.ComputerName -Hint 'Add that server to -ComputerName, or leave -ComputerName out.'
        $Cmdlet.WriteError($record)
        return $null
    }
    if ($fromServer) { return [pscustomobject]@{ Local = $false; ComputerName = @($Group.ComputerName); Session = $null } }
    return [pscustomobject]@{ Local = $true; ComputerName = $null; Session = $null }
}
