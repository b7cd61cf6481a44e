# TEST TOOL (never shipped): loads the recording host (RecordingHost.cs, JsonValue.cs, Recorder.cs)
# into this pwsh, compiling it once per source change into a cache folder (Add-Type takes seconds).
if (-not ('AltazionTest.Recorder' -as [type])) {
    $sources = @('RecordingHost.cs', 'JsonValue.cs', 'Recorder.cs') | ForEach-Object { [System.IO.Path]::Combine($PSScriptRoot, $_) }
    $text = ($sources | ForEach-Object { [System.IO.File]::ReadAllText($_) }) -join "`n"
    $hash = [System.BitConverter]::ToString([System.Security.Cryptography.SHA256]::HashData([System.Text.Encoding]::UTF8.GetBytes($text + $PSVersionTable.PSVersion))).Replace('-', '').Substring(0, 16)
    $cache = $env:ALTAZION_PWSH_CACHE
    if ([string]::IsNullOrEmpty($cache)) { $cache = [System.IO.Path]::Combine($HOME, '.cache', 'altazion-pwsh') }
    $dll = [System.IO.Path]::Combine($cache, 'recorder', "AltazionTest.Recorder-$hash.dll")
    if (-not [System.IO.File]::Exists($dll)) {
        [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($dll))
        # Compiled under a temporary name and renamed: several test processes may race here.
        $temp = "$dll.$PID.tmp"
        Add-Type -Path $sources -OutputAssembly $temp -OutputType Library -ReferencedAssemblies 'System.Text.Json', 'System.Collections', 'System.Linq', 'System.Runtime', 'System.Console', 'System.Diagnostics.Process', 'System.Management.Automation', 'System.Collections.Concurrent', 'System.Runtime.Extensions', 'System.Threading', 'System.Threading.Thread', 'System.Text.Encodings.Web', 'System.Memory', 'System.Private.CoreLib'
        try { [System.IO.File]::Move($temp, $dll) } catch { Remove-Item -LiteralPath $temp -ErrorAction SilentlyContinue }
    }
    Add-Type -Path $dll
}
