function Resolve-AltazionPath {
    <#
    .SYNOPSIS
        A path as the user meant it: relative to PowerShell's current location (not the process's
        directory), PowerShell drives resolved (TestDrive:\x, a New-PSDrive name), file system only.
    .DESCRIPTION
        From an elevated Windows PowerShell 5.1 console the process directory is C:\Windows\System32
        while the prompt shows another folder: .NET would resolve '.\review' there. The provider
        path of the caller's location is what the user means. The path need not exist yet.
        A path of another provider (HKLM:\..., Cert:\...) is an InvalidArgument error.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [string] $Path,

        # The parameter it came from, named in the error.
        [Parameter(Mandatory = $true)]
        [string] $ParameterName
    )

    $provider = $null
    $drive = $null
    try {
        $resolved = $Cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path, [ref]$provider, [ref]$drive)
    }
    catch {
        $record = New-AltazionErrorRecord -Code 'E_USAGE' -Message "-$ParameterName '$Path' is not a valid path: $($_.Exception.Message)" -Target $Path
        $Cmdlet.ThrowTerminatingError($record)
    }
    if ($provider.Name -ne 'FileSystem') {
        $record = New-AltazionErrorRecord -Code 'E_USAGE' -Message "-$ParameterName '$Path' is a $($provider.Name) path: give a folder of the file system." -Target $Path
        $Cmdlet.ThrowTerminatingError($record)
    }
    return $resolved
}
