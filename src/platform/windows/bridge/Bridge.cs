// The bridge's one protocol, the same whoever hosts it (edge-js in the updater's process, or Windows
// PowerShell 5.1 through Add-Type):
//   request  {"v":1,"calls":[{"op":"services.list"},{"op":"iis.list"},{"op":"acl.read","path":"D:\\x"}]}
//   answer   {"v":1,"results":[{"ok":true,"value":[...]},{"ok":false,"error":{"code":"NO_IIS","message":"...","win32":1060}},...]}
// One answer per call, in order; a failing call never hides the others. An operation is one static
// method marked [Operation("name")] taking Args and returning what the JSON writer knows
// (dictionaries, lists, strings, numbers, booleans, null): adding an operation is writing that method.
using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Reflection;
using System.Threading.Tasks;

namespace Altazion.Bridge
{
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class OperationAttribute : Attribute
    {
        public OperationAttribute(string name) { Name = name; }
        public string Name { get; private set; }
    }

    /// <summary>A failure with a stable code the TypeScript side maps (and a Win32 error when there is one).</summary>
    public sealed class BridgeException : Exception
    {
        public BridgeException(string code, string message, int win32 = 0) : base(message)
        {
            Code = code;
            Win32 = win32;
        }
        public string Code { get; private set; }
        public int Win32 { get; private set; }
    }

    /// <summary>The arguments of one call (the call object's other properties).</summary>
    public sealed class Args
    {
        readonly Dictionary<string, object> values;
        public Args(Dictionary<string, object> values) { this.values = values; }

        public bool Has(string name) { return values.ContainsKey(name) && values[name] != null; }

        public string String(string name)
        {
            string value = OptionalString(name);
            if (string.IsNullOrEmpty(value)) throw new BridgeException("BAD_REQUEST", "argument '" + name + "' is missing");
            return value;
        }

        public string OptionalString(string name)
        {
            object value;
            if (!values.TryGetValue(name, out value) || value == null) return null;
            string text = value as string;
            if (text == null) throw new BridgeException("BAD_REQUEST", "argument '" + name + "' must be a string");
            return text;
        }

        public string[] Strings(string name)
        {
            object value;
            if (!values.TryGetValue(name, out value) || value == null) return new string[0];
            var list = value as List<object>;
            if (list == null) throw new BridgeException("BAD_REQUEST", "argument '" + name + "' must be an array of strings");
            var result = new string[list.Count];
            for (int i = 0; i < list.Count; i++)
            {
                result[i] = list[i] as string;
                if (result[i] == null) throw new BridgeException("BAD_REQUEST", "argument '" + name + "' must be an array of strings");
            }
            return result;
        }

        public long[] Numbers(string name)
        {
            object value;
            if (!values.TryGetValue(name, out value) || value == null) return new long[0];
            var list = value as List<object>;
            if (list == null) throw new BridgeException("BAD_REQUEST", "argument '" + name + "' must be an array of numbers");
            var result = new long[list.Count];
            for (int i = 0; i < list.Count; i++)
            {
                if (!(list[i] is double)) throw new BridgeException("BAD_REQUEST", "argument '" + name + "' must be an array of numbers");
                result[i] = (long)(double)list[i];
            }
            return result;
        }

        public long Number(string name, long fallback)
        {
            object value;
            if (!values.TryGetValue(name, out value) || value == null) return fallback;
            if (!(value is double)) throw new BridgeException("BAD_REQUEST", "argument '" + name + "' must be a number");
            return (long)(double)value;
        }

        public bool Bool(string name, bool fallback)
        {
            object value;
            if (!values.TryGetValue(name, out value) || value == null) return fallback;
            if (!(value is bool)) throw new BridgeException("BAD_REQUEST", "argument '" + name + "' must be true or false");
            return (bool)value;
        }

        public List<Dictionary<string, object>> Objects(string name)
        {
            var result = new List<Dictionary<string, object>>();
            object value;
            if (!values.TryGetValue(name, out value) || value == null) return result;
            var list = value as List<object>;
            if (list == null) throw new BridgeException("BAD_REQUEST", "argument '" + name + "' must be an array of objects");
            foreach (object item in list)
            {
                var obj = item as Dictionary<string, object>;
                if (obj == null) throw new BridgeException("BAD_REQUEST", "argument '" + name + "' must be an array of objects");
                result.Add(obj);
            }
            return result;
        }
    }

    public static class Bridge
    {
        public const int ProtocolVersion = 1;
        /// <summary>The assembly holding the iis.* operations, beside this one.</summary>
        public const string IisAssemblyFile = "AltazionBridge.Iis.dll";

        static readonly object gate = new object();
        static Dictionary<string, MethodInfo> operations;
        static bool iisLoaded;

        static void Register(Assembly assembly, Dictionary<string, MethodInfo> into)
        {
            foreach (Type type in assembly.GetTypes())
            {
                foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Static))
                {
                    var attribute = (OperationAttribute)Attribute.GetCustomAttribute(method, typeof(OperationAttribute));
                    if (attribute != null) into[attribute.Name] = method;
                }
            }
        }

        static MethodInfo Find(string op)
        {
            lock (gate)
            {
                if (operations == null)
                {
                    operations = new Dictionary<string, MethodInfo>(StringComparer.Ordinal);
                    Register(typeof(Bridge).Assembly, operations);
                }
                MethodInfo method;
                if (!operations.TryGetValue(op, out method) && op.StartsWith("iis.", StringComparison.Ordinal) && !iisLoaded)
                {
                    // Only now, and only with IIS installed, is Microsoft.Web.Administration ever touched.
                    if (!Services.Exists("W3SVC")) throw new BridgeException("NO_IIS", "IIS is not installed on this server (no W3SVC service)", 1060);
                    string folder = Path.GetDirectoryName(typeof(Bridge).Assembly.Location);
                    Register(Assembly.LoadFrom(Path.Combine(folder, IisAssemblyFile)), operations);
                    iisLoaded = true;
                    operations.TryGetValue(op, out method);
                }
                if (method == null) throw new BridgeException("UNKNOWN_OPERATION", "unknown bridge operation '" + op + "'");
                return method;
            }
        }

        /// <summary>Operation names this build answers (core ones; iis.* once loaded).</summary>
        [Operation("bridge.operations")]
        public static object Operations(Args args)
        {
            Find("bridge.operations");
            lock (gate) { return new List<string>(operations.Keys); }
        }

        static Dictionary<string, object> ErrorOf(Exception error)
        {
            while (error is TargetInvocationException && error.InnerException != null) error = error.InnerException;
            var aggregate = error as AggregateException;
            if (aggregate != null && aggregate.InnerExceptions.Count == 1) error = aggregate.InnerExceptions[0];
            string code = "FAILED";
            int win32 = 0;
            var bridge = error as BridgeException;
            var native = error as Win32Exception;
            if (bridge != null) { code = bridge.Code; win32 = bridge.Win32; }
            else if (native != null) { code = native.NativeErrorCode == 5 ? "ACCESS_DENIED" : "WIN32"; win32 = native.NativeErrorCode; }
            else if (error is UnauthorizedAccessException || error is System.Security.SecurityException) { code = "ACCESS_DENIED"; win32 = 5; }
            else if (error is FileNotFoundException || error is DirectoryNotFoundException) code = "NOT_FOUND";
            else if (error is PlatformNotSupportedException || error is DllNotFoundException || error is EntryPointNotFoundException) code = "NOT_SUPPORTED";
            var result = new Dictionary<string, object>();
            result["code"] = code;
            result["message"] = error.Message;
            result["type"] = error.GetType().FullName;
            if (win32 != 0) result["win32"] = win32;
            return result;
        }

        static object Call(Dictionary<string, object> call)
        {
            object op;
            if (!call.TryGetValue("op", out op) || !(op is string)) throw new BridgeException("BAD_REQUEST", "a call without \"op\"");
            MethodInfo method = Find((string)op);
            return method.Invoke(null, new object[] { new Args(call) });
        }

        /// <summary>Answers a request (JSON text) with an answer (JSON text). Never throws.</summary>
        public static string HandleJson(string request)
        {
            var results = new List<object>();
            try
            {
                var parsed = Json.Parse(request) as Dictionary<string, object>;
                object calls;
                if (parsed == null || !parsed.TryGetValue("calls", out calls) || !(calls is List<object>))
                    throw new BridgeException("BAD_REQUEST", "the request must be an object with a \"calls\" array");
                foreach (object item in (List<object>)calls)
                {
                    var entry = new Dictionary<string, object>();
                    try
                    {
                        var call = item as Dictionary<string, object>;
                        if (call == null) throw new BridgeException("BAD_REQUEST", "each call must be an object");
                        entry["value"] = Call(call);
                        entry["ok"] = true;
                    }
                    catch (Exception error)
                    {
                        entry["ok"] = false;
                        entry["error"] = ErrorOf(error);
                    }
                    results.Add(entry);
                }
            }
            catch (Exception error)
            {
                var answer = new Dictionary<string, object>();
                answer["v"] = ProtocolVersion;
                answer["error"] = ErrorOf(error);
                return Json.Write(answer);
            }
            var ok = new Dictionary<string, object>();
            ok["v"] = ProtocolVersion;
            ok["results"] = results;
            return Json.Write(ok);
        }
    }

    /// <summary>
    /// edge-js entry (typeName Altazion.Bridge.EdgeEntry, method Invoke): the request JSON in, the
    /// answer JSON out, computed on a pool thread so the updater's event loop keeps running.
    /// </summary>
    public class EdgeEntry
    {
        public Task<object> Invoke(object input)
        {
            string request = input as string;
            return Task.Run(() => (object)Bridge.HandleJson(request));
        }
    }
}
