function Get-AltazionPropertyValue {
    <#
    .SYNOPSIS
        A property of an object as a string, or $null when it has no such property (safe under
        Set-StrictMode, works on deserialized remoting objects).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowNull()] [object] $InputObject,
        [Parameter(Mandatory = $true)] [string] $Property
    )

    if ($null -eq $InputObject) { return $null }
    $member = $InputObject.PSObject.Properties[$Property]
    if ($null -eq $member -or $null -eq $member.Value) { return $null }
    return [string]$member.Value
}
