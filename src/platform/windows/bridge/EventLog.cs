// The Windows Event Log (Application log) under our source, "Altazion Update". Registering a source
// needs an administrator: `service install` does it; writing afterwards works for anyone.
using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace Altazion.Bridge
{
    public static class EventLogWriter
    {
        public const string DefaultSource = "Altazion Update";

        /// <summary>Registers the source in the Application log; true when it was created, false when it existed.</summary>
        [Operation("eventlog.register")]
        public static object Register(Args args)
        {
            string source = args.OptionalString("source") ?? DefaultSource;
            if (EventLog.SourceExists(source)) return false;
            EventLog.CreateEventSource(new EventSourceCreationData(source, "Application"));
            return true;
        }

        [Operation("eventlog.write")]
        public static object Write(Args args)
        {
            string source = args.OptionalString("source") ?? DefaultSource;
            EventLogEntryType type;
            switch (args.OptionalString("level") ?? "Information")
            {
                case "Error": type = EventLogEntryType.Error; break;
                case "Warning": type = EventLogEntryType.Warning; break;
                case "Information": type = EventLogEntryType.Information; break;
                default: throw new BridgeException("BAD_REQUEST", "level must be Information, Warning or Error");
            }
            // The Event Log caps a message at 31,839 characters.
            string message = args.String("message");
            if (message.Length > 31000) message = message.Substring(0, 31000) + "...";
            EventLog.WriteEntry(source, message, type, (int)args.Number("eventId", 1000));
            return true;
        }
    }
}
