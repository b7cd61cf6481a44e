// host.info: who runs the bridge and with what rights, and the code pages console tools write in.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Security.Principal;

namespace Altazion.Bridge
{
    public static class HostInfo
    {
        [DllImport("kernel32.dll")] static extern uint GetOEMCP();
        [DllImport("kernel32.dll")] static extern uint GetACP();

        /// <summary>
        /// elevated: the token is a member of BUILTIN\Administrators with that group enabled (under
        /// UAC a non-elevated administrator's filtered token has it deny-only: false).
        /// oemCodePage: what console programs started without a console of their own write in.
        /// </summary>
        [Operation("host.info")]
        public static object Info(Args args)
        {
            var result = new Dictionary<string, object>();
            using (WindowsIdentity identity = WindowsIdentity.GetCurrent())
            {
                result["user"] = identity.Name;
                result["userSid"] = identity.User == null ? null : identity.User.Value;
                result["elevated"] = new WindowsPrincipal(identity).IsInRole(WindowsBuiltInRole.Administrator);
                result["system"] = identity.IsSystem;
            }
            result["computerName"] = Environment.MachineName;
            result["oemCodePage"] = GetOEMCP();
            result["ansiCodePage"] = GetACP();
            result["clr"] = Environment.Version.ToString();
            result["process64"] = Environment.Is64BitProcess;
            result["osVersion"] = Environment.OSVersion.Version.ToString();
            return result;
        }
    }
}
