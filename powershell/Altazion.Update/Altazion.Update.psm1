# Altazion.Update: cmdlets over the altazion-update executable (shipped in .\bin).
# One function per file: Private\ (helpers) then Public\ (exported cmdlets) are dot-sourced here.
# .NET file APIs rather than Get-ChildItem: the module needs nothing beyond the engine itself.

$script:ModuleRoot = $PSScriptRoot

foreach ($folder in @('Private', 'Public')) {
    $directory = [System.IO.Path]::Combine($PSScriptRoot, $folder)
    if (-not [System.IO.Directory]::Exists($directory)) { continue }
    $files = [System.IO.Directory]::GetFiles($directory, '*.ps1')
    [System.Array]::Sort($files, [System.StringComparer]::OrdinalIgnoreCase)
    foreach ($file in $files) {
        . $file
    }
}

Export-ModuleMember -Function @('Get-AltazionUpdate', 'Install-AltazionUpdate', 'Repair-AltazionUpdater', 'Get-AltazionScheduledInstall', 'Unregister-AltazionScheduledInstall', 'Open-AltazionPortal')
