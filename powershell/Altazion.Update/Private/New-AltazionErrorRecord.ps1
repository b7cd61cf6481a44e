function New-AltazionErrorRecord {
    <#
    .SYNOPSIS
        Builds the ErrorRecord for one `error` message of the executable (SPEC section 5).
    .DESCRIPTION
        The error code becomes the ErrorId (PowerShell appends the cmdlet name when the record is
        written, e.g. 'E_FEED_SIGNATURE,Get-AltazionUpdate'), the code family chooses the
        ErrorCategory and the exception type, the target becomes TargetObject and the hint
        ErrorDetails.RecommendedAction, so `$Error[0]` and `-ErrorVariable` carry it all.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Code,

        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string] $Message,

        [AllowEmptyString()]
        [string] $Target,

        [AllowEmptyString()]
        [string] $Hint
    )

    # Same families as src/core/errors.ts (exit codes), finer grained for PowerShell.
    $categories = @{
        'E_USAGE'             = 'InvalidArgument'
        'E_CONFIG'            = 'InvalidData'
        'E_FEED_SIGNATURE'    = 'SecurityError'
        'E_FEED_UNKNOWN_KEY'  = 'SecurityError'
        'E_FEED_REVOKED_KEY'  = 'SecurityError'
        'E_FEED_EXPIRED'      = 'SecurityError'
        'E_FEED_ROLLBACK'     = 'SecurityError'
        'E_FEED_INVALID'      = 'InvalidData'
        'E_PACKAGE_INTEGRITY' = 'SecurityError'
        'E_PACKAGE_INVALID'   = 'InvalidData'
        'E_NOT_FOUND'         = 'ObjectNotFound'
        'E_MANUAL_ACTION'     = 'InvalidOperation'
        'E_DB_CUSTOMIZED'     = 'InvalidOperation'
        'E_REQUIREMENT'       = 'ResourceUnavailable'
        'E_BUSY'              = 'ResourceBusy'
        'E_LOCKED'            = 'ResourceBusy'
        'E_FEED_UNREACHABLE'  = 'ConnectionError'
        'E_DOWNLOAD'          = 'ConnectionError'
        'E_HOOK'              = 'InvalidResult'
        'E_HOOK_UNSAFE'       = 'SecurityError'
        'E_PLATFORM'          = 'InvalidOperation'
        'E_DISK_SPACE'        = 'LimitsExceeded'
        'E_DATABASE'          = 'InvalidOperation'
        'E_JOURNAL_INVALID'   = 'InvalidData'
        'E_ROLLED_BACK'       = 'OperationStopped'
        'E_STOPPED'           = 'OperationStopped'
        'E_REMOTE'            = 'InvalidArgument'
        'E_EXECUTABLE'        = 'ObjectNotFound'
        'E_PROTOCOL'          = 'ProtocolError'
        'E_FAILED'            = 'NotSpecified'
        'E_INTERNAL'          = 'NotSpecified'
    }
    $category = [System.Management.Automation.ErrorCategory]::NotSpecified
    if ($categories.ContainsKey($Code)) {
        $category = [System.Management.Automation.ErrorCategory]$categories[$Code]
    }

    switch ($category) {
        'InvalidArgument' { $exception = [System.ArgumentException]::new($Message) }
        'ObjectNotFound' { $exception = [System.Management.Automation.ItemNotFoundException]::new($Message) }
        'SecurityError' { $exception = [System.Security.SecurityException]::new($Message) }
        'InvalidData' { $exception = [System.IO.InvalidDataException]::new($Message) }
        default { $exception = [System.InvalidOperationException]::new($Message) }
    }

    $targetObject = $null
    if (-not [string]::IsNullOrEmpty($Target)) { $targetObject = $Target }
    $record = [System.Management.Automation.ErrorRecord]::new($exception, $Code, $category, $targetObject)
    $details = [System.Management.Automation.ErrorDetails]::new($Message)
    if (-not [string]::IsNullOrEmpty($Hint)) { $details.RecommendedAction = $Hint }
    $record.ErrorDetails = $details
    return $record
}
