function ConvertTo-AltazionArgumentString {
    <#
    .SYNOPSIS
        Joins arguments into one command line that the child process splits back exactly.
    .DESCRIPTION
        ProcessStartInfo.ArgumentList does not exist in Windows PowerShell 5.1 (.NET Framework), so
        the arguments are quoted by hand following the Windows rules (CommandLineToArgvW / the
        Microsoft C runtime), which .NET also applies when it starts a process on Linux:
        an argument with spaces, tabs or quotes (or an empty one) is wrapped in double quotes,
        embedded quotes are escaped with a backslash and the backslashes before a quote, or
        before the closing quote, are doubled.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [AllowEmptyString()]
        [string[]] $ArgumentList
    )

    $quoted = foreach ($argument in $ArgumentList) {
        if ($null -eq $argument) { $argument = '' }
        if ($argument.Length -gt 0 -and $argument -notmatch '[\s"]') {
            $argument
        }
        else {
            $escaped = [regex]::Replace($argument, '(\\*)"', '$1$1\"')
            $escaped = [regex]::Replace($escaped, '(\\+)$', '$1$1')
            '"' + $escaped + '"'
        }
    }
    return ($quoted -join ' ')
}
