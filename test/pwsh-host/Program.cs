// pwsh-host: runs one PowerShell script in a real engine (the System.Management.Automation NuGet
// package) and prints ONE JSON document describing everything it produced, in arrival order.
// Used by the mocha tests of the Altazion.Update module (test/powershell/).
//
//   pwsh-host --file script.ps1            run a script file ($PSScriptRoot set)
//   pwsh-host --command "Get-Foo | ..."    run a script text
//   PWSH_HOST_CONFIRM=yes|no               answer to confirmation prompts (default: none; a prompt
//                                          then fails as in a non-interactive session)
//
// Exit code: 0 when the script ran (even with errors, they are in the JSON), 64 on bad usage.
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using System.Text.Json;

namespace PwshHost;

public static class Program
{
    public static int Main(string[] args)
    {
        string? file = null, command = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--file" && i + 1 < args.Length) file = args[++i];
            else if (args[i] == "--command" && i + 1 < args.Length) command = args[++i];
            else
            {
                Console.Error.WriteLine($"pwsh-host: unknown argument '{args[i]}' (use --file <script.ps1> or --command <text>)");
                return 64;
            }
        }
        if ((file == null) == (command == null))
        {
            Console.Error.WriteLine("pwsh-host: give exactly one of --file <script.ps1> or --command <text>");
            return 64;
        }

        var recorder = new EventRecorder();
        var host = new RecordingHost(recorder, Environment.GetEnvironmentVariable("PWSH_HOST_CONFIRM"));
        var iss = InitialSessionState.CreateDefault2();
        Scaffolding.Register(iss);
        if (OperatingSystem.IsWindows()) iss.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;

        using var runspace = RunspaceFactory.CreateRunspace(host, iss);
        runspace.Open();
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        if (file != null) ps.AddCommand(Path.GetFullPath(file));
        else ps.AddScript(command!);

        var output = new PSDataCollection<PSObject>();
        output.DataAdded += (s, e) => recorder.Add("output", JsonValue.FromObject(output[e.Index], 0));
        ps.Streams.Error.DataAdded += (s, e) => recorder.Add("error", JsonValue.FromError(ps.Streams.Error[e.Index]));
        ps.Streams.Warning.DataAdded += (s, e) => recorder.Add("warning", new Dictionary<string, object?> { ["message"] = ps.Streams.Warning[e.Index].Message });
        ps.Streams.Verbose.DataAdded += (s, e) => recorder.Add("verbose", new Dictionary<string, object?> { ["message"] = ps.Streams.Verbose[e.Index].Message });
        ps.Streams.Debug.DataAdded += (s, e) => recorder.Add("debug", new Dictionary<string, object?> { ["message"] = ps.Streams.Debug[e.Index].Message });
        ps.Streams.Information.DataAdded += (s, e) =>
        {
            var info = ps.Streams.Information[e.Index];
            recorder.Add("information", new Dictionary<string, object?>
            {
                ["messageData"] = JsonValue.FromObject(info.MessageData, 1),
                ["text"] = info.MessageData?.ToString(),
                ["tags"] = info.Tags.ToArray(),
                ["source"] = info.Source,
            });
        };
        ps.Streams.Progress.DataAdded += (s, e) =>
        {
            var p = ps.Streams.Progress[e.Index];
            recorder.Add("progress", new Dictionary<string, object?>
            {
                ["activityId"] = p.ActivityId,
                ["activity"] = p.Activity,
                ["statusDescription"] = p.StatusDescription,
                ["percentComplete"] = p.PercentComplete,
                ["recordType"] = p.RecordType.ToString(),
                ["currentOperation"] = p.CurrentOperation,
            });
        };

        Dictionary<string, object?>? terminating = null;
        try
        {
            ps.Invoke<PSObject>(null, output);
        }
        catch (RuntimeException ex)
        {
            terminating = JsonValue.FromError(ex.ErrorRecord);
        }
        catch (Exception ex)
        {
            terminating = new Dictionary<string, object?> { ["message"] = ex.Message, ["exceptionType"] = ex.GetType().FullName };
        }

        var doc = recorder.ToDocument();
        doc["terminatingError"] = terminating;
        doc["hadErrors"] = ps.HadErrors;
        var json = JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = false });
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
        stdout.Write(json);
        stdout.Write('\n');
        return 0;
    }
}

/// <summary>Every stream item, numbered in arrival order and timed from the start.</summary>
public sealed class EventRecorder
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Dictionary<string, object?>> _events = new();
    private readonly object _gate = new();

    public void Add(string stream, object? payload)
    {
        lock (_gate)
        {
            _events.Add(new Dictionary<string, object?>
            {
                ["seq"] = _events.Count,
                ["ms"] = Math.Round(_clock.Elapsed.TotalMilliseconds, 1),
                ["stream"] = stream,
                ["data"] = payload,
            });
        }
    }

    public Dictionary<string, object?> ToDocument()
    {
        lock (_gate)
        {
            var doc = new Dictionary<string, object?> { ["events"] = _events.ToArray() };
            foreach (var stream in new[] { "output", "error", "warning", "verbose", "debug", "information", "progress", "host", "prompt" })
            {
                doc[stream] = _events.Where(e => (string)e["stream"]! == stream).Select(e => e["data"]).ToArray();
            }
            return doc;
        }
    }
}
