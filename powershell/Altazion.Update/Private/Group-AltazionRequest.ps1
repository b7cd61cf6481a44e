function Group-AltazionRequest {
    <#
    .SYNOPSIS
        Groups the module requests collected from the pipeline into executable runs.
    .DESCRIPTION
        The executable takes many --name values but one --instance, so requests are grouped by
        instance: a whole pipeline of modules of one instance (the usual case) is one run. A request
        without a name means "every module"; a request without an instance means "every instance".
        Returns one object per run: Instance, HasInstance, AllModules, Names (duplicates removed,
        first-seen order kept).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [object[]] $Request
    )

    $groups = [ordered]@{}
    foreach ($item in $Request) {
        if ($item.HasInstance) { $key = '=' + ([string]$item.Instance).ToLowerInvariant() } else { $key = '*' }
        if (-not $groups.Contains($key)) {
            $groups[$key] = [pscustomobject]@{
                Instance    = [string]$item.Instance
                HasInstance = [bool]$item.HasInstance
                AllModules  = $false
                Names       = [System.Collections.Generic.List[string]]::new()
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
