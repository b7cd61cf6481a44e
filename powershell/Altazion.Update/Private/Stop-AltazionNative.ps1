function Stop-AltazionNative {
    <#
    .SYNOPSIS
        Asks a running altazion-update install to stop, waits until it has, and tells the host what
        happened (called when the cmdlet's pipeline stops).
    .DESCRIPTION
        Closing stdin is the stop request (--stop-on-stdin-close): the executable finishes or rolls
        back the module in progress and starts no other, reporting each one not started (E_STOPPED).
        Its remaining output is read to the end meanwhile, so it never blocks on a full pipe. No
        time limit: killing it could leave a module offline until the next run rolls it back.
        The pipeline is stopped, so results cannot be written; a warning on the host lists them.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Diagnostics.Process] $Process,

        # The read of stdout that was in progress when the pipeline stopped ($null if none).
        [AllowNull()]
        [object] $PendingLine,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    try { $Process.StandardInput.Close() } catch { }
    $done = [System.Collections.Generic.List[string]]::new()
    $notStarted = [System.Collections.Generic.List[string]]::new()
    $lines = [System.Collections.Generic.List[string]]::new()
    try {
        while ($true) {
            if ($null -ne $PendingLine) {
                # The read in progress when the pipeline stopped gets the next line.
                [void]$PendingLine.Wait()
                $line = $PendingLine.Result
                $PendingLine = $null
            }
            else {
                $line = $Process.StandardOutput.ReadLine()
            }
            if ($null -eq $line) { break }
            $lines.Add($line)
            # Its warnings (e.g. "stop requested: finishing the module in progress") are shown as
            # they come: the wait may be long, the admin must know why.
            if ($line.Contains('"type":"log"') -and $line.Contains('"level":"warning"')) {
                try { $Cmdlet.Host.UI.WriteWarningLine('altazion-update: ' + [string](ConvertFrom-Json -InputObject $line).message) } catch { }
            }
        }
        $Process.WaitForExit()
    }
    catch {
        # Reading failed (the process vanished): nothing more to learn.
    }
    foreach ($line in $lines) {
        $message = $null
        try { $message = ConvertFrom-Json -InputObject $line -ErrorAction Stop } catch { continue }
        if ($null -eq $message -or $null -eq $message.PSObject.Properties['type']) { continue }
        if ([string]$message.type -eq 'object' -and [string]$message.typeName -eq 'Altazion.InstallResult') {
            $data = $message.data
            $done.Add("$($data.Name) $($data.Result) ($($data.FromVersion) -> $($data.ToVersion))")
        }
        elseif ([string]$message.type -eq 'error' -and [string]$message.code -eq 'E_STOPPED') {
            $notStarted.Add([string]$message.target)
        }
    }
    $text = "$($Cmdlet.MyInvocation.MyCommand.Name) was stopped; altazion-update was asked to stop and allowed to end instead of being killed (an install finishes or rolls back the module in progress and starts no other)."
    if ($done.Count -gt 0) { $text += ' Results: ' + ($done -join '; ') + '.' }
    if ($notStarted.Count -gt 0) { $text += ' Not started: ' + ($notStarted -join ', ') + '.' }
    if ($Process.HasExited) { $text += " (altazion-update exit code $($Process.ExitCode))" }
    try { $Cmdlet.Host.UI.WriteWarningLine($text) } catch { }
}
