function Add-AltazionRequest {
    <#
    .SYNOPSIS
        Records the modules asked for by one pipeline object (or the command line) into the list of
        requests a cmdlet answers in its end block, with the instance root and the server they
        belong to.
    .DESCRIPTION
        Get-AltazionUpdate, Install-AltazionUpdate and Repair-AltazionUpdater collect their pipeline
        the same way: each process block adds one request per -Name (or -Check) value, or one
        "everything" request when none is given, so all three group and route objects identically
        (see Group-AltazionRequest).

        An instance counts as chosen when -Instance was on the command line, or when the piped object
        carries a non-null Instance property: per pipeline object PowerShell resets -Instance to ''
        yet keeps it in $PSBoundParameters, so only the object itself tells.

        A piped object keeps its pipeline on its own instance root (its Root property) and, when it
        came from remoting, on its own server (PSComputerName, and RunspaceId for a -Session): a
        pipeline never switches instance or server. An object whose Root differs from the -Root on
        the command line is refused (an error for that object; the others go on).

        Each request is an object with Name, Instance, HasInstance, FromVersion, ToVersion, Root,
        ComputerName and RunspaceId.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [System.Collections.Generic.List[object]] $Request,

        # The calling cmdlet: tells whether its input comes from the pipeline.
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        # The current pipeline object ($_) of the calling cmdlet.
        [AllowNull()]
        [object] $InputObject,

        [AllowNull()]
        [AllowEmptyCollection()]
        [string[]] $Name,

        [AllowNull()]
        [AllowEmptyString()]
        [string] $Instance,

        # Whether -Instance was bound on the command line (as seen in the caller's begin block).
        [bool] $InstanceOnCommandLine,

        # The -Root of the command line, already resolved ('' when not given).
        [AllowNull()]
        [AllowEmptyString()]
        [string] $Root,

        # Kept as given ($null stays $null): only Install-AltazionUpdate passes versions.
        [object] $FromVersion,

        [object] $ToVersion
    )

    $piped = $null
    if ($Cmdlet.MyInvocation.ExpectingInput) { $piped = $InputObject }
    $hasInstance = $InstanceOnCommandLine
    if (-not $hasInstance -and $null -ne $piped) {
        $hasInstance = $null -ne $piped.PSObject.Properties['Instance'] -and $null -ne $piped.Instance
    }

    $requestRoot = $Root
    $objectRoot = Get-AltazionPropertyValue -InputObject $piped -Property 'Root'
    if (-not [string]::IsNullOrEmpty($objectRoot)) {
        if (-not [string]::IsNullOrEmpty($Root) -and -not [string]::Equals($Root.TrimEnd('\', '/'), $objectRoot.TrimEnd('\', '/'), [System.StringComparison]::OrdinalIgnoreCase)) {
            $message = "The object for '$((Get-AltazionPropertyValue $piped 'Name'))$((Get-AltazionPropertyValue $piped 'Check'))' belongs to the instance root $objectRoot, not to -Root ${Root}: it is skipped so that the pipeline does not switch instance."
            $record = New-AltazionErrorRecord -Code 'E_USAGE' -Message $message -Target $objectRoot -Hint 'Remove -Root (the objects carry their own), or select the objects of that root.'
            $Cmdlet.WriteError($record)
            return
        }
        $requestRoot = $objectRoot
    }

    # Objects received over remoting name their server; a deserialized object without it came
    # through some other serialisation and is treated as local.
    $computer = Get-AltazionPropertyValue -InputObject $piped -Property 'PSComputerName'
    $runspaceId = Get-AltazionPropertyValue -InputObject $piped -Property 'RunspaceId'

    $names = @($Name | Where-Object { -not [string]::IsNullOrEmpty($_) })
    if ($names.Count -eq 0) { $names = @($null) }
    foreach ($moduleName in $names) {
        $Request.Add([pscustomobject]@{
                Name         = $moduleName
                Instance     = $Instance
                HasInstance  = $hasInstance
                FromVersion  = $(if ($null -eq $moduleName) { $null } else { $FromVersion })
                ToVersion    = $ToVersion
                Root         = [string]$requestRoot
                ComputerName = $computer
                RunspaceId   = $runspaceId
            })
    }
}
