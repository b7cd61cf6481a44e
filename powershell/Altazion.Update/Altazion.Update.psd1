@{
    RootModule           = 'Altazion.Update.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '79394133-fbee-4415-9cce-414203aea8e7'
    Author               = 'Altazion'
    CompanyName          = 'Altazion'
    Copyright            = '(c) Altazion. All rights reserved.'
    Description          = 'Updates Altazion Office on-premise servers: lists installed and available module versions from the signed feed, installs updates safely (offline only for the swap, rolled back on failure) and repairs the updater. Wraps the altazion-update executable shipped in the bin folder.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('Altazion.Update.Format.ps1xml')
    FunctionsToExport    = @('Get-AltazionUpdate', 'Install-AltazionUpdate', 'Repair-AltazionUpdater', 'Get-AltazionScheduledInstall', 'Unregister-AltazionScheduledInstall', 'Open-AltazionPortal')
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Altazion', 'Update', 'OnPremise', 'IIS', 'Windows', 'PSEdition_Desktop', 'PSEdition_Core')
            ReleaseNotes = 'First version: Get-AltazionUpdate, Install-AltazionUpdate, Repair-AltazionUpdater.'
        }
    }
}
