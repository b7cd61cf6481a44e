// The Windows service host of AltazionUpdate. Installed by `altazion-update service install` in
// %ProgramFiles%\Altazion\Update beside the Node runtime (node.exe) and the updater
// (altazion-update.cjs), all writable by Administrators and SYSTEM only, and registered as
//   "<folder>\AltazionUpdateService.exe" "<instance root>"
// It reports Running to the service control manager and runs, from its own folder,
//   node.exe altazion-update.cjs service run --root <root> --stop-on-stdin-close
// Stop / shutdown: closes the child's standard input, the updater's clean-stop signal (a running
// install is asked to stop and finishes or rolls back), and waits for it, asking the SCM for more
// time while it runs, up to StopLimit; only then is it killed (the install journal lets the next
// run finish the job). If the updater ends on its own, the host ends with an error so that the
// SCM's recovery actions (restart after 1 min, 1 min, 5 min) apply.
using System;
using System.Diagnostics;
using System.IO;
using System.ServiceProcess;
using System.Text;

namespace Altazion.Update.Service
{
    public sealed class AltazionUpdateService : ServiceBase
    {
        public const string Name = "AltazionUpdate";
        public const string EventSource = "Altazion Update";
        // Event ids of the host's own entries: the table of src/core/events.ts (SERVICE_HOST_EVENT_IDS).
        public const int UpdaterStartedEventId = 1800;
        public const int UpdaterExitedEventId = 1801;
        public const int UpdaterKilledEventId = 1802;
        /// <summary>How long a stop waits for the updater (an install rolling back) before killing it.</summary>
        static readonly TimeSpan StopLimit = TimeSpan.FromMinutes(10);
        const int WaitSliceMs = 5000;

        readonly string folder;
        readonly string root;
        Process child;
        volatile bool stopping;

        public AltazionUpdateService(string folder, string root)
        {
            this.folder = folder;
            this.root = root;
            ServiceName = Name;
            CanStop = true;
            CanShutdown = true;
            AutoLog = false;
        }

        /// <summary>Quotes one argument the way CommandLineToArgvW and the C runtime parse it back.</summary>
        public static string Quote(string arg)
        {
            if (arg.Length > 0 && arg.IndexOfAny(new[] { ' ', '\t', '"' }) < 0) return arg;
            var sb = new StringBuilder("\"");
            int backslashes = 0;
            foreach (char c in arg)
            {
                if (c == '\\') { backslashes++; continue; }
                if (c == '"') { sb.Append('\\', backslashes * 2 + 1).Append('"'); backslashes = 0; continue; }
                sb.Append('\\', backslashes).Append(c);
                backslashes = 0;
            }
            return sb.Append('\\', backslashes * 2).Append('"').ToString();
        }

        /// <summary>The updater's command line: node.exe and the bundle from the host's folder, then the root.</summary>
        public static ProcessStartInfo UpdaterStartInfo(string folder, string root)
        {
            var info = new ProcessStartInfo(Path.Combine(folder, "node.exe"),
                Quote(Path.Combine(folder, "altazion-update.cjs")) + " service run --root " + Quote(root) + " --stop-on-stdin-close");
            info.UseShellExecute = false;
            info.RedirectStandardInput = true;
            info.CreateNoWindow = true;
            info.WorkingDirectory = folder;
            return info;
        }

        static void Log(string message, EventLogEntryType type, int eventId)
        {
            try { EventLog.WriteEntry(EventSource, message, type, eventId); }
            catch (Exception) { } // the source is registered by service install; never fail on logging
        }

        protected override void OnStart(string[] args)
        {
            child = Process.Start(UpdaterStartInfo(folder, root));
            child.EnableRaisingEvents = true;
            child.Exited += (sender, e) =>
            {
                if (stopping) return;
                // Ended on its own: exit without reporting Stopped, so the SCM recovery actions restart us.
                Log("the updater exited with code " + child.ExitCode + "; the service control manager restarts the service", EventLogEntryType.Error, UpdaterExitedEventId);
                Environment.Exit(1);
            };
            Log("started: " + child.StartInfo.FileName + " " + child.StartInfo.Arguments, EventLogEntryType.Information, UpdaterStartedEventId);
        }

        void StopChild()
        {
            stopping = true;
            if (child == null || child.HasExited) return;
            try { child.StandardInput.Close(); } catch (Exception) { }
            var watch = Stopwatch.StartNew();
            while (!child.WaitForExit(WaitSliceMs))
            {
                if (watch.Elapsed > StopLimit)
                {
                    Log("the updater did not stop within " + StopLimit.TotalMinutes + " min: killed (the next run finishes or rolls back an interrupted install)", EventLogEntryType.Warning, UpdaterKilledEventId);
                    try { child.Kill(); } catch (Exception) { }
                    return;
                }
                RequestAdditionalTime(WaitSliceMs * 3);
            }
        }

        protected override void OnStop() { StopChild(); }
        protected override void OnShutdown() { StopChild(); }

        public static int Main(string[] args)
        {
            if (args.Length != 1)
            {
                Console.Error.WriteLine("usage: AltazionUpdateService.exe <instance root> (started by the service control manager; installed by altazion-update service install)");
                return 2;
            }
            string folder = Path.GetDirectoryName(typeof(AltazionUpdateService).Assembly.Location);
            ServiceBase.Run(new AltazionUpdateService(folder, args[0]));
            return 0;
        }
    }
}
