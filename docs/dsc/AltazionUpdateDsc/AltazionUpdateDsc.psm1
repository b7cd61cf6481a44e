# DSC resource AltazionUpdate (class-based, Windows PowerShell 5.1 and PowerShell 7): keeps one
# Altazion module instance at the latest published version or at a given version. Get, Test and
# Set are built on the Altazion.Update cmdlets; Set never prompts (-Confirm:$false).
#
#   Name      module key (gestioncommerciale, ecommerce, phygitalapi, integration, logistique, database)
#   Instance  instance name from applicationspath.config; 'Main' (or '') for the main instance
#   Ensure    'Latest', or a version such as '25.10' or '25.10.1.2'
#   Root      instance root (default %ProgramData%\CPoint\[e])
#   Refresh   check the publisher's feed during Test instead of using what the update service detected

[DscResource()]
class AltazionUpdate {
    [DscProperty(Key)]
    [string] $Name

    [DscProperty(Key)]
    [string] $Instance

    [DscProperty(Mandatory)]
    [ValidatePattern('^(Latest|\d+(\.\d+){1,3})$')]
    [string] $Ensure

    [DscProperty()]
    [string] $Root

    [DscProperty()]
    [bool] $Refresh

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
        $arguments = @{ Name = $this.Name; Instance = $this.InstanceArgument(); ErrorAction = 'Stop' }
        if (-not [string]::IsNullOrEmpty($this.Root)) { $arguments['Root'] = $this.Root }
        return $arguments
    }

    hidden [object] Current([bool] $refresh) {
        $arguments = $this.CommonArguments()
        if ($refresh) { $arguments['Refresh'] = $true }
        $found = @(Get-AltazionUpdate @arguments)
        if ($found.Count -eq 0) {
            throw "Altazion module '$($this.Name)' (instance '$($this.Instance)') is not declared in applicationspath.config."
        }
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
        $current = $this.Current($false)
        $result = [AltazionUpdate]::new()
        $result.Name = $this.Name
        $result.Instance = $this.Instance
        $result.Root = $this.Root
        $result.Refresh = $this.Refresh
        $result.InstalledVersion = [string]$current.InstalledVersion
        $result.AvailableVersion = [string]$current.AvailableVersion
        $result.Status = [string]$current.Status
        if ($this.Ensure -eq 'Latest' -and -not [bool]$current.UpdateAvailable) {
            $result.Ensure = 'Latest'
        }
        else {
            $result.Ensure = [string]$current.InstalledVersion
        }
        return $result
    }

    [bool] Test() {
        $current = $this.Current($this.Refresh)
        if ([string]$current.Status -eq 'NotInstalled') {
            Write-Verbose "$($this.Name): not installed."
            return $false
        }
        if ($this.Ensure -eq 'Latest') {
            $compliant = -not [bool]$current.UpdateAvailable
            Write-Verbose "$($this.Name): installed $($current.InstalledVersion), available $($current.AvailableVersion): compliant = $compliant."
            return $compliant
        }
        $compliant = [AltazionUpdate]::SameVersion([string]$current.InstalledVersion, $this.Ensure)
        Write-Verbose "$($this.Name): installed $($current.InstalledVersion), wanted $($this.Ensure): compliant = $compliant."
        return $compliant
    }

    [void] Set() {
        $arguments = $this.CommonArguments()
        $arguments['Confirm'] = $false
        if ($this.Ensure -ne 'Latest') { $arguments['Version'] = $this.Ensure }
        $results = @(Install-AltazionUpdate @arguments)
        foreach ($result in $results) {
            $outcome = [string]$result.Result
            if ($outcome -ne 'Installed' -and $outcome -ne 'UpToDate') {
                throw "Altazion update of $($result.Name) ended with $outcome : $($result.Message)"
            }
            Write-Verbose "$($result.Name): $outcome $($result.FromVersion) -> $($result.ToVersion)."
        }
    }
}
