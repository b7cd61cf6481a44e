function Format-AltazionInstallTarget {
    <#
    .SYNOPSIS
        The target text of an install confirmation: module, instance, from and to versions.
    .EXAMPLE
        Format-AltazionInstallTarget -Name ecommerce -Instance preprod -FromVersion 25.5 -ToVersion 25.10
        # ecommerce (instance preprod) from 25.5 to 25.10
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowEmptyString()] [string] $Name,
        [AllowEmptyString()] [string] $Instance,
        [bool] $HasInstance = $true,
        [AllowEmptyString()] [string] $FromVersion,
        [AllowEmptyString()] [string] $ToVersion
    )

    if ([string]::IsNullOrEmpty($Name)) { $text = 'every module with an update' } else { $text = $Name }
    if (-not $HasInstance) { $text += ' (every instance)' }
    elseif ([string]::IsNullOrEmpty($Instance)) { $text += ' (main instance)' }
    else { $text += " (instance $Instance)" }
    if ([string]::IsNullOrEmpty($FromVersion)) { $FromVersion = 'the installed version' }
    if ([string]::IsNullOrEmpty($ToVersion)) { $ToVersion = 'the latest available version' }
    return "$text from $FromVersion to $ToVersion"
}
