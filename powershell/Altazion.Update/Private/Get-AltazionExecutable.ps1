function Get-AltazionExecutable {
    <#
    .SYNOPSIS
        Path of the altazion-update executable the cmdlets run.
    .DESCRIPTION
        $env:ALTAZION_UPDATE_EXE when set (tests, side-by-side versions); otherwise the executable
        shipped inside the module: bin\altazion-update.exe on Windows, bin/altazion-update elsewhere.
        Returns $null when it does not exist; the caller reports it.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()

    if (-not [string]::IsNullOrEmpty($env:ALTAZION_UPDATE_EXE)) {
        $candidate = $env:ALTAZION_UPDATE_EXE
    }
    else {
        # $IsWindows does not exist in Windows PowerShell 5.1, which only runs on Windows.
        $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
        if ($onWindows) { $fileName = 'altazion-update.exe' } else { $fileName = 'altazion-update' }
        $candidate = [System.IO.Path]::Combine($script:ModuleRoot, 'bin', $fileName)
    }

    if ([System.IO.File]::Exists($candidate)) {
        return [System.IO.Path]::GetFullPath($candidate)
    }
    return $null
}
