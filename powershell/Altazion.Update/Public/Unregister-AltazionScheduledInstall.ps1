function Unregister-AltazionScheduledInstall {
    <#
    .SYNOPSIS
        Cancels Altazion installs scheduled for a maintenance window.

    .DESCRIPTION
        Unregister-AltazionScheduledInstall cancels installs scheduled with Install-AltazionUpdate
        -At, `altazion-update install --at` or the portal, by their Id (from
        Get-AltazionScheduledInstall, whose objects can be piped). A cancelled install is never run
        by the update service. An install the service is already running cannot be cancelled: that
        is an error naming it (it finishes, or rolls back, like any install). An unknown Id is one
        non-terminating ObjectNotFound error; the other ids are cancelled. Returns the cancelled
        installs.

    .PARAMETER Id
        Id(s) of the scheduled installs to cancel. Accepts pipeline input by value and by property
        name (Altazion.ScheduledInstall objects).

    .PARAMETER Root
        Root folder of the Altazion instance. Default: the ALTAZION_ROOT environment variable,
        else %ProgramData%\CPoint\[e].

    .PARAMETER WhatIf
        Shows which installs would be cancelled and cancels nothing.

    .PARAMETER Confirm
        Asks for confirmation before each cancellation.

    .INPUTS
        System.String
            Ids.

        System.Management.Automation.PSObject
            Objects with an Id property, such as Altazion.ScheduledInstall objects.

    .OUTPUTS
        Altazion.ScheduledInstall
            Each cancelled install, with the properties of Get-AltazionScheduledInstall's objects:
            Id, Names, Instance, Version, Force, At, NotAfter, RequestedBy, User, CreatedAt, State.

    .EXAMPLE
        PS C:\> Unregister-AltazionScheduledInstall -Id 20261205T101010-abcdef

        Cancels one scheduled install.

    .EXAMPLE
        PS C:\> Get-AltazionScheduledInstall | Unregister-AltazionScheduledInstall -Confirm:$false

        Cancels every scheduled install without asking.

    .EXAMPLE
        PS C:\> Get-AltazionScheduledInstall -Name database | Unregister-AltazionScheduledInstall -WhatIf

        Shows which scheduled database installs would be cancelled.

    .EXAMPLE
        PS C:\> Invoke-Command -ComputerName web1 { Get-AltazionScheduledInstall | Unregister-AltazionScheduledInstall -Confirm:$false }

        Cancels what was scheduled on another server, over remoting.

    .LINK
        Get-AltazionScheduledInstall

    .LINK
        Install-AltazionUpdate
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('Altazion.ScheduledInstall')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Id,

        [ValidateNotNullOrEmpty()]
        [string] $Root
    )

    begin {
        # Relative to this location (not the process's directory).
        if ($PSBoundParameters.ContainsKey('Root')) { $Root = Resolve-AltazionPath -Cmdlet $PSCmdlet -Path $Root -ParameterName 'Root' }
    }

    process {
        foreach ($one in $Id) {
            if ($PSCmdlet.ShouldProcess("scheduled install $one", 'Cancel')) {
                Invoke-AltazionNative -ArgumentList @('schedule', 'cancel', $one) -Cmdlet $PSCmdlet -Root $Root
            }
        }
    }
}
