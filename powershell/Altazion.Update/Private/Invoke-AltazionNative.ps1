function Invoke-AltazionNative {
    <#
    .SYNOPSIS
        Runs altazion-update with --json and turns its NDJSON stream into PowerShell streams.
    .DESCRIPTION
        The one place where the module talks to the executable (protocol: SPEC section 5).
        Lines are read while the process runs, so objects reach the rest of the pipeline, and
        progress reaches the host, as soon as the executable prints them; stderr is drained in the
        background so neither pipe can fill up and block the child.

        object   -> a PSCustomObject with its record type in PSTypeNames (output stream)
        progress -> Write-Progress (Completed when the message says so)
        log      -> Write-Verbose / Write-Information / Write-Warning
        error    -> an ErrorRecord written by the calling cmdlet ($Cmdlet), so its
                    FullyQualifiedErrorId reads 'E_CODE,Get-AltazionUpdate'

        The exit code decides how the last error ends the command: 2 (bad input) and 1 without any
        error message nor result terminate it (ThrowTerminatingError); other failures stay
        non-terminating, so -ErrorAction, -ErrorVariable and try/catch behave as with any cmdlet.

        When the pipeline stops early (Ctrl+C, Select-Object -First, a downstream error, a dropped
        remote session), a run started with -StopGracefully is never killed: its stdin is closed,
        which asks the executable (--stop-on-stdin-close) to finish or roll back the module in
        progress and start no other; the cmdlet waits for that and tells the host what happened.
        Other runs (reads) are killed at once.
    #>
    [CmdletBinding()]
    param(
        # Command and options, e.g. 'get', '--name', 'ecommerce'. --json is added here.
        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string[]] $ArgumentList,

        # The public cmdlet on whose behalf the executable runs: errors, progress and logs are
        # written through it so they carry its name and honour its common parameters.
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [AllowEmptyString()]
        [string] $Root,

        # Ask the executable to stop instead of killing it when the pipeline stops (installs).
        [switch] $StopGracefully
    )

    $executable = Get-AltazionExecutable
    if ($null -eq $executable) {
        $expected = $env:ALTAZION_UPDATE_EXE
        if ([string]::IsNullOrEmpty($expected)) { $expected = [System.IO.Path]::Combine($script:ModuleRoot, 'bin') }
        $record = New-AltazionErrorRecord -Code 'E_EXECUTABLE' -Message "The altazion-update executable was not found (looked for: $expected)." -Target $expected -Hint 'Reinstall the Altazion.Update module (the executable ships in its bin folder) or set $env:ALTAZION_UPDATE_EXE to its path.'
        $Cmdlet.ThrowTerminatingError($record)
    }

    $arguments = [System.Collections.Generic.List[string]]::new()
    foreach ($argument in $ArgumentList) { $arguments.Add($argument) }
    $arguments.Add('--json')
    # Only `install` stops early on request; other runs (repair) are simply awaited.
    if ($StopGracefully -and $ArgumentList.Count -gt 0 -and $ArgumentList[0] -eq 'install') { $arguments.Add('--stop-on-stdin-close') }
    if (-not [string]::IsNullOrEmpty($Root)) {
        $arguments.Add('--root')
        $arguments.Add($Root)
    }

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new()
    $startInfo.FileName = $executable
    $startInfo.Arguments = ConvertTo-AltazionArgumentString -ArgumentList $arguments.ToArray()
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $utf8 = [System.Text.UTF8Encoding]::new($false)
    $startInfo.StandardOutputEncoding = $utf8
    $startInfo.StandardErrorEncoding = $utf8

    $Cmdlet.WriteVerbose("Running: $executable $($startInfo.Arguments)")
    $process = [System.Diagnostics.Process]::new()
    $process.StartInfo = $startInfo
    try {
        [void]$process.Start()
    }
    catch {
        $record = New-AltazionErrorRecord -Code 'E_EXECUTABLE' -Message "Could not start $executable : $($_.Exception.Message)" -Target $executable -Hint 'Check that the file is executable and not blocked (Unblock-File), then retry.'
        $Cmdlet.ThrowTerminatingError($record)
    }

    # Nothing is ever typed into the tool. A graceful run keeps stdin open: closing it is the stop
    # request (and it closes by itself if this process dies). Otherwise any read ends at once.
    if (-not $StopGracefully) { $process.StandardInput.Close() }
    $stderrTask = $process.StandardError.ReadToEndAsync()

    $lineTask = $null
    $pendingError = $null
    $errorCount = 0
    $objectCount = 0
    $lastObject = $null
    $failedObjects = [System.Collections.Generic.List[object]]::new()
    $openActivities = @{}
    $exitCode = $null
    $finished = $false
    try {
        while ($true) {
            $lineTask = $process.StandardOutput.ReadLineAsync()
            # Short waits keep the pipeline responsive to Ctrl+C / Stop() while a line is awaited.
            while (-not $lineTask.Wait(200)) { }
            $line = $lineTask.Result
            $lineTask = $null
            if ($null -eq $line) { break }
            if ($line.Trim().Length -eq 0) { continue }

            try {
                $message = ConvertFrom-Json -InputObject $line -ErrorAction Stop
            }
            catch {
                $message = $null
            }
            if ($null -eq $message -or $null -eq $message.PSObject.Properties['type']) {
                $Cmdlet.WriteWarning("altazion-update printed a line that is not a protocol message: $line")
                continue
            }

            # An error followed by more results or progress did not end the run: it is written now,
            # so -ErrorAction Stop stops the command there (the executable is then asked to stop)
            # instead of after every remaining module. Only the run's last error can terminate it.
            if ($null -ne $pendingError -and ([string]$message.type -eq 'object' -or [string]$message.type -eq 'progress')) {
                $held = $pendingError
                $pendingError = $null
                $Cmdlet.WriteError($held)
            }

            switch ([string]$message.type) {
                'object' {
                    $objectCount++
                    $lastObject = ConvertFrom-AltazionRecord -TypeName ([string]$message.typeName) -Data $message.data
                    $outcome = [string](Get-AltazionPropertyValue $lastObject 'Status') + [string](Get-AltazionPropertyValue $lastObject 'Result')
                    if ($outcome -eq 'Failed' -or $outcome -eq 'RolledBack') { $failedObjects.Add($lastObject) }
                    $lastObject
                }
                'progress' {
                    $activity = [string]$message.activity
                    if ([string]::IsNullOrEmpty($activity)) { $activity = 'altazion-update' }
                    $status = [string]$message.status
                    if ([string]::IsNullOrEmpty($status)) { $status = $activity }
                    $progress = [System.Management.Automation.ProgressRecord]::new([int]$message.id, $activity, $status)
                    $percent = -1
                    if ($null -ne $message.percent) { $percent = [int][math]::Max(-1, [math]::Min(100, [double]$message.percent)) }
                    $progress.PercentComplete = $percent
                    if ($message.PSObject.Properties['completed'] -and $message.completed) {
                        $progress.RecordType = [System.Management.Automation.ProgressRecordType]::Completed
                        $openActivities.Remove([int]$message.id)
                    }
                    else {
                        $openActivities[[int]$message.id] = $activity
                    }
                    $Cmdlet.WriteProgress($progress)
                }
                'log' {
                    $text = [string]$message.message
                    switch ([string]$message.level) {
                        'warning' { $Cmdlet.WriteWarning($text) }
                        'info' { $Cmdlet.WriteInformation($text, [string[]]@('Altazion.Update')) }
                        default { $Cmdlet.WriteVerbose($text) }
                    }
                }
                'error' {
                    $errorCount++
                    # Held back one message: the exit code decides whether the last one terminates.
                    if ($null -ne $pendingError) { $Cmdlet.WriteError($pendingError) }
                    $pendingError = New-AltazionErrorRecord -Code ([string]$message.code) -Message ([string]$message.message) -Target ([string]$message.target) -Hint ([string]$message.hint)
                }
                default {
                    $Cmdlet.WriteVerbose("Ignored a protocol message of unknown type '$($message.type)'.")
                }
            }
        }
        $process.WaitForExit()
        $exitCode = $process.ExitCode
        $finished = $true
    }
    finally {
        if (-not $finished -and $StopGracefully) {
            # The pipeline was stopped: never kill an install (a module may be offline). Ask it to
            # stop, keep reading its output (a full pipe would block it) until it is done, then say
            # what happened: nothing can be written to a stopped pipeline but the host.
            Stop-AltazionNative -Process $process -PendingLine $lineTask -Cmdlet $Cmdlet
        }
        elseif (-not $finished) {
            # A read (get): nothing to protect, do not leave the tool running.
            try { if (-not $process.HasExited) { $process.Kill() } } catch { }
        }
        elseif ($StopGracefully) {
            try { $process.StandardInput.Close() } catch { }
        }
        foreach ($id in @($openActivities.Keys)) {
            $done = [System.Management.Automation.ProgressRecord]::new([int]$id, [string]$openActivities[$id], 'Completed')
            $done.RecordType = [System.Management.Automation.ProgressRecordType]::Completed
            try { $Cmdlet.WriteProgress($done) } catch { }
        }
    }

    $stderr = ''
    try { $stderr = [string]$stderrTask.Result } catch { }
    $process.Dispose()
    $stderrLines = @($stderr -split "\r?\n" | Where-Object { $_.Trim().Length -gt 0 })
    foreach ($stderrLine in $stderrLines) { $Cmdlet.WriteVerbose("altazion-update: $stderrLine") }

    if ($exitCode -eq 0) {
        if ($null -ne $pendingError) { $Cmdlet.WriteError($pendingError) }
        return
    }

    if ($null -eq $pendingError -and $errorCount -eq 0 -and $exitCode -eq 1 -and $objectCount -gt 0) {
        # The results themselves carry the failure (a Failed check, a RolledBack install): they
        # were written; the error makes $? false and lets -ErrorAction Stop catch it. One error per
        # failed result, about it (its check or module as TargetObject, its Action as the hint).
        foreach ($failed in $failedObjects) {
            $check = Get-AltazionPropertyValue $failed 'Check'
            if ($null -ne $check) {
                $what = Get-AltazionPropertyValue $failed 'Target'
                $failure = New-AltazionErrorRecord -Code 'E_FAILED' -Message "Check $check failed on ${what}: $(Get-AltazionPropertyValue $failed 'Detail')" -Target $what -Hint (Get-AltazionPropertyValue $failed 'Action')
            }
            else {
                $what = Get-AltazionPropertyValue $failed 'Name'
                $failure = New-AltazionErrorRecord -Code 'E_FAILED' -Message "${what}: $(Get-AltazionPropertyValue $failed 'Result'): $(Get-AltazionPropertyValue $failed 'Message')" -Target $what
            }
            $Cmdlet.WriteError($failure)
        }
        if ($failedObjects.Count -eq 0) {
            $Cmdlet.WriteError((New-AltazionErrorRecord -Code 'E_FAILED' -Message "altazion-update reported a failure (exit code 1): see the Status or Result of the objects it returned." -Target $executable))
        }
        return
    }

    if ($null -eq $pendingError -and $errorCount -eq 0 -and ($exitCode -eq 1 -or $exitCode -eq 2)) {
        $tail = ''
        if ($stderrLines.Count -gt 0) { $tail = $stderrLines[[math]::Max(0, $stderrLines.Count - 5)..($stderrLines.Count - 1)] -join ' | ' }
        if ($exitCode -eq 2) { $code = 'E_USAGE' } else { $code = 'E_FAILED' }
        # No error message: the last result may still say why (e.g. an InstallResult's Message).
        $why = Get-AltazionPropertyValue -InputObject $lastObject -Property 'Message'
        if ([string]::IsNullOrEmpty($why)) { $why = Get-AltazionPropertyValue -InputObject $lastObject -Property 'Detail' }
        if ([string]::IsNullOrEmpty($why)) { $why = "altazion-update failed with exit code $exitCode without saying why. $tail".Trim() }
        else { $why = "altazion-update failed with exit code ${exitCode}: $why" }
        $pendingError = New-AltazionErrorRecord -Code $code -Message $why -Target $executable -Hint 'Run the same command with -Verbose to see the diagnostics of the tool.'
    }

    if ($null -ne $pendingError -and ($exitCode -eq 2 -or ($exitCode -eq 1 -and $errorCount -eq 0))) {
        $Cmdlet.ThrowTerminatingError($pendingError)
    }
    elseif ($null -ne $pendingError) {
        $Cmdlet.WriteError($pendingError)
    }
    elseif ($errorCount -gt 0) {
        # Its errors were written as the run went on.
    }
    elseif ($exitCode -eq 3) {
        $Cmdlet.WriteWarning('Manual action required: see the Status and Detail of the results.')
    }
    else {
        $Cmdlet.WriteError((New-AltazionErrorRecord -Code 'E_FAILED' -Message "altazion-update ended with exit code $exitCode." -Target $executable))
    }
}
