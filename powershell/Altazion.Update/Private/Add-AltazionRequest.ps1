function Add-AltazionRequest {
    <#
    .SYNOPSIS
        Records the modules asked for by one pipeline object (or the command line) into the list of
        requests a cmdlet answers with one run of the executable in its end block.
    .DESCRIPTION
        Get-AltazionUpdate and Install-AltazionUpdate collect their pipeline the same way: each
        process block adds one request per -Name value (or one "every module" request when no name
        is given), with the -Instance in force and whether an instance was actually chosen. This
        helper keeps that collection in one place so that both cmdlets group and select modules
        identically (see Group-AltazionRequest).

        An instance counts as chosen when -Instance was on the command line, or when the piped object
        carries a non-null Instance property: per pipeline object PowerShell resets -Instance to ''
        yet keeps it in $PSBoundParameters, so only the object itself tells.

        Each request is an object with Name, Instance, HasInstance, FromVersion and ToVersion. A
        request for every module has no FromVersion (it does not name one module).
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

        # Kept as given ($null stays $null): only Install-AltazionUpdate passes versions.
        [object] $FromVersion,

        [object] $ToVersion
    )

    $hasInstance = $InstanceOnCommandLine
    if (-not $hasInstance -and $Cmdlet.MyInvocation.ExpectingInput -and $null -ne $InputObject) {
        $hasInstance = $null -ne $InputObject.PSObject.Properties['Instance'] -and $null -ne $InputObject.Instance
    }
    if ($null -eq $Name -or $Name.Count -eq 0) {
        $Request.Add([pscustomobject]@{ Name = $null; Instance = $Instance; HasInstance = $hasInstance; FromVersion = $null; ToVersion = $ToVersion })
    }
    else {
        foreach ($moduleName in $Name) {
            $Request.Add([pscustomobject]@{ Name = $moduleName; Instance = $Instance; HasInstance = $hasInstance; FromVersion = $FromVersion; ToVersion = $ToVersion })
        }
    }
}
