@{
    RootModule           = 'AltazionUpdateDsc.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '430ba5ac-6170-4f0c-8a4e-ea76d8fd73f3'
    Author               = 'Altazion'
    CompanyName          = 'Altazion'
    Copyright            = '(c) Altazion. All rights reserved.'
    Description          = 'DSC resource AltazionUpdate: keeps an Altazion Office module at the latest or at a given version, through the Altazion.Update cmdlets.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    RequiredModules      = @('Altazion.Update')
    FunctionsToExport    = @()
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    DscResourcesToExport = @('AltazionUpdate')
    PrivateData          = @{
        PSData = @{
            Tags = @('Altazion', 'DSC', 'DscResource', 'Update', 'PSEdition_Desktop', 'PSEdition_Core')
        }
    }
}
