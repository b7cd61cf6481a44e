// ===========================================================================================
// TEST SCAFFOLDING. The System.Management.Automation NuGet package carries the PowerShell engine
// and the Microsoft.PowerShell.Core commands, but not the Microsoft.PowerShell.Utility module.
// The Altazion.Update module calls exactly ONE Utility cmdlet, ConvertFrom-Json (to read the
// executable's NDJSON lines), and the DSC resource (docs/dsc) calls Write-Verbose from its class
// methods (they have no $PSCmdlet), so this host supplies minimal stand-ins for those two.
// Everything else (Write-Progress/Verbose/Warning/Information/Error through $PSCmdlet, files
// through .NET) runs on the real engine. These stand-ins are NOT shipped, never used on Windows.
//
// Behaviour kept from the real cmdlets where the module relies on it: a JSON object becomes a
// PSCustomObject whose properties keep their order; a JSON array is enumerated; integers become
// Int32 (Int64 when larger), other numbers Double; null stays $null. Date strings stay strings,
// like Windows PowerShell 5.1 (PowerShell 7 would make DateTime values of them): the module must
// not depend on either.
// ===========================================================================================
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.Json;

namespace PwshHost;

public static class Scaffolding
{
    public static void Register(InitialSessionState iss)
    {
        // Only add what the engine lacks, so a future package that ships the cmdlet wins.
        if (!iss.Commands["ConvertFrom-Json"].Any())
        {
            iss.Commands.Add(new SessionStateCmdletEntry("ConvertFrom-Json", typeof(ConvertFromJsonScaffoldCommand), null));
        }
        if (!iss.Commands["Write-Verbose"].Any())
        {
            iss.Commands.Add(new SessionStateCmdletEntry("Write-Verbose", typeof(WriteVerboseScaffoldCommand), null));
        }
    }
}

/// <summary>TEST SCAFFOLDING: minimal ConvertFrom-Json (see the file header).</summary>
[Cmdlet(VerbsData.ConvertFrom, "Json")]
public sealed class ConvertFromJsonScaffoldCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [AllowEmptyString]
    public string InputObject { get; set; } = "";

    private readonly List<string> _lines = new();

    protected override void ProcessRecord() => _lines.Add(InputObject);

    protected override void EndProcessing()
    {
        var text = string.Join("\n", _lines);
        if (string.IsNullOrWhiteSpace(text)) return;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(ex.Message, ex), "System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand", ErrorCategory.ParserError, text));
            return;
        }
        using (doc)
        {
            var value = Convert(doc.RootElement);
            if (value is object?[] array)
            {
                foreach (var item in array) WriteObject(item);
            }
            else
            {
                WriteObject(value);
            }
        }
    }

    private static object? Convert(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var pso = new PSObject();
                foreach (var property in element.EnumerateObject())
                {
                    pso.Properties.Add(new PSNoteProperty(property.Name, Convert(property.Value)));
                }
                return pso;
            case JsonValueKind.Array:
                return element.EnumerateArray().Select(Convert).ToArray();
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                if (element.TryGetInt32(out var i)) return i;
                if (element.TryGetInt64(out var l)) return l;
                return element.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }
}

/// <summary>TEST SCAFFOLDING: Write-Verbose (see the file header); honours $VerbosePreference like the real one.</summary>
[Cmdlet(VerbsCommunications.Write, "Verbose")]
public sealed class WriteVerboseScaffoldCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [AllowEmptyString]
    public string Message { get; set; } = "";

    protected override void ProcessRecord() => WriteVerbose(Message);
}
