# DSC resource AltazionUpdate (class-based, Windows PowerShell 5.1 and PowerShell 7): keeps one
# Altazion module instance at the latest published version or at a given version. Get, Test and
# Set are built on the Altazion.Update cmdlets; Set never prompts (-Confirm:$false).
#
#   Name      module key (gestioncommerciale, ecommerce, phygitalapi, integration, logistique, database)
#   Instance  instance name from applicationspath.config; 'Main' (or '') for the main instance
#   Version   'Latest', or a version such as '25.10' or '25.10.1.2'
#   Root      instance root (default %ProgramData%\CPoint\[e])
#
# Get() reports and never throws (a module missing from applicationspath.config, or whose version
# is Unknown, is reported as such: Status says which). Test() asks the publisher's feed first
# (Get-AltazionUpdate -Refresh): status.xml may be days old when the update service is stopped,
# and a compliance report must not trust it. Test() changes nothing on the server.

[DscResource()]
class AltazionUpdate {
    [DscProperty(Key)]
    [string] $Name

    [DscProperty(Key)]
    [string] $Instance

    # Not a ValidatePattern: Get() returns this class with Version = what is installed, which may
    # be 'Unknown' or nothing, and must never throw. Test() and Set() check the wanted value.
    [DscProperty(Mandatory)]
    [string] $Version

    [DscProperty()]
    [string] $Root

    [DscProperty(NotConfigurable)]
    [string] $InstalledVersion

    [DscProperty(NotConfigurable)]
    [string] $AvailableVersion

    [DscProperty(NotConfigurable)]
    [string] $Status

    # 'Main' and '' both mean the main instance ('' cannot always be given as a DSC key).
    hidden [string] InstanceArgument() {
        if ([string]::IsNullOrEmpty($this.Instance) -or $this.Instance -ieq 'Main') { return '' }
        return $this.Instance
    }

    hidden [hashtable] CommonArguments() {
        $arguments = @{ Name = $this.Name; Instance = $this.InstanceArgument() }
        if (-not [string]::IsNullOrEmpty($this.Root)) { $arguments['Root'] = $this.Root }
        return $arguments
    }

    # The module as the cmdlets see it, or $null when it is not declared on this server.
    hidden [object] Current([bool] $refresh) {
        $arguments = $this.CommonArguments()
        if ($refresh) { $arguments['Refresh'] = $true }
        # A class method may only read variables it assigns: -ErrorVariable fills this list.
        $failures = [System.Collections.ArrayList]::new()
        $found = @(Get-AltazionUpdate @arguments -ErrorAction SilentlyContinue -ErrorVariable +failures)
        foreach ($failure in @($failures)) {
            # An unknown name is reported by Status; anything else (feed, configuration) is worth a line.
            if ($failure.CategoryInfo.Category -ne 'ObjectNotFound') { Write-Verbose "$($this.Name): $($failure.Exception.Message)" }
        }
        if ($found.Count -eq 0) { return $null }
        return $found[0]
    }

    # Numeric comparison part by part, a missing part being 0 (SPEC section 2): 25.10 = 25.10.0.0.
    static [bool] SameVersion([string] $left, [string] $right) {
        if ([string]::IsNullOrEmpty($left) -or [string]::IsNullOrEmpty($right)) { return $false }
        $a = $left.Split('.')
        $b = $right.Split('.')
        $count = [math]::Max($a.Count, $b.Count)
        for ($i = 0; $i -lt $count; $i++) {
            $x = 0L
            $y = 0L
            if ($i -lt $a.Count -and -not [long]::TryParse($a[$i], [ref]$x)) { return $false }
            if ($i -lt $b.Count -and -not [long]::TryParse($b[$i], [ref]$y)) { return $false }
            if ($x -ne $y) { return $false }
        }
        return $true
    }

    [AltazionUpdate] Get() {
        $result = [AltazionUpdate]::new()
        $result.Name = $this.Name
        $result.Instance = $this.Instance
        $result.Root = $this.Root
        $current = $this.Current($false)
        if ($null -eq $current) {
            # Not declared in applicationspath.config: reported, not thrown (Get must always answer).
            $result.Status = 'NotInstalled'
            $result.InstalledVersion = ''
            $result.Version = ''
            return $result
        }
        $result.InstalledVersion = [string]$current.InstalledVersion
        $result.AvailableVersion = [string]$current.AvailableVersion
        $result.Status = [string]$current.Status
        # Version: what is on the server ('Unknown' when no manifest or version resource tells).
        $result.Version = [string]$current.InstalledVersion
        return $result
    }

    hidden [void] AssertWantedVersion() {
        if ($this.Version -notmatch '^(Latest|\d+(\.\d+){1,3})$') {
            throw "AltazionUpdate $($this.Name): Version '$($this.Version)' is not valid: give 'Latest' or a version such as 25.10 or 25.10.1.2."
        }
    }

    [bool] Test() {
        $this.AssertWantedVersion()
        $current = $this.Current($true)
        if ($null -eq $current -or [string]$current.Status -eq 'NotInstalled') {
            Write-Verbose "$($this.Name): not installed."
            return $false
        }
        if ($this.Version -eq 'Latest') {
            $compliant = -not [bool]$current.UpdateAvailable -and [string]$current.Status -ne 'Unknown'
            Write-Verbose "$($this.Name): installed $($current.InstalledVersion), available $($current.AvailableVersion) (feed checked now): compliant = $compliant."
            return $compliant
        }
        $compliant = [AltazionUpdate]::SameVersion([string]$current.InstalledVersion, $this.Version)
        Write-Verbose "$($this.Name): installed $($current.InstalledVersion), wanted $($this.Version): compliant = $compliant."
        return $compliant
    }

    [void] Set() {
        $this.AssertWantedVersion()
        $arguments = $this.CommonArguments()
        $arguments['Confirm'] = $false
        $arguments['ErrorAction'] = 'Stop'
        if ($this.Version -ne 'Latest') {
            $arguments['Version'] = $this.Version
            # A pinned version is what the configuration wants, older or not.
            $arguments['AllowDowngrade'] = $true
        }
        $results = @(Install-AltazionUpdate @arguments)
        if ($results.Count -eq 0) { throw "Altazion module '$($this.Name)' (instance '$($this.Instance)') is not declared on this server: nothing was installed." }
        foreach ($result in $results) {
            $outcome = [string]$result.Result
            if ($outcome -ne 'Installed' -and $outcome -ne 'UpToDate') {
                throw "Altazion update of $($result.Name) ended with $outcome : $($result.Message)"
            }
            Write-Verbose "$($result.Name): $outcome $($result.FromVersion) -> $($result.ToVersion)."
        }
    }
}
