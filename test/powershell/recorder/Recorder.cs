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
    public static string Run(string file, string? confirmAnswer) => Run(file, confirmAnswer, null);

    /// <summary>
    /// Runs the script and stops its pipeline as Ctrl+C does (PowerShell.Stop) once `trigger`
    /// exists; once the host shows a line containing `stoppedWhenHostSays`, creates `release`
    /// (what the script's blocking hook waits for). Every wait is for an event, bounded in time.
    /// </summary>
    public static string RunAndStop(string file, string trigger, string stoppedWhenHostSays, string release) =>
        Run(file, null, new StopPlan(trigger, stoppedWhenHostSays, release));

    public sealed record StopPlan(string Trigger, string StoppedWhenHostSays, string Release);

    private static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("timed out waiting for " + what);
            System.Threading.Thread.Sleep(50);
        }
    }

    private static string Run(string file, string? confirmAnswer, StopPlan? stop)
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
            if (stop == null)
            {
                ps.Invoke<PSObject>(null, output);
            }
            else
            {
                var running = ps.BeginInvoke<PSObject, PSObject>(null, output);
                WaitFor(() => System.IO.File.Exists(stop.Trigger) || running.IsCompleted, stop.Trigger);
                recorder.Add("stopRequested", null);
                var stopping = ps.BeginStop(null, null);
                WaitFor(() => recorder.HostSaid(stop.StoppedWhenHostSays) || running.IsCompleted, "the host line '" + stop.StoppedWhenHostSays + "'");
                System.IO.File.WriteAllText(stop.Release, "go");
                ps.EndStop(stopping);
                try { ps.EndInvoke(running); } catch (PipelineStoppedException) { recorder.Add("pipelineStopped", null); }
            }
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

    public bool HostSaid(string text)
    {
        lock (_gate)
        {
            return _events.Any(e => (string)e["stream"]! == "host" && e["data"] is Dictionary<string, object?> d && d["text"] is string t && t.Contains(text));
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
