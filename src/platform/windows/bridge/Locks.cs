// locks.holders: the processes holding files or folders at or below the given paths (SPEC §6 step 3,
// §8 locks), from three sources:
//  1. the Restart Manager (Microsoft docs, "Using Restart Manager"): RmStartSession,
//     RmRegisterResources with the files of each folder (1000 per session), RmGetList called first
//     without a buffer -> ERROR_MORE_DATA and the count, then with one; RmEndSession;
//  2. Explorer windows showing a folder (Shell.Application .Windows(): LocationURL, HWND ->
//     GetWindowThreadProcessId); COM lists the windows of the caller's session only;
//  3. command prompts (cmd.exe, powershell.exe, pwsh.exe) whose current directory is inside a folder:
//     their handle on the directory blocks the rename and the Restart Manager (files only) does not
//     see it. Read from the process parameters of the PEB (NtQueryInformationProcess, winternl.h);
//     the CurrentDirectory offset is outside the documented part of the structure: best effort,
//     64-bit targets only, any failure skips the process.
// Image and user of each holder: QueryFullProcessImageName and the process token's user.
using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Principal;
using System.Text;

namespace Altazion.Bridge
{
    public static class Locks
    {
        public const int FilesPerSession = 1000;

        [StructLayout(LayoutKind.Sequential)]
        struct RM_UNIQUE_PROCESS { public int dwProcessId; public System.Runtime.InteropServices.ComTypes.FILETIME ProcessStartTime; }

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        struct RM_PROCESS_INFO
        {
            public RM_UNIQUE_PROCESS Process;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 256)] public string strAppName;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 64)] public string strServiceShortName;
            public int ApplicationType;
            public uint AppStatus;
            public uint TSSessionId;
            [MarshalAs(UnmanagedType.Bool)] public bool bRestartable;
        }

        [DllImport("rstrtmgr.dll", CharSet = CharSet.Unicode)]
        static extern int RmStartSession(out uint sessionHandle, int sessionFlags, StringBuilder sessionKey);
        [DllImport("rstrtmgr.dll")]
        static extern int RmEndSession(uint sessionHandle);
        [DllImport("rstrtmgr.dll", CharSet = CharSet.Unicode)]
        static extern int RmRegisterResources(uint sessionHandle, uint nFiles, string[] filenames, uint nApplications, RM_UNIQUE_PROCESS[] applications, uint nServices, string[] serviceNames);
        [DllImport("rstrtmgr.dll")]
        static extern int RmGetList(uint sessionHandle, out uint procInfoNeeded, ref uint procInfo, [In, Out] RM_PROCESS_INFO[] affectedApps, ref uint rebootReasons);

        [DllImport("user32.dll")]
        static extern uint GetWindowThreadProcessId(IntPtr hWnd, out uint processId);

        [StructLayout(LayoutKind.Sequential)]
        struct PROCESS_BASIC_INFORMATION { public IntPtr ExitStatus; public IntPtr PebBaseAddress; public IntPtr AffinityMask; public IntPtr BasePriority; public IntPtr UniqueProcessId; public IntPtr InheritedFromUniqueProcessId; }
        [DllImport("ntdll.dll")]
        static extern int NtQueryInformationProcess(IntPtr process, int infoClass, ref PROCESS_BASIC_INFORMATION info, int length, out int returned);
        [DllImport("kernel32.dll", SetLastError = true)]
        static extern IntPtr OpenProcess(int access, bool inherit, int pid);
        [DllImport("kernel32.dll", SetLastError = true)]
        static extern bool ReadProcessMemory(IntPtr process, IntPtr address, byte[] buffer, IntPtr size, out IntPtr read);
        [DllImport("kernel32.dll", SetLastError = true)]
        static extern bool IsWow64Process(IntPtr process, out bool wow64);
        [DllImport("kernel32.dll")]
        static extern bool CloseHandle(IntPtr handle);
        [DllImport("kernel32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool QueryFullProcessImageName(IntPtr process, int flags, StringBuilder name, ref int size);
        [DllImport("advapi32.dll", SetLastError = true)]
        static extern bool OpenProcessToken(IntPtr process, int access, out IntPtr token);

        const int ERROR_MORE_DATA = 234;
        const int PROCESS_QUERY_LIMITED_INFORMATION = 0x1000, PROCESS_QUERY_INFORMATION = 0x0400, PROCESS_VM_READ = 0x0010, TOKEN_QUERY = 0x0008;

        /// <summary>Pids of the processes holding any of the files (one Restart Manager session), with the RM's application name.</summary>
        static Dictionary<int, string> RestartManager(string[] files)
        {
            var result = new Dictionary<int, string>();
            uint session;
            int rc = RmStartSession(out session, 0, new StringBuilder(33)); // CCH_RM_SESSION_KEY + 1
            if (rc != 0) throw new Win32Exception(rc, "RmStartSession failed (" + rc + ")");
            try
            {
                rc = RmRegisterResources(session, (uint)files.Length, files, 0, null, 0, null);
                if (rc != 0) throw new Win32Exception(rc, "RmRegisterResources failed (" + rc + ")");
                uint needed = 0, count = 0, reasons = 0;
                RM_PROCESS_INFO[] infos = null;
                for (int attempt = 0; attempt < 5; attempt++) // the list can grow between the two calls
                {
                    rc = RmGetList(session, out needed, ref count, infos, ref reasons);
                    if (rc == 0) break;
                    if (rc != ERROR_MORE_DATA) throw new Win32Exception(rc, "RmGetList failed (" + rc + ")");
                    infos = new RM_PROCESS_INFO[needed];
                    count = needed;
                }
                if (rc != 0) throw new Win32Exception(rc, "RmGetList: the list kept growing");
                for (int i = 0; i < count; i++) result[infos[i].Process.dwProcessId] = infos[i].strAppName;
            }
            finally { RmEndSession(session); }
            return result;
        }

        /// <summary>Every file below a folder, skipping what cannot be listed and not following junctions.</summary>
        static List<string> FilesBelow(string folder)
        {
            var files = new List<string>();
            if (File.Exists(folder)) { files.Add(folder); return files; }
            var pending = new Stack<string>();
            pending.Push(folder);
            while (pending.Count > 0)
            {
                string dir = pending.Pop();
                try
                {
                    foreach (string file in Directory.GetFiles(dir)) files.Add(file);
                    foreach (string sub in Directory.GetDirectories(dir))
                    {
                        if ((File.GetAttributes(sub) & FileAttributes.ReparsePoint) == 0) pending.Push(sub);
                    }
                }
                catch (UnauthorizedAccessException) { }
                catch (IOException) { }
            }
            return files;
        }

        static bool Inside(string child, string parent)
        {
            string c = child.TrimEnd('\\').ToLowerInvariant(), p = parent.TrimEnd('\\').ToLowerInvariant();
            return c == p || c.StartsWith(p + "\\", StringComparison.Ordinal);
        }

        static string Image(int pid)
        {
            IntPtr process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, false, pid);
            if (process == IntPtr.Zero) return null;
            try
            {
                var name = new StringBuilder(1024);
                int size = name.Capacity;
                return QueryFullProcessImageName(process, 0, name, ref size) ? Path.GetFileName(name.ToString()) : null;
            }
            finally { CloseHandle(process); }
        }

        static string User(int pid)
        {
            IntPtr process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, false, pid);
            if (process == IntPtr.Zero) return null;
            try
            {
                IntPtr token;
                if (!OpenProcessToken(process, TOKEN_QUERY, out token)) return null;
                try { using (var identity = new WindowsIdentity(token)) return identity.Name; }
                catch (Exception) { return null; }
                finally { CloseHandle(token); }
            }
            finally { CloseHandle(process); }
        }

        static byte[] Read(IntPtr process, long address, int size)
        {
            byte[] buffer = new byte[size];
            IntPtr read;
            if (!ReadProcessMemory(process, new IntPtr(address), buffer, new IntPtr(size), out read) || read.ToInt64() != size) return null;
            return buffer;
        }

        /// <summary>The current directory of a 64-bit process, or null (best effort, see above).</summary>
        static string CurrentDirectory(int pid)
        {
            if (IntPtr.Size != 8) return null;
            IntPtr process = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, false, pid);
            if (process == IntPtr.Zero) return null;
            try
            {
                bool wow64;
                if (!IsWow64Process(process, out wow64) || wow64) return null;
                var info = new PROCESS_BASIC_INFORMATION();
                int returned;
                if (NtQueryInformationProcess(process, 0, ref info, Marshal.SizeOf(info), out returned) != 0) return null;
                byte[] peb = Read(process, info.PebBaseAddress.ToInt64() + 0x20, 8); // PEB.ProcessParameters
                if (peb == null) return null;
                long parameters = BitConverter.ToInt64(peb, 0);
                byte[] cd = Read(process, parameters + 0x38, 16); // CurrentDirectory.DosPath (UNICODE_STRING)
                if (cd == null) return null;
                int length = BitConverter.ToUInt16(cd, 0);
                long buffer = BitConverter.ToInt64(cd, 8);
                if (length == 0 || length > 65534) return null;
                byte[] text = Read(process, buffer, length);
                return text == null ? null : Encoding.Unicode.GetString(text);
            }
            finally { CloseHandle(process); }
        }

        static void Add(List<object> into, HashSet<string> seen, int pid, string image, string path, string source)
        {
            if (pid <= 0 || pid == Process.GetCurrentProcess().Id) return;
            if (!seen.Add(pid + "|" + path.ToLowerInvariant())) return;
            var holder = new Dictionary<string, object>();
            holder["pid"] = pid;
            holder["image"] = Image(pid) ?? image ?? "";
            holder["user"] = User(pid) ?? "";
            holder["path"] = path;
            holder["source"] = source;
            into.Add(holder);
        }

        static object Invoke(object target, string member, BindingFlags kind, params object[] args)
        {
            return target.GetType().InvokeMember(member, kind, null, target, args);
        }

        [Operation("locks.holders")]
        public static object Holders(Args args)
        {
            string[] folders = args.Strings("paths");
            var result = new List<object>();
            var seen = new HashSet<string>();
            foreach (string folder in folders)
            {
                List<string> files = FilesBelow(folder);
                var pids = new Dictionary<int, string>();
                for (int i = 0; i < files.Count; i += FilesPerSession)
                {
                    foreach (var entry in RestartManager(files.GetRange(i, Math.Min(FilesPerSession, files.Count - i)).ToArray()))
                        pids[entry.Key] = entry.Value;
                }
                foreach (var entry in pids) Add(result, seen, entry.Key, entry.Value, folder, "restart-manager");
            }
            try
            {
                Type shellType = Type.GetTypeFromProgID("Shell.Application");
                object shell = shellType == null ? null : Activator.CreateInstance(shellType);
                object windows = shell == null ? null : Invoke(shell, "Windows", BindingFlags.InvokeMethod);
                int count = windows == null ? 0 : (int)Invoke(windows, "Count", BindingFlags.GetProperty);
                for (int i = 0; i < count; i++)
                {
                    try
                    {
                        object window = Invoke(windows, "Item", BindingFlags.InvokeMethod, i);
                        if (window == null) continue;
                        string url = Convert.ToString(Invoke(window, "LocationURL", BindingFlags.GetProperty));
                        if (url == null || !url.StartsWith("file:", StringComparison.OrdinalIgnoreCase)) continue;
                        string local = new Uri(url).LocalPath;
                        long hwnd = Convert.ToInt64(Invoke(window, "HWND", BindingFlags.GetProperty));
                        foreach (string folder in folders)
                        {
                            if (!Inside(local, folder)) continue;
                            uint pid;
                            GetWindowThreadProcessId(new IntPtr(hwnd), out pid);
                            Add(result, seen, (int)pid, "explorer.exe", local, "explorer");
                        }
                    }
                    catch (Exception) { }
                }
            }
            catch (Exception) { } // no shell (Server Core, a service session)
            foreach (string name in new[] { "cmd", "powershell", "pwsh" })
            {
                foreach (Process process in Process.GetProcessesByName(name))
                {
                    using (process)
                    {
                        string cwd = null;
                        try { cwd = CurrentDirectory(process.Id); } catch (Exception) { }
                        if (cwd == null) continue;
                        foreach (string folder in folders)
                        {
                            if (Inside(cwd, folder)) Add(result, seen, process.Id, name + ".exe", cwd, "current-directory");
                        }
                    }
                }
            }
            return result;
        }
    }
}
