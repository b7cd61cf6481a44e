function Get-AltazionScheduledInstall {
    <#
    .SYNOPSIS
        Lists the Altazion installs scheduled for a maintenance window on this server.

    .DESCRIPTION
        Get-AltazionScheduledInstall lists the installs scheduled with Install-AltazionUpdate -At,
        with `altazion-update install --at` or with the portal's "Installer cette nuit à 02:00":
        which modules, when, until when they may still start, who asked, and whether the update
        service is running them now. The update service runs each one at its time; an install that
        could not start before its NotAfter time is not run and is reported instead. Pipe the
        objects to Unregister-AltazionScheduledInstall to cancel them. Nothing is changed.

    .PARAMETER Name
        Only the scheduled installs that name one of these modules (an install scheduled for every
        module matches any name). Accepts pipeline input by value and by property name.

    .PARAMETER Root
        Root folder of the Altazion instance. Default: the ALTAZION_ROOT environment variable,
        else %ProgramData%\CPoint\[e].

    .INPUTS
        System.String
            Module names.

    .OUTPUTS
        Altazion.ScheduledInstall
            One object per scheduled install, with the properties:
            Id           the id to cancel it with
            Names        module keys (empty: every module with an update)
            Instance     instance name ($null: every instance)
            Version      version to install ($null: the latest)
            Force        whether --force was asked
            At           when it starts ([datetime])
            NotAfter     the latest time it may still start
            RequestedBy  cli, cmdlet or portal
            User         who scheduled it
            CreatedAt    when it was scheduled
            State        Pending, or Running while the service runs it

    .EXAMPLE
        PS C:\> Get-AltazionScheduledInstall

        Lists every scheduled install of this server.

    .EXAMPLE
        PS C:\> Get-AltazionScheduledInstall -Name ecommerce

        Only those that install the e-commerce site.

    .EXAMPLE
        PS C:\> Get-AltazionScheduledInstall | Where-Object RequestedBy -eq 'portal' | Unregister-AltazionScheduledInstall

        Cancels the installs scheduled from the portal.

    .EXAMPLE
        PS C:\> Invoke-Command -ComputerName web1, web2 { Get-AltazionScheduledInstall }

        What is scheduled on two servers, over remoting.

    .LINK
        Install-AltazionUpdate

    .LINK
        Unregister-AltazionScheduledInstall
    #>
    [CmdletBinding()]
    [OutputType('Altazion.ScheduledInstall')]
    param(
        [Parameter(Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name,

        [ValidateNotNullOrEmpty()]
        [string] $Root
    )

    begin {
        $names = [System.Collections.Generic.List[string]]::new()
        # Relative to this location (not the process's directory).
        if ($PSBoundParameters.ContainsKey('Root')) { $Root = Resolve-AltazionPath -Cmdlet $PSCmdlet -Path $Root -ParameterName 'Root' }
    }

    process {
        foreach ($n in @($Name)) { if ($n -and -not $names.Contains($n)) { $names.Add($n) } }
    }

    end {
        Invoke-AltazionNative -ArgumentList @('schedule', 'list') -Cmdlet $PSCmdlet -Root $Root | Where-Object {
            $listed = @($_.Names)
            $names.Count -eq 0 -or $listed.Count -eq 0 -or @($listed | Where-Object { $names -contains $_ }).Count -gt 0
        }
    }
}
