// TEST TOOL (never shipped), compiled inside the real pwsh by Invoke-Recorded.ps1: a minimal PSHost
// that records what PowerShell writes to the host (the "What if:" lines of ShouldProcess) and the
// confirmation prompts it shows, answering them with the answer the test gives (yes / no).
// Without an answer a prompt fails like in a non-interactive session: the module must never
// hang waiting for a person unless asked.
#nullable enable
using System;
using System.Collections.Generic;
using System.Linq;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace AltazionTest;

public sealed class RecordingHost : PSHost
{
    private readonly RecordingUI _ui;
    private readonly Guid _id = Guid.NewGuid();

    public RecordingHost(EventRecorder recorder, string? confirmAnswer)
    {
        _ui = new RecordingUI(recorder, confirmAnswer);
    }

    public override string Name => "AltazionTestHost";
    public override Version Version => new(1, 0);
    public override Guid InstanceId => _id;
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public override void SetShouldExit(int exitCode) { }
    public override void EnterNestedPrompt() => throw new NotSupportedException("nested prompts are not supported by the test host");
    public override void ExitNestedPrompt() => throw new NotSupportedException("nested prompts are not supported by the test host");
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
}

internal sealed class RecordingUI : PSHostUserInterface
{
    private readonly EventRecorder _recorder;
    private readonly string? _confirmAnswer;
    private readonly RecordingRawUI _raw = new();
    private string _pending = "";

    public RecordingUI(EventRecorder recorder, string? confirmAnswer)
    {
        _recorder = recorder;
        _confirmAnswer = string.IsNullOrEmpty(confirmAnswer) ? null : confirmAnswer.ToLowerInvariant();
    }

    public override PSHostRawUserInterface RawUI => _raw;

    private void Line(string kind, string text) =>
        _recorder.Add("host", new Dictionary<string, object?> { ["kind"] = kind, ["text"] = text });

    public override void Write(string value) => _pending += value;
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => _pending += value;
    public override void WriteLine(string value) { Line("line", _pending + value); _pending = ""; }
    public override void WriteErrorLine(string value) => Line("error", value);
    public override void WriteDebugLine(string message) => Line("debug", message);
    public override void WriteVerboseLine(string message) => Line("verbose", message);
    public override void WriteWarningLine(string message) => Line("warning", message);
    public override void WriteProgress(long sourceId, ProgressRecord record) { }

    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
    {
        var labels = choices.Select(c => c.Label).ToArray();
        _recorder.Add("prompt", new Dictionary<string, object?>
        {
            ["caption"] = caption,
            ["message"] = message,
            ["choices"] = labels,
            ["answer"] = _confirmAnswer,
        });
        if (_confirmAnswer == null) throw NonInteractive();
        // ShouldProcess offers "&Yes", "Yes to &All", "&No", "No to A&ll", "&Suspend".
        var wanted = _confirmAnswer == "yes" ? "&Yes" : "&No";
        int index = Array.FindIndex(labels, l => string.Equals(l, wanted, StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? index : defaultChoice;
    }

    private static HostException NonInteractive() =>
        new("The test host is non-interactive: a prompt was shown but nobody can answer it (runPwsh: pass confirm yes|no).");

    public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
    {
        _recorder.Add("prompt", new Dictionary<string, object?> { ["caption"] = caption, ["message"] = message, ["fields"] = descriptions.Select(d => d.Name).ToArray() });
        throw NonInteractive();
    }

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw NonInteractive();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw NonInteractive();
    public override string ReadLine() { _recorder.Add("prompt", new Dictionary<string, object?> { ["readLine"] = true }); throw NonInteractive(); }
    public override SecureString ReadLineAsSecureString() => throw NonInteractive();
}

internal sealed class RecordingRawUI : PSHostRawUserInterface
{
    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
    public override Size BufferSize { get; set; } = new(200, 1000);
    public override Coordinates CursorPosition { get; set; }
    public override int CursorSize { get; set; } = 1;
    public override bool KeyAvailable => false;
    public override Size MaxPhysicalWindowSize => new(200, 100);
    public override Size MaxWindowSize => new(200, 100);
    public override Coordinates WindowPosition { get; set; }
    public override Size WindowSize { get; set; } = new(200, 100);
    public override string WindowTitle { get; set; } = "altazion-test-host";
    public override void FlushInputBuffer() { }
    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => new BufferCell[0, 0];
    public override KeyInfo ReadKey(ReadKeyOptions options) => throw new HostException("The test host cannot read keys.");
    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
}
