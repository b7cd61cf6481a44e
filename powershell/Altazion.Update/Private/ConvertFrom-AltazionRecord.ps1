function ConvertFrom-AltazionRecord {
    <#
    .SYNOPSIS
        Turns the data of an `object` message into the PowerShell object a user sees.
    .DESCRIPTION
        The record type (e.g. 'Altazion.Update') is inserted first in PSTypeNames so the format file
        and Get-Member show it; properties stay plain note properties, which serialise cleanly over
        remoting. Timestamps (properties ending in 'At') become [datetime] on every edition:
        Windows PowerShell 5.1's ConvertFrom-Json leaves them as strings, PowerShell 7 converts them.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $TypeName,

        [Parameter(Mandatory = $true)]
        [AllowNull()]
        [object] $Data
    )

    if ($null -eq $Data) { $Data = [pscustomobject]@{} }
    foreach ($property in @($Data.PSObject.Properties)) {
        if ($property.Name -like '*At' -and $property.Value -is [string] -and $property.Value.Length -gt 0) {
            $parsed = [datetime]::MinValue
            $styles = [System.Globalization.DateTimeStyles]::RoundtripKind
            if ([datetime]::TryParse($property.Value, [System.Globalization.CultureInfo]::InvariantCulture, $styles, [ref]$parsed)) {
                $property.Value = $parsed
            }
        }
    }
    $Data.PSObject.TypeNames.Insert(0, $TypeName)
    return $Data
}
