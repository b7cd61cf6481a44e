// The oracle for our T-SQL analysis (issue 21): Microsoft's own parser, ScriptDom, reads each .sql
// file given on the command line and prints, as one JSON document, its batches (the line of each
// batch's first token) and the objects the script touches, with the same rules as
// src/database/impact.ts: created, altered, dropped, written, renamed, executed, permissions; module
// bodies are not executed by the script and are not looked into; temp tables and variables are not
// objects; an alias or a common table expression written through is its table. The mocha tests
// (test/unit/database/oracle.test.ts) compare our lexer, batches and impact with this output.
// It also lists the statements SQL Server refuses inside a user transaction (BACKUP, RESTORE,
// ALTER/CREATE/DROP DATABASE, RECONFIGURE, full-text catalogs and indexes, KILL): `publish` refuses
// them in a script marked transactional, and the tests compare our detection with this list.
// `GO <count>` is sqlcmd's, not T-SQL: the count is blanked out before parsing (the batch boundary
// stays where it is; our own tests pin the repeat count).
//   dotnet run --project test/tsql-oracle -- file1.sql file2.sql
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Json;
using Microsoft.SqlServer.TransactSql.ScriptDom;

var results = new List<object>();
foreach (var file in args)
{
    var text = Regex.Replace(ReadSql(file), @"(?im)^([ \t]*GO)([ \t]+)(\d+)(?=[ \t]*(--[^\r\n]*)?\r?$)", m => m.Groups[1].Value + m.Groups[2].Value + new string(' ', m.Groups[3].Length));
    var parser = new TSql160Parser(initialQuotedIdentifiers: true);
    using var reader = new StringReader(text);
    var fragment = parser.Parse(reader, out var errors);
    var batches = new List<object>();
    var visitor = new ImpactVisitor();
    if (fragment is TSqlScript script)
    {
        foreach (var batch in script.Batches)
        {
            batches.Add(new { line = batch.StartLine, statements = batch.Statements.Count });
            batch.Accept(visitor);
        }
    }
    results.Add(new
    {
        file,
        errors = errors.Select(e => new { line = e.Line, message = e.Message }).ToList(),
        batches,
        objects = visitor.Objects.Distinct().OrderBy(o => o, StringComparer.Ordinal).ToList(),
        dynamicSql = visitor.DynamicSql,
        nonTransactional = visitor.NonTransactional.Distinct().ToList(),
    });
}
Console.OutputEncoding = new UTF8Encoding(false);
Console.WriteLine(JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));

static string ReadSql(string file)
{
    var bytes = File.ReadAllBytes(file);
    if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE) return Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
    var text = new UTF8Encoding(false).GetString(bytes);
    return text.Length > 0 && text[0] == '\uFEFF' ? text.Substring(1) : text;
}

/// <summary>The objects a script touches, as `schema.name|action` (lower-cased), with impact.ts's rules.</summary>
sealed class ImpactVisitor : TSqlFragmentVisitor
{
    public readonly List<string> Objects = new();
    public readonly List<string> NonTransactional = new();
    public bool DynamicSql;

    // Statements SQL Server refuses inside a user transaction (at batch level; module bodies are not run).
    public override void Visit(BackupStatement node) { NonTransactional.Add("backup"); }
    public override void Visit(RestoreStatement node) { NonTransactional.Add("restore"); }
    public override void Visit(AlterDatabaseStatement node) { NonTransactional.Add("alter database"); }
    public override void Visit(CreateDatabaseStatement node) { NonTransactional.Add("create database"); }
    public override void Visit(DropDatabaseStatement node) { NonTransactional.Add("drop database"); }
    public override void Visit(ReconfigureStatement node) { NonTransactional.Add("reconfigure"); }
    public override void Visit(FullTextCatalogStatement node) { NonTransactional.Add("fulltext catalog"); }
    public override void Visit(DropFullTextCatalogStatement node) { NonTransactional.Add("fulltext catalog"); }
    public override void Visit(CreateFullTextIndexStatement node) { NonTransactional.Add("fulltext index"); }
    public override void Visit(AlterFullTextIndexStatement node) { NonTransactional.Add("fulltext index"); }
    public override void Visit(DropFullTextIndexStatement node) { NonTransactional.Add("fulltext index"); }
    public override void Visit(KillStatement node) { NonTransactional.Add("kill"); }

    void Add(SchemaObjectName? name, string action)
    {
        if (name?.BaseIdentifier == null) return;
        Add(name.SchemaIdentifier?.Value, name.BaseIdentifier.Value, action);
    }

    void Add(string? schema, string name, string action)
    {
        if (string.IsNullOrEmpty(name) || name.StartsWith('#') || name.StartsWith('@')) return;
        Objects.Add($"{(string.IsNullOrEmpty(schema) ? "dbo" : schema)}.{name}|{action}".ToLowerInvariant());
    }

    // Tables and other objects.
    public override void ExplicitVisit(CreateTableStatement node) { Add(node.SchemaObjectName, "create"); }
    public override void Visit(AlterTableStatement node) { Add(node.SchemaObjectName, "alter"); }
    // DROP TABLE, VIEW, PROCEDURE, FUNCTION, TRIGGER (not a database or server one), SYNONYM, SEQUENCE.
    public override void Visit(DropObjectsStatement node)
    {
        if (node is DropTriggerStatement trigger && trigger.TriggerScope != TriggerScope.Normal) return;
        foreach (var o in node.Objects) Add(o, "drop");
    }
    public override void ExplicitVisit(DropTypeStatement node) { Add(node.Name, "drop"); }
    public override void ExplicitVisit(CreateSynonymStatement node) { Add(node.Name, "create"); }
    public override void ExplicitVisit(CreateSequenceStatement node) { Add(node.Name, "create"); }
    public override void ExplicitVisit(AlterSequenceStatement node) { Add(node.Name, "alter"); }
    public override void ExplicitVisit(CreateTypeUddtStatement node) { Add(node.Name, "create"); }
    public override void ExplicitVisit(CreateTypeTableStatement node) { Add(node.Name, "create"); }
    public override void ExplicitVisit(CreateIndexStatement node) { Add(node.OnName, "alter"); }
    public override void ExplicitVisit(CreateColumnStoreIndexStatement node) { Add(node.OnName, "alter"); }
    public override void ExplicitVisit(AlterIndexStatement node) { if (!node.All || node.OnName != null) Add(node.OnName, "alter"); }
    public override void ExplicitVisit(DropIndexStatement node)
    {
        foreach (var clause in node.DropIndexClauses)
        {
            if (clause is DropIndexClause c) Add(c.Object, "alter");
            else if (clause is BackwardsCompatibleDropIndexClause b && b.Index != null) Add(b.Index.SchemaIdentifier?.Value, b.Index.BaseIdentifier.Value, "alter");
        }
    }
    public override void ExplicitVisit(TruncateTableStatement node) { Add(node.TableName, "write"); }
    public override void ExplicitVisit(AlterSchemaStatement node)
    {
        // ALTER SCHEMA target TRANSFER s.obj: the object leaves its schema and appears in the target one.
        Add(node.ObjectName, "rename");
        if (node.ObjectName?.BaseIdentifier != null) Add(node.Name.Value, node.ObjectName.BaseIdentifier.Value, "create");
    }
    public override void ExplicitVisit(EnableDisableTriggerStatement node)
    {
        if (node.TriggerObject?.TriggerScope == TriggerScope.Normal) Add(node.TriggerObject.Name, "alter");
    }

    // Permissions on an object.
    void Security(SecurityTargetObject? target)
    {
        if (target?.ObjectName?.MultiPartIdentifier == null) return;
        if (target.ObjectKind != SecurityObjectKind.NotSpecified && target.ObjectKind != SecurityObjectKind.Object) return;
        var ids = target.ObjectName.MultiPartIdentifier.Identifiers;
        Add(ids.Count >= 2 ? ids[ids.Count - 2].Value : null, ids[ids.Count - 1].Value, "permission");
    }
    public override void ExplicitVisit(GrantStatement node) { Security(node.SecurityTargetObject); }
    public override void ExplicitVisit(DenyStatement node) { Security(node.SecurityTargetObject); }
    public override void ExplicitVisit(RevokeStatement node) { Security(node.SecurityTargetObject); }

    // Modules: the definition is stored, not executed: its body is not looked into.
    public override void ExplicitVisit(CreateProcedureStatement node) { Add(node.ProcedureReference.Name, "create"); }
    public override void ExplicitVisit(AlterProcedureStatement node) { Add(node.ProcedureReference.Name, "alter"); }
    public override void ExplicitVisit(CreateOrAlterProcedureStatement node) { Add(node.ProcedureReference.Name, "alter"); }
    public override void ExplicitVisit(CreateFunctionStatement node) { Add(node.Name, "create"); }
    public override void ExplicitVisit(AlterFunctionStatement node) { Add(node.Name, "alter"); }
    public override void ExplicitVisit(CreateOrAlterFunctionStatement node) { Add(node.Name, "alter"); }
    public override void ExplicitVisit(CreateViewStatement node) { Add(node.SchemaObjectName, "create"); }
    public override void ExplicitVisit(AlterViewStatement node) { Add(node.SchemaObjectName, "alter"); }
    public override void ExplicitVisit(CreateOrAlterViewStatement node) { Add(node.SchemaObjectName, "alter"); }
    void Trigger(TriggerStatementBody node, string action)
    {
        Add(node.Name, action);
        if (node.TriggerObject?.TriggerScope == TriggerScope.Normal) Add(node.TriggerObject.Name, "alter");
    }
    public override void ExplicitVisit(CreateTriggerStatement node) { Trigger(node, "create"); }
    public override void ExplicitVisit(AlterTriggerStatement node) { Trigger(node, "alter"); }
    public override void ExplicitVisit(CreateOrAlterTriggerStatement node) { Trigger(node, "alter"); }

    // Writes: the target table, through an alias or a common table expression.
    static NamedTableReference? FirstTable(TSqlFragment? fragment)
    {
        if (fragment == null) return null;
        var finder = new FirstNamedTable();
        fragment.Accept(finder);
        return finder.Found;
    }

    SchemaObjectName? Resolve(TableReference? target, FromClause? from, WithCtesAndXmlNamespaces? ctes)
    {
        if (target is not NamedTableReference named) return null;
        var name = named.SchemaObject;
        if (name.SchemaIdentifier == null)
        {
            var single = name.BaseIdentifier.Value;
            var cte = ctes?.CommonTableExpressions.FirstOrDefault(c => string.Equals(c.ExpressionName.Value, single, StringComparison.OrdinalIgnoreCase));
            if (cte != null) return FirstTable(cte.QueryExpression)?.SchemaObject;
            if (from != null)
            {
                foreach (var t in AllTables(from))
                {
                    if (t.Alias != null && string.Equals(t.Alias.Value, single, StringComparison.OrdinalIgnoreCase)) return t.SchemaObject;
                }
            }
        }
        return name;
    }

    static IEnumerable<NamedTableReference> AllTables(TSqlFragment fragment)
    {
        var all = new AllNamedTables();
        fragment.Accept(all);
        return all.Found;
    }

    // OUTPUT ... INTO a table writes that table too.
    void OutputInto(OutputIntoClause? clause) { if (clause?.IntoTable is NamedTableReference t) Add(t.SchemaObject, "write"); }

    public override void ExplicitVisit(InsertStatement node)
    {
        Add(Resolve(node.InsertSpecification.Target, null, node.WithCtesAndXmlNamespaces), "write");
        OutputInto(node.InsertSpecification.OutputIntoClause);
        node.InsertSpecification.InsertSource?.Accept(this);
    }
    public override void ExplicitVisit(UpdateStatement node)
    {
        Add(Resolve(node.UpdateSpecification.Target, node.UpdateSpecification.FromClause, node.WithCtesAndXmlNamespaces), "write");
        OutputInto(node.UpdateSpecification.OutputIntoClause);
    }
    public override void ExplicitVisit(DeleteStatement node)
    {
        Add(Resolve(node.DeleteSpecification.Target, node.DeleteSpecification.FromClause, node.WithCtesAndXmlNamespaces), "write");
        OutputInto(node.DeleteSpecification.OutputIntoClause);
    }
    public override void ExplicitVisit(MergeStatement node)
    {
        Add(Resolve(node.MergeSpecification.Target, null, node.WithCtesAndXmlNamespaces), "write");
        OutputInto(node.MergeSpecification.OutputIntoClause);
    }
    public override void ExplicitVisit(SelectStatement node)
    {
        if (node.Into != null) Add(node.Into, "create");
        base.ExplicitVisit(node);
    }

    // EXEC: a procedure of the database runs (its body, customised or not, acts); sp_rename renames.
    // EXEC as a statement and INSERT ... EXEC alike (both hold an ExecuteSpecification).
    public override void ExplicitVisit(ExecuteSpecification node)
    {
        var entity = node.ExecutableEntity;
        if (entity is ExecutableStringList) { DynamicSql = true; return; }
        if (entity is not ExecutableProcedureReference proc) return;
        var name = proc.ProcedureReference?.ProcedureReference?.Name;
        if (name == null) { DynamicSql = true; return; }
        var baseName = name.BaseIdentifier.Value.ToLowerInvariant();
        if (baseName == "sp_executesql") { DynamicSql = true; return; }
        if (baseName == "sp_rename")
        {
            if (proc.Parameters.Count == 0 || proc.Parameters[0].ParameterValue is not StringLiteral literal) { DynamicSql = true; return; }
            var parts = SplitName(literal.Value);
            var kind = proc.Parameters.Count >= 3 && proc.Parameters[2].ParameterValue is StringLiteral k ? k.Value.ToLowerInvariant() : "";
            var isPart = kind is "column" or "index" or "statistics" || parts.Count >= 3;
            var target = isPart ? parts.Take(parts.Count - 1).ToList() : parts;
            if (target.Count > 0) Add(target.Count >= 2 ? target[target.Count - 2] : null, target[target.Count - 1], "rename");
            return;
        }
        var schema = name.SchemaIdentifier?.Value ?? "";
        if (baseName.StartsWith("sp_") || baseName.StartsWith("xp_") || schema.StartsWith("sys", StringComparison.OrdinalIgnoreCase)) return;
        Add(name, "execute");
    }

    /// <summary>`E.obj`, `[E].[obj]`, `obj` from a string argument, through ScriptDom's own multi-part name parser.</summary>
    static List<string> SplitName(string text)
    {
        var parser = new TSql160Parser(true);
        using var reader = new StringReader(text);
        var name = parser.ParseSchemaObjectName(reader, out var errors);
        if (errors.Count > 0 || name == null) return new List<string> { text };
        return name.Identifiers.Select(i => i.Value).ToList();
    }

    sealed class FirstNamedTable : TSqlFragmentVisitor
    {
        public NamedTableReference? Found;
        public override void ExplicitVisit(NamedTableReference node) { Found ??= node; }
    }

    sealed class AllNamedTables : TSqlFragmentVisitor
    {
        public readonly List<NamedTableReference> Found = new();
        public override void ExplicitVisit(NamedTableReference node) { Found.Add(node); }
    }
}
