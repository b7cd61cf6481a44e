function Get-AltazionSelectionArgument {
    <#
    .SYNOPSIS
        The --name / --instance arguments of one group made by Group-AltazionRequest.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [object] $Group
    )

    if (-not $Group.AllModules) {
        foreach ($moduleName in $Group.Names) {
            '--name'
            $moduleName
        }
    }
    if ($Group.HasInstance) {
        # An empty value is meaningful: the main instance of a module (SPEC section 4).
        '--instance'
        [string]$Group.Instance
    }
}
