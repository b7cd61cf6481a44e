function ConvertFrom-AltazionRecord {
    <#
    .SYNOPSIS
        Turns the data of an `object` message into the PowerShell object a user sees.
    .DESCRIPTION
        The record type (e.g. 'Altazion.Update') is inserted first in PSTypeNames so the format file
        and Get-Member show it; properties stay plain note properties, which serialise cleanly over
        remoting. Timestamps (properties ending in 'At') become [datetime] on every edition:
        Windows PowerShell 5.1's ConvertFrom-Json leaves them as strings, PowerShell 7 converts them.
        The message ids the tool adds only when it has one (DetailId, MessageId, ...) are added as
        $null otherwise: every object of a type has the same properties, so a script under
        Set-StrictMode -Version Latest can read $_.DetailId of any of them.
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
    $optional = @{
        'Altazion.Update'        = @('DetailId', 'DetailParams')
        'Altazion.InstallResult' = @('MessageId', 'MessageParams')
        'Altazion.RepairResult'  = @('DetailId', 'DetailParams', 'ActionId', 'ActionParams')
    }
    if ($optional.ContainsKey($TypeName)) {
        foreach ($name in $optional[$TypeName]) {
            if ($null -eq $Data.PSObject.Properties[$name]) { $Data | Add-Member -NotePropertyName $name -NotePropertyValue $null }
        }
    }
    $Data.PSObject.TypeNames.Insert(0, $TypeName)
    return $Data
}
