# TEST TOOL (never shipped): a private OpenSSH server on a free loopback port for PowerShell
# remoting over SSH (pwsh as the SSH subsystem), with its own config, host key and client key in a
# temporary folder; nothing of the machine's own ssh set-up is read or changed. Needs Debian's
# openssh-server and openssh-client (.ci/run installs them); runs as the current user (root in CI).
# Each "server" is an SSH subsystem with its own environment (e.g. its own ALTAZION_ROOT), so one
# sshd stands for several Altazion servers.

function Start-TestSshServer {
    <#
    -Subsystem @{ name = @{ VAR = 'value' } }: one pwsh subsystem per name, with those variables.
    Returns Folder, Port, Process, KeyFile, KnownHosts, UserName; stop it with Stop-TestSshServer.
    #>
    param(
        [Parameter(Mandatory = $true)] [string] $Pwsh,
        [Parameter(Mandatory = $true)] [hashtable] $Subsystem
    )
    $folder = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'altazion-sshd-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    [void][System.IO.Directory]::CreateDirectory($folder)
    & ssh-keygen -q -t ed25519 -N '' -f "$folder/host_key" | Out-Null
    & ssh-keygen -q -t ed25519 -N '' -f "$folder/client_key" | Out-Null
    [System.IO.File]::Copy("$folder/client_key.pub", "$folder/authorized_keys")
    & chmod 600 "$folder/authorized_keys" "$folder/client_key" "$folder/host_key"
    # sshd's privilege separation folder (Debian creates it when the service starts; CI has no service).
    if (-not [System.IO.Directory]::Exists('/run/sshd')) { [void][System.IO.Directory]::CreateDirectory('/run/sshd') }

    # A free port: bind port 0, read it, release it (sshd binds it right after).
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()

    $lines = @(
        "Port $port", 'ListenAddress 127.0.0.1', "HostKey $folder/host_key", "PidFile $folder/sshd.pid",
        "AuthorizedKeysFile $folder/authorized_keys", 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes', 'UsePAM no', 'StrictModes no', 'PermitRootLogin prohibit-password', 'MaxSessions 50', 'MaxStartups 50'
    )
    foreach ($name in $Subsystem.Keys) {
        $wrapper = "$folder/subsystem-$name.sh"
        $exports = ($Subsystem[$name].GetEnumerator() | ForEach-Object { "export $($_.Key)='$($_.Value)'" }) -join "`n"
        [System.IO.File]::WriteAllText($wrapper, "#!/bin/sh`n$exports`nexport NO_COLOR=1`nexec '$Pwsh' -sshs -NoLogo -NoProfile`n")
        & chmod 755 $wrapper
        $lines += "Subsystem $name $wrapper"
    }
    [System.IO.File]::WriteAllText("$folder/sshd_config", ($lines -join "`n") + "`n")
    $hostKey = ([System.IO.File]::ReadAllText("$folder/host_key.pub").Split(' ')[0..1]) -join ' '
    [System.IO.File]::WriteAllText("$folder/known_hosts", "[127.0.0.1]:$port $hostKey`n[localhost]:$port $hostKey`n")

    # -D: stays in the foreground as our child; -e: its log to stderr (kept in a file).
    $start = [System.Diagnostics.ProcessStartInfo]::new('/usr/sbin/sshd')
    foreach ($argument in @('-D', '-e', '-f', "$folder/sshd_config")) { $start.ArgumentList.Add($argument) }
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    $log = $process.StandardError.ReadLineAsync()
    # Ready when it accepts a connection (bounded; an exit means a bad config: show its log).
    $deadline = [datetime]::UtcNow.AddSeconds(60)
    while ($true) {
        if ($process.HasExited) { throw "sshd exited ($($process.ExitCode)): $($log.Result) $($process.StandardError.ReadToEnd())" }
        $client = [System.Net.Sockets.TcpClient]::new()
        try { $client.Connect('127.0.0.1', $port); break } catch { } finally { $client.Dispose() }
        if ([datetime]::UtcNow -gt $deadline) { throw "sshd did not listen on port $port" }
        Start-Sleep -Milliseconds 100
    }
    [pscustomobject]@{
        Folder = $folder; Port = $port; Process = $process; KeyFile = "$folder/client_key"
        KnownHosts = "$folder/known_hosts"; UserName = [System.Environment]::UserName
    }
}

function New-TestSshSession {
    <# A PSSession over SSH to the test server, to the given subsystem, as HostName (127.0.0.1 or localhost). #>
    param([Parameter(Mandatory = $true)] $Server, [string] $Subsystem = 'powershell', [string] $HostName = '127.0.0.1')
    New-PSSession -HostName $HostName -Port $Server.Port -UserName $Server.UserName -KeyFilePath $Server.KeyFile -Subsystem $Subsystem `
        -Options @{ UserKnownHostsFile = $Server.KnownHosts; StrictHostKeyChecking = 'yes'; BatchMode = 'yes' } -ErrorAction Stop
}

function Stop-TestSshServer {
    param($Server)
    if ($null -eq $Server) { return }
    Get-PSSession | Remove-PSSession -ErrorAction SilentlyContinue
    if (-not $Server.Process.HasExited) { $Server.Process.Kill($true); $Server.Process.WaitForExit() }
    [System.IO.Directory]::Delete($Server.Folder, $true)
}

Export-ModuleMember -Function Start-TestSshServer, New-TestSshSession, Stop-TestSshServer
