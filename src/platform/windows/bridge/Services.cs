// Windows services through the service control manager's API (advapi32, documented on Microsoft
// Learn): EnumServicesStatusEx lists every Win32 service with its state and process in one call;
// QueryServiceConfig and QueryServiceConfig2(SERVICE_CONFIG_DELAYED_AUTO_START_INFO) give the start
// mode, binary path and account of each. No sc.exe, no localised text: ~250 services cost one call.
using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Altazion.Bridge
{
    public static class Services
    {
        const uint SC_MANAGER_CONNECT = 0x0001, SC_MANAGER_CREATE_SERVICE = 0x0002, SC_MANAGER_ENUMERATE_SERVICE = 0x0004;
        const uint SERVICE_QUERY_CONFIG = 0x0001, SERVICE_CHANGE_CONFIG = 0x0002, SERVICE_QUERY_STATUS = 0x0004, SERVICE_START = 0x0010, SERVICE_STOP = 0x0020, DELETE = 0x00010000;
        const uint SERVICE_WIN32 = 0x30, SERVICE_WIN32_OWN_PROCESS = 0x10, SERVICE_STATE_ALL = 3, SERVICE_NO_CHANGE = 0xFFFFFFFF;
        const int SC_ENUM_PROCESS_INFO = 0, SC_STATUS_PROCESS_INFO = 0;
        const uint SERVICE_CONFIG_DESCRIPTION = 1, SERVICE_CONFIG_FAILURE_ACTIONS = 2, SERVICE_CONFIG_DELAYED_AUTO_START_INFO = 3, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG = 4;
        const uint SERVICE_CONTROL_STOP = 1;
        const int ERROR_INSUFFICIENT_BUFFER = 122, ERROR_MORE_DATA = 234, ERROR_SERVICE_ALREADY_RUNNING = 1056,
            ERROR_SERVICE_DOES_NOT_EXIST = 1060, ERROR_SERVICE_NOT_ACTIVE = 1062, ERROR_SERVICE_EXISTS = 1073, ERROR_SERVICE_MARKED_FOR_DELETE = 1072;

        [StructLayout(LayoutKind.Sequential)]
        struct SERVICE_STATUS_PROCESS
        {
            public uint dwServiceType, dwCurrentState, dwControlsAccepted, dwWin32ExitCode, dwServiceSpecificExitCode, dwCheckPoint, dwWaitHint, dwProcessId, dwServiceFlags;
        }

        [StructLayout(LayoutKind.Sequential)]
        struct ENUM_SERVICE_STATUS_PROCESS
        {
            public IntPtr lpServiceName;
            public IntPtr lpDisplayName;
            public SERVICE_STATUS_PROCESS ServiceStatusProcess;
        }

        [StructLayout(LayoutKind.Sequential)]
        struct QUERY_SERVICE_CONFIG
        {
            public uint dwServiceType, dwStartType, dwErrorControl;
            public IntPtr lpBinaryPathName, lpLoadOrderGroup;
            public uint dwTagId;
            public IntPtr lpDependencies, lpServiceStartName, lpDisplayName;
        }

        [StructLayout(LayoutKind.Sequential)]
        struct SERVICE_STATUS { public uint dwServiceType, dwCurrentState, dwControlsAccepted, dwWin32ExitCode, dwServiceSpecificExitCode, dwCheckPoint, dwWaitHint; }

        [StructLayout(LayoutKind.Sequential)] struct SERVICE_DELAYED_AUTO_START_INFO { public int fDelayedAutostart; }
        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)] struct SERVICE_DESCRIPTION { public string lpDescription; }
        [StructLayout(LayoutKind.Sequential)] struct SC_ACTION { public int Type; public uint Delay; }
        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        struct SERVICE_FAILURE_ACTIONS { public uint dwResetPeriod; public string lpRebootMsg; public string lpCommand; public uint cActions; public IntPtr lpsaActions; }
        [StructLayout(LayoutKind.Sequential)] struct SERVICE_FAILURE_ACTIONS_FLAG { public int fFailureActionsOnNonCrashFailures; }

        [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern IntPtr OpenSCManager(string machineName, string databaseName, uint access);
        [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern IntPtr OpenService(IntPtr scManager, string serviceName, uint access);
        [DllImport("advapi32.dll", SetLastError = true)]
        static extern bool CloseServiceHandle(IntPtr handle);
        [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool EnumServicesStatusEx(IntPtr scManager, int infoLevel, uint serviceType, uint serviceState, IntPtr services, uint bufSize, out uint bytesNeeded, out uint servicesReturned, ref uint resumeHandle, string groupName);
        [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool QueryServiceConfig(IntPtr service, IntPtr config, uint bufSize, out uint bytesNeeded);
        [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool QueryServiceConfig2(IntPtr service, uint infoLevel, IntPtr buffer, uint bufSize, out uint bytesNeeded);
        [DllImport("advapi32.dll", SetLastError = true)]
        static extern bool QueryServiceStatusEx(IntPtr service, int infoLevel, IntPtr buffer, uint bufSize, out uint bytesNeeded);
        [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool StartService(IntPtr service, int argc, string[] argv);
        [DllImport("advapi32.dll", SetLastError = true)]
        static extern bool ControlService(IntPtr service, uint control, out SERVICE_STATUS status);
        [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool ChangeServiceConfig(IntPtr service, uint serviceType, uint startType, uint errorControl, string binaryPath, string loadOrderGroup, IntPtr tagId, string dependencies, string serviceStartName, string password, string displayName);
        [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool ChangeServiceConfig2(IntPtr service, uint infoLevel, ref SERVICE_DELAYED_AUTO_START_INFO info);
        [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool ChangeServiceConfig2(IntPtr service, uint infoLevel, ref SERVICE_DESCRIPTION info);
        [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool ChangeServiceConfig2(IntPtr service, uint infoLevel, ref SERVICE_FAILURE_ACTIONS info);
        [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool ChangeServiceConfig2(IntPtr service, uint infoLevel, ref SERVICE_FAILURE_ACTIONS_FLAG info);
        [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern IntPtr CreateService(IntPtr scManager, string serviceName, string displayName, uint access, uint serviceType, uint startType, uint errorControl, string binaryPath, string loadOrderGroup, IntPtr tagId, string dependencies, string serviceStartName, string password);
        [DllImport("advapi32.dll", SetLastError = true)]
        static extern bool DeleteService(IntPtr service);

        static Win32Exception LastError(string what)
        {
            int code = Marshal.GetLastWin32Error();
            return new Win32Exception(code, what + ": " + new Win32Exception(code).Message);
        }

        static IntPtr Manager(uint access)
        {
            IntPtr scm = OpenSCManager(null, null, access);
            if (scm == IntPtr.Zero) throw LastError("OpenSCManager");
            return scm;
        }

        /// <summary>Opens a service, or IntPtr.Zero when it does not exist.</summary>
        static IntPtr Open(IntPtr scm, string name, uint access)
        {
            IntPtr service = OpenService(scm, name, access);
            if (service == IntPtr.Zero)
            {
                if (Marshal.GetLastWin32Error() == ERROR_SERVICE_DOES_NOT_EXIST) return IntPtr.Zero;
                throw LastError("OpenService " + name);
            }
            return service;
        }

        static IntPtr OpenExisting(IntPtr scm, string name, uint access)
        {
            IntPtr service = Open(scm, name, access);
            if (service == IntPtr.Zero) throw new BridgeException("NO_SUCH_SERVICE", "the service '" + name + "' does not exist", ERROR_SERVICE_DOES_NOT_EXIST);
            return service;
        }

        /// <summary>Runs `act` on an existing service opened with `access`; both handles closed after.</summary>
        static void OnExisting(string name, uint access, Action<IntPtr> act)
        {
            IntPtr scm = Manager(SC_MANAGER_CONNECT);
            try
            {
                IntPtr service = OpenExisting(scm, name, access);
                try { act(service); }
                finally { CloseServiceHandle(service); }
            }
            finally { CloseServiceHandle(scm); }
        }

        public static bool Exists(string name)
        {
            IntPtr scm = Manager(SC_MANAGER_CONNECT);
            try
            {
                IntPtr service = Open(scm, name, SERVICE_QUERY_STATUS);
                if (service == IntPtr.Zero) return false;
                CloseServiceHandle(service);
                return true;
            }
            finally { CloseServiceHandle(scm); }
        }

        static string State(uint state)
        {
            switch (state)
            {
                case 1: return "Stopped";
                case 2: return "StartPending";
                case 3: return "StopPending";
                case 4: return "Running";
                case 5: return "StartPending"; // continue pending
                case 6: return "StopPending"; // pause pending
                case 7: return "Paused";
                default: return "Unknown";
            }
        }

        static string StartMode(uint startType, bool delayed)
        {
            switch (startType)
            {
                case 0: return "Boot";
                case 1: return "System";
                case 2: return delayed ? "AutomaticDelayed" : "Automatic";
                case 3: return "Manual";
                case 4: return "Disabled";
                default: return "Unknown";
            }
        }

        /// <summary>Start mode, binary path (environment variables expanded) and account of an open service.</summary>
        static void AddConfig(IntPtr service, Dictionary<string, object> into)
        {
            uint needed;
            QueryServiceConfig(service, IntPtr.Zero, 0, out needed);
            if (Marshal.GetLastWin32Error() != ERROR_INSUFFICIENT_BUFFER) throw LastError("QueryServiceConfig");
            IntPtr buffer = Marshal.AllocHGlobal((int)needed);
            try
            {
                if (!QueryServiceConfig(service, buffer, needed, out needed)) throw LastError("QueryServiceConfig");
                var config = (QUERY_SERVICE_CONFIG)Marshal.PtrToStructure(buffer, typeof(QUERY_SERVICE_CONFIG));
                bool delayed = false;
                if (config.dwStartType == 2)
                {
                    IntPtr info = Marshal.AllocHGlobal(16);
                    try
                    {
                        if (QueryServiceConfig2(service, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, info, 16, out needed))
                            delayed = ((SERVICE_DELAYED_AUTO_START_INFO)Marshal.PtrToStructure(info, typeof(SERVICE_DELAYED_AUTO_START_INFO))).fDelayedAutostart != 0;
                    }
                    finally { Marshal.FreeHGlobal(info); }
                }
                string binary = Marshal.PtrToStringUni(config.lpBinaryPathName) ?? "";
                into["startMode"] = StartMode(config.dwStartType, delayed);
                into["binaryPath"] = Environment.ExpandEnvironmentVariables(binary);
                into["account"] = Marshal.PtrToStringUni(config.lpServiceStartName) ?? "";
                if (!into.ContainsKey("displayName")) into["displayName"] = Marshal.PtrToStringUni(config.lpDisplayName) ?? "";
            }
            finally { Marshal.FreeHGlobal(buffer); }
        }

        static Dictionary<string, object> Record(string name, string displayName, SERVICE_STATUS_PROCESS status)
        {
            var record = new Dictionary<string, object>();
            record["name"] = name;
            record["displayName"] = displayName;
            record["state"] = State(status.dwCurrentState);
            record["pid"] = status.dwProcessId;
            return record;
        }

        /// <summary>Every Win32 service: name, displayName, state, pid, startMode (AutomaticDelayed for delayed start), binaryPath, account.</summary>
        [Operation("services.list")]
        public static object List(Args args)
        {
            var result = new List<object>();
            IntPtr scm = Manager(SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE);
            try
            {
                uint resume = 0, needed, returned;
                var entries = new List<Dictionary<string, object>>();
                while (true)
                {
                    bool done = EnumServicesStatusEx(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_STATE_ALL, IntPtr.Zero, 0, out needed, out returned, ref resume, null);
                    if (done) break;
                    if (Marshal.GetLastWin32Error() != ERROR_MORE_DATA) throw LastError("EnumServicesStatusEx");
                    IntPtr buffer = Marshal.AllocHGlobal((int)needed);
                    try
                    {
                        done = EnumServicesStatusEx(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_STATE_ALL, buffer, needed, out needed, out returned, ref resume, null);
                        int error = Marshal.GetLastWin32Error();
                        if (!done && error != ERROR_MORE_DATA) throw LastError("EnumServicesStatusEx");
                        int size = Marshal.SizeOf(typeof(ENUM_SERVICE_STATUS_PROCESS));
                        for (int i = 0; i < returned; i++)
                        {
                            var entry = (ENUM_SERVICE_STATUS_PROCESS)Marshal.PtrToStructure(new IntPtr(buffer.ToInt64() + i * size), typeof(ENUM_SERVICE_STATUS_PROCESS));
                            entries.Add(Record(Marshal.PtrToStringUni(entry.lpServiceName), Marshal.PtrToStringUni(entry.lpDisplayName), entry.ServiceStatusProcess));
                        }
                        if (done) break;
                    }
                    finally { Marshal.FreeHGlobal(buffer); }
                }
                foreach (var entry in entries)
                {
                    IntPtr service = Open(scm, (string)entry["name"], SERVICE_QUERY_CONFIG);
                    if (service == IntPtr.Zero) continue; // deleted meanwhile
                    try { AddConfig(service, entry); }
                    catch (Win32Exception error)
                    {
                        // A service whose configuration we may not read is still listed.
                        entry["startMode"] = "Unknown";
                        entry["binaryPath"] = "";
                        entry["account"] = "";
                        entry["configError"] = error.Message;
                    }
                    finally { CloseServiceHandle(service); }
                    result.Add(entry);
                }
            }
            finally { CloseServiceHandle(scm); }
            return result;
        }

        /// <summary>The named services, in order; null for those that do not exist.</summary>
        [Operation("services.query")]
        public static object Query(Args args)
        {
            var result = new List<object>();
            IntPtr scm = Manager(SC_MANAGER_CONNECT);
            try
            {
                foreach (string name in args.Strings("names"))
                {
                    IntPtr service = Open(scm, name, SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS);
                    if (service == IntPtr.Zero) { result.Add(null); continue; }
                    try
                    {
                        int size = Marshal.SizeOf(typeof(SERVICE_STATUS_PROCESS));
                        IntPtr buffer = Marshal.AllocHGlobal(size);
                        try
                        {
                            uint needed;
                            if (!QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, buffer, (uint)size, out needed)) throw LastError("QueryServiceStatusEx " + name);
                            var status = (SERVICE_STATUS_PROCESS)Marshal.PtrToStructure(buffer, typeof(SERVICE_STATUS_PROCESS));
                            var record = Record(name, null, status);
                            record.Remove("displayName");
                            AddConfig(service, record);
                            result.Add(record);
                        }
                        finally { Marshal.FreeHGlobal(buffer); }
                    }
                    finally { CloseServiceHandle(service); }
                }
            }
            finally { CloseServiceHandle(scm); }
            return result;
        }

        /// <summary>Asks a service to start; already running is fine. Does not wait.</summary>
        [Operation("services.start")]
        public static object Start(Args args)
        {
            string name = args.String("name");
            OnExisting(name, SERVICE_START, service =>
            {
                if (!StartService(service, 0, null) && Marshal.GetLastWin32Error() != ERROR_SERVICE_ALREADY_RUNNING) throw LastError("StartService " + name);
            });
            return true;
        }

        /// <summary>Asks a service to stop; already stopped is fine. Does not wait.</summary>
        [Operation("services.stop")]
        public static object Stop(Args args)
        {
            string name = args.String("name");
            OnExisting(name, SERVICE_STOP, service =>
            {
                SERVICE_STATUS status;
                if (!ControlService(service, SERVICE_CONTROL_STOP, out status) && Marshal.GetLastWin32Error() != ERROR_SERVICE_NOT_ACTIVE) throw LastError("ControlService stop " + name);
            });
            return true;
        }

        static uint StartType(string mode)
        {
            switch (mode)
            {
                case "Automatic":
                case "AutomaticDelayed": return 2;
                case "Manual": return 3;
                case "Disabled": return 4;
                default: throw new BridgeException("BAD_REQUEST", "start mode '" + mode + "' is not Automatic, AutomaticDelayed, Manual or Disabled");
            }
        }

        static void SetStartMode(IntPtr service, string name, string mode)
        {
            if (!ChangeServiceConfig(service, SERVICE_NO_CHANGE, StartType(mode), SERVICE_NO_CHANGE, null, null, IntPtr.Zero, null, null, null, null))
                throw LastError("ChangeServiceConfig " + name);
            if (mode == "Automatic" || mode == "AutomaticDelayed")
            {
                var delayed = new SERVICE_DELAYED_AUTO_START_INFO { fDelayedAutostart = mode == "AutomaticDelayed" ? 1 : 0 };
                if (!ChangeServiceConfig2(service, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, ref delayed)) throw LastError("ChangeServiceConfig2 delayed start " + name);
            }
        }

        [Operation("services.setStartMode")]
        public static object SetStartMode(Args args)
        {
            string name = args.String("name");
            string mode = args.String("mode");
            OnExisting(name, SERVICE_CHANGE_CONFIG, service => SetStartMode(service, name, mode));
            return true;
        }

        /// <summary>
        /// Creates a service running as LocalSystem: name, displayName, description, binaryPath,
        /// startMode, failure actions restartDelaysMs (restart after each delay in turn), resetSeconds,
        /// and the failure flag (actions also when the process stops with an error).
        /// </summary>
        [Operation("services.create")]
        public static object Create(Args args)
        {
            string name = args.String("name");
            string mode = args.OptionalString("startMode") ?? "AutomaticDelayed";
            IntPtr scm = Manager(SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
            try
            {
                IntPtr service = CreateService(scm, name, args.String("displayName"), SERVICE_CHANGE_CONFIG | SERVICE_START | SERVICE_QUERY_STATUS,
                    SERVICE_WIN32_OWN_PROCESS, StartType(mode), 1 /* SERVICE_ERROR_NORMAL */, args.String("binaryPath"), null, IntPtr.Zero, null, null, null);
                if (service == IntPtr.Zero)
                {
                    int code = Marshal.GetLastWin32Error();
                    if (code == ERROR_SERVICE_EXISTS) throw new BridgeException("SERVICE_EXISTS", "the service '" + name + "' already exists", code);
                    if (code == ERROR_SERVICE_MARKED_FOR_DELETE) throw new BridgeException("SERVICE_MARKED_FOR_DELETE", "the service '" + name + "' is being deleted: close the Services console and retry", code);
                    throw LastError("CreateService " + name);
                }
                try
                {
                    SetStartMode(service, name, mode);
                    var description = new SERVICE_DESCRIPTION { lpDescription = args.OptionalString("description") ?? "" };
                    if (!ChangeServiceConfig2(service, SERVICE_CONFIG_DESCRIPTION, ref description)) throw LastError("ChangeServiceConfig2 description " + name);
                    long[] delays = args.Numbers("restartDelaysMs");
                    if (delays.Length > 0)
                    {
                        var actions = new SC_ACTION[delays.Length];
                        for (int i = 0; i < delays.Length; i++) actions[i] = new SC_ACTION { Type = 1 /* SC_ACTION_RESTART */, Delay = (uint)delays[i] };
                        int size = Marshal.SizeOf(typeof(SC_ACTION));
                        IntPtr array = Marshal.AllocHGlobal(size * actions.Length);
                        try
                        {
                            for (int i = 0; i < actions.Length; i++) Marshal.StructureToPtr(actions[i], new IntPtr(array.ToInt64() + i * size), false);
                            var failure = new SERVICE_FAILURE_ACTIONS { dwResetPeriod = (uint)args.Number("resetSeconds", 86400), cActions = (uint)actions.Length, lpsaActions = array };
                            if (!ChangeServiceConfig2(service, SERVICE_CONFIG_FAILURE_ACTIONS, ref failure)) throw LastError("ChangeServiceConfig2 failure actions " + name);
                        }
                        finally { Marshal.FreeHGlobal(array); }
                        var flag = new SERVICE_FAILURE_ACTIONS_FLAG { fFailureActionsOnNonCrashFailures = args.Bool("failureFlag", true) ? 1 : 0 };
                        if (!ChangeServiceConfig2(service, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, ref flag)) throw LastError("ChangeServiceConfig2 failure flag " + name);
                    }
                }
                finally { CloseServiceHandle(service); }
            }
            finally { CloseServiceHandle(scm); }
            return true;
        }

        /// <summary>Marks a service for deletion (it goes once stopped and every handle is closed); false when it did not exist.</summary>
        [Operation("services.delete")]
        public static object Delete(Args args)
        {
            string name = args.String("name");
            IntPtr scm = Manager(SC_MANAGER_CONNECT);
            try
            {
                IntPtr service = Open(scm, name, DELETE);
                if (service == IntPtr.Zero) return false;
                try
                {
                    if (!DeleteService(service) && Marshal.GetLastWin32Error() != ERROR_SERVICE_MARKED_FOR_DELETE) throw LastError("DeleteService " + name);
                }
                finally { CloseServiceHandle(service); }
            }
            finally { CloseServiceHandle(scm); }
            return true;
        }
    }
}
