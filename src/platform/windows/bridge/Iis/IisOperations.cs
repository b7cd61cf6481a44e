// IIS through Microsoft.Web.Administration (ServerManager), the only code that needs it. Loaded by
// the core bridge on the first iis.* call, once it has seen the W3SVC service. Enum values are read
// by name (ToString), so nothing here depends on their numeric values.
using System;
using System.Collections.Generic;
using Microsoft.Web.Administration;

namespace Altazion.Bridge.Iis
{
    public static class IisOperations
    {
        /// <summary>
        /// Everything discovery needs in one call: sites with their bindings, applications with the
        /// physical path of their root virtual directory (environment variables expanded) and pool,
        /// pools with state and identity.
        /// </summary>
        [Operation("iis.list")]
        public static object List(Args args)
        {
            var sites = new List<object>();
            var applications = new List<object>();
            var pools = new List<object>();
            using (var manager = new ServerManager())
            {
                foreach (Site site in manager.Sites)
                {
                    var bindings = new List<object>();
                    foreach (Binding binding in site.Bindings)
                    {
                        var b = new Dictionary<string, object>();
                        b["protocol"] = binding.Protocol;
                        b["bindingInformation"] = binding.BindingInformation;
                        bindings.Add(b);
                    }
                    var s = new Dictionary<string, object>();
                    s["name"] = site.Name;
                    s["bindings"] = bindings;
                    sites.Add(s);
                    foreach (Application app in site.Applications)
                    {
                        VirtualDirectory root = app.VirtualDirectories["/"];
                        var a = new Dictionary<string, object>();
                        a["site"] = site.Name;
                        a["virtualPath"] = app.Path;
                        a["physicalPath"] = root == null ? "" : Environment.ExpandEnvironmentVariables(root.PhysicalPath ?? "");
                        a["appPool"] = app.ApplicationPoolName;
                        applications.Add(a);
                    }
                }
                foreach (ApplicationPool pool in manager.ApplicationPools)
                {
                    var p = new Dictionary<string, object>();
                    p["name"] = pool.Name;
                    // State asks WAS: it throws when the Windows Process Activation Service is stopped.
                    try { p["state"] = pool.State.ToString(); }
                    catch (Exception) { p["state"] = "Unknown"; }
                    p["identityType"] = pool.ProcessModel.IdentityType.ToString();
                    p["userName"] = pool.ProcessModel.UserName;
                    pools.Add(p);
                }
            }
            var result = new Dictionary<string, object>();
            result["sites"] = sites;
            result["applications"] = applications;
            result["pools"] = pools;
            return result;
        }

        static ApplicationPool Pool(ServerManager manager, string name)
        {
            ApplicationPool pool = manager.ApplicationPools[name];
            if (pool == null) throw new BridgeException("NO_SUCH_POOL", "the application pool '" + name + "' does not exist");
            return pool;
        }

        /// <summary>Asks a pool to stop (already stopped or stopping is fine); answers its state.</summary>
        [Operation("iis.stopPool")]
        public static object StopPool(Args args)
        {
            using (var manager = new ServerManager())
            {
                ApplicationPool pool = Pool(manager, args.String("name"));
                string state = pool.State.ToString();
                if (state == "Stopped" || state == "Stopping") return state;
                return pool.Stop().ToString();
            }
        }

        /// <summary>Asks a pool to start (already started or starting is fine); answers its state.</summary>
        [Operation("iis.startPool")]
        public static object StartPool(Args args)
        {
            using (var manager = new ServerManager())
            {
                ApplicationPool pool = Pool(manager, args.String("name"));
                string state = pool.State.ToString();
                if (state == "Started" || state == "Starting") return state;
                return pool.Start().ToString();
            }
        }
    }
}
