function Open-AltazionPortal {
    <#
    .SYNOPSIS
        Opens the Altazion update portal in the default browser, signed in as an administrator.

    .DESCRIPTION
        The update portal (http://localhost:8080 by default) shows every local user the modules,
        the database page, the history and the server's health; its actions (Installer, run or
        mark a database script, check now) are for administrators only.

        Open-AltazionPortal proves you are one: it runs "altazion-update portal open", which reads
        the secret the update service writes at each start into bin\updates\portal\token.json (a
        file only Administrators and SYSTEM can read; run PowerShell as administrator) and asks
        the running portal for a one-time sign-in link, valid two minutes and once. The browser
        opened on that link gets a session cookie (HttpOnly, SameSite=Strict, eight hours); the
        secret itself never reaches the browser. Your account name is recorded with each action
        you take (install history, service log).

        The update service must be running. The cmdlet never prompts and changes nothing on the
        server besides opening the session.

    .PARAMETER Root
        Root folder of the Altazion instance. Default: the ALTAZION_ROOT environment variable,
        else %ProgramData%\CPoint\[e].

    .PARAMETER NoBrowser
        Opens no browser: returns the sign-in link as an Altazion.PortalSignIn object, to open
        within two minutes (for instance in another browser of the same machine).

    .PARAMETER PassThru
        Also returns the Altazion.PortalSignIn object when the browser is opened.

    .INPUTS
        None
            Nothing is read from the pipeline.

    .OUTPUTS
        Altazion.PortalSignIn
            With -NoBrowser or -PassThru, one object with the properties:
            Url        the one-time sign-in link (valid two minutes, once)
            ExpiresAt  when the link stops working
            User       the account recorded with your actions
            Portal     the portal's address
            Opened     whether a browser was opened on the link

    .EXAMPLE
        PS C:\> Open-AltazionPortal

        From an elevated prompt on the server: the default browser opens the portal, signed in.

    .EXAMPLE
        PS C:\> Open-AltazionPortal -Root 'C:\ProgramData\CPoint\[e] - preprod'

        The portal of another instance of Altazion on the same server.

    .EXAMPLE
        PS C:\> (Open-AltazionPortal -NoBrowser).Url

        Only prints the one-time link, for a browser of your choice on this server.

    .EXAMPLE
        PS C:\> Open-AltazionPortal -PassThru | Select-Object User, ExpiresAt

        Opens the browser and shows under which account the actions will be recorded.

    .LINK
        Install-AltazionUpdate

    .LINK
        Repair-AltazionUpdater
    #>
    [CmdletBinding(PositionalBinding = $false)]
    [OutputType('Altazion.PortalSignIn')]
    param(
        [ValidateNotNullOrEmpty()]
        [string] $Root,

        [switch] $NoBrowser,

        [switch] $PassThru
    )

    # The executable signs in and prints the link; the browser is opened from here, in this
    # user's session, with the shell's default handler for http links.
    # Relative to this location (not the process's directory).
    if ($PSBoundParameters.ContainsKey('Root')) { $Root = Resolve-AltazionPath -Cmdlet $PSCmdlet -Path $Root -ParameterName 'Root' }
    $link = $null
    foreach ($record in @(Invoke-AltazionNative -ArgumentList @('portal', 'open', '--no-browser') -Cmdlet $PSCmdlet -Root $Root)) {
        if ($null -eq $link -and $record.PSObject.TypeNames -contains 'Altazion.PortalSignIn') { $link = $record }
    }
    if ($null -eq $link) { return }

    if (-not $NoBrowser) {
        $start = [System.Diagnostics.ProcessStartInfo]::new([string]$link.Url)
        $start.UseShellExecute = $true
        [void][System.Diagnostics.Process]::Start($start)
        $link.Opened = $true
    }
    if ($NoBrowser -or $PassThru) { $link }
}
