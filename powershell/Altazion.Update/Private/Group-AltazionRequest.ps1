function Group-AltazionRequest {
    <#
    .SYNOPSIS
        Groups the requests collected from the pipeline into executable runs.
    .DESCRIPTION
        The executable takes many --name values but one --root and one --instance, so requests are
        grouped by server (PSComputerName / RunspaceId of remoting objects), instance root and
        instance: a whole pipeline of modules of one instance (the usual case) is one run. A request
        without a name means "every module"; a request without an instance means "every instance".
        Returns one object per run: ComputerName, RunspaceId, Root, Instance, HasInstance,
        AllModules, Names (duplicates removed, first-seen order kept).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [object[]] $Request
    )

    $groups = [ordered]@{}
    foreach ($item in $Request) {
        if ($item.HasInstance) { $instanceKey = '=' + ([string]$item.Instance).ToLowerInvariant() } else { $instanceKey = '*' }
        $key = ([string]$item.ComputerName).ToLowerInvariant() + '|' + [string]$item.RunspaceId + '|' + ([string]$item.Root).ToLowerInvariant() + '|' + $instanceKey
        if (-not $groups.Contains($key)) {
            $groups[$key] = [pscustomobject]@{
                ComputerName = [string]$item.ComputerName
                RunspaceId   = [string]$item.RunspaceId
                Root         = [string]$item.Root
                Instance     = [string]$item.Instance
                HasInstance  = [bool]$item.HasInstance
                AllModules   = $false
                Names        = [System.Collections.Generic.List[string]]::new()
            }
        }
        $group = $groups[$key]
        if ([string]::IsNullOrEmpty($item.Name)) {
            $group.AllModules = $true
        }
        else {
            $known = $false
            foreach ($existing in $group.Names) {
                if ([string]::Equals($existing, $item.Name, [System.StringComparison]::OrdinalIgnoreCase)) { $known = $true }
            }
            if (-not $known) { $group.Names.Add([string]$item.Name) }
        }
    }
    foreach ($group in $groups.Values) { $group }
}
