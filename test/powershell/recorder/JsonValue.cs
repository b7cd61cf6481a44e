// Turns PowerShell objects into plain values System.Text.Json can write: PSObjects keep their
// PSTypeNames and properties, so tests can assert on what a PowerShell user would see.
#nullable enable
using System;
using System.Collections.Generic;
using System.Linq;
using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace AltazionTest;

public static class JsonValue
{
    private const int MaxDepth = 4;

    public static object? FromObject(object? value, int depth)
    {
        if (value == null) return null;
        if (value is PSObject pso)
        {
            var baseObject = pso.BaseObject;
            if (baseObject is PSCustomObject || !IsScalar(baseObject))
            {
                return Describe(pso, depth);
            }
            // A plain scalar comes back as its value; one whose type names were changed (a module
            // may insert its own) keeps them.
            if (pso.TypeNames.Count == 0 || pso.TypeNames[0] == baseObject.GetType().FullName) return Scalar(baseObject);
            return new Dictionary<string, object?>
            {
                ["typeNames"] = pso.TypeNames.ToArray(),
                ["value"] = Scalar(baseObject),
            };
        }
        if (IsScalar(value)) return Scalar(value);
        return Describe(PSObject.AsPSObject(value), depth);
    }

    private static Dictionary<string, object?> Describe(PSObject pso, int depth)
    {
        var result = new Dictionary<string, object?> { ["typeNames"] = pso.TypeNames.ToArray() };
        var baseObject = pso.BaseObject;
        if (depth >= MaxDepth)
        {
            result["value"] = SafeToString(pso);
            return result;
        }
        if (baseObject is IDictionary dictionary)
        {
            var entries = new Dictionary<string, object?>();
            foreach (DictionaryEntry entry in dictionary) entries[entry.Key?.ToString() ?? ""] = FromObject(entry.Value, depth + 1);
            result["properties"] = entries;
            return result;
        }
        if (baseObject is IEnumerable enumerable && baseObject is not string)
        {
            var items = new List<object?>();
            foreach (var item in enumerable) items.Add(FromObject(item, depth + 1));
            result["items"] = items;
            return result;
        }
        var properties = new Dictionary<string, object?>();
        // PSCustomObjects: their note properties. Other .NET objects: their public properties,
        // read defensively (a getter may throw).
        IEnumerable<PSPropertyInfo> props = baseObject is PSCustomObject
            ? pso.Properties.Where(p => p.MemberType == PSMemberTypes.NoteProperty)
            : pso.Properties;
        foreach (var prop in props)
        {
            try { properties[prop.Name] = FromObject(prop.Value, depth + 1); }
            catch (Exception ex) { properties[prop.Name] = $"<{ex.GetType().Name}>"; }
        }
        result["properties"] = properties;
        if (baseObject is not PSCustomObject) result["value"] = SafeToString(pso);
        return result;
    }

    public static Dictionary<string, object?> FromError(ErrorRecord record)
    {
        return new Dictionary<string, object?>
        {
            ["fullyQualifiedErrorId"] = record.FullyQualifiedErrorId,
            ["category"] = record.CategoryInfo.Category.ToString(),
            ["categoryInfo"] = record.CategoryInfo.ToString(),
            ["activity"] = record.CategoryInfo.Activity,
            ["reason"] = record.CategoryInfo.Reason,
            ["targetName"] = record.CategoryInfo.TargetName,
            ["targetObject"] = FromObject(record.TargetObject, 2),
            ["message"] = record.Exception?.Message,
            ["exceptionType"] = record.Exception?.GetType().FullName,
            ["errorDetailsMessage"] = record.ErrorDetails?.Message,
            ["recommendedAction"] = record.ErrorDetails?.RecommendedAction,
            ["commandName"] = record.InvocationInfo?.MyCommand?.Name,
            ["scriptStackTrace"] = record.ScriptStackTrace,
        };
    }

    private static bool IsScalar(object value) =>
        value is string || value is bool || value is char || value is DateTime || value is DateTimeOffset
        || value is Guid || value is Enum || value is decimal || value is Version || value is SwitchParameter
        || value.GetType().IsPrimitive;

    private static object? Scalar(object value) => value switch
    {
        string s => s,
        bool b => b,
        char c => c.ToString(),
        DateTime dt => dt.ToString("o", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("o", CultureInfo.InvariantCulture),
        Enum e => e.ToString(),
        SwitchParameter sw => sw.IsPresent,
        double d when double.IsFinite(d) => d,
        float f when float.IsFinite(f) => f,
        double or float => value.ToString(),
        decimal m => m,
        IConvertible when value.GetType().IsPrimitive => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static string SafeToString(object value)
    {
        try { return value.ToString() ?? ""; } catch (Exception ex) { return $"<{ex.GetType().Name}>"; }
    }
}
