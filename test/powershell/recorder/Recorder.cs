// TEST TOOL (never shipped), compiled inside the real pwsh by Invoke-Recorded.ps1: runs one script
// in a new runspace of the same real PowerShell (all its modules and cmdlets) whose host is a
// RecordingHost, and returns ONE JSON document with everything the script produced, in arrival
// order: output objects (PSTypeNames and properties), error records, warning, verbose, debug,
// information and progress records, host lines ("What if:") and the prompts shown.
#nullable enable
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Diagnostics;
using System.Text.Json;

namespace AltazionTest;

public static class Recorder
{
    public static string Run(string file, string? confirmAnswer)
    {
        var recorder = new EventRecorder();
        var host = new RecordingHost(recorder, confirmAnswer);
        var iss = InitialSessionState.CreateDefault2();
        if (OperatingSystem.IsWindows()) iss.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;

        using var runspace = RunspaceFactory.CreateRunspace(host, iss);
        runspace.Open();
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddCommand(System.IO.Path.GetFullPath(file));

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
        return JsonSerializer.Serialize(doc);
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
