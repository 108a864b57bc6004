using System.Globalization;
using System.Text.Json;

namespace Webhooks.Core.Endpoints;

/// <summary>
/// An endpoint's filter on the content of an event, checked at fan-out after its type matched: an event it does not match
/// is no delivery of that endpoint. A small language, in the shape of MongoDB's query documents:
/// <c>{"data.amount": {"$gte": 100}, "data.currency": {"$in": ["EUR", "USD"]}}</c>. The keys of a filter object all hold
/// (and); a key is a path into the event's <c>data</c> (<c>data.customer.country</c>, <c>data.items.0.sku</c>) or one of
/// <c>$and</c>, <c>$or</c> (lists of filters) and <c>$not</c> (a filter). A path's condition is a value (equal to it) or an object
/// of operators: <c>$eq</c>, <c>$ne</c>, <c>$in</c>, <c>$nin</c>, <c>$gt</c>, <c>$gte</c>, <c>$lt</c>, <c>$lte</c>, <c>$exists</c>.
/// Values are strings, numbers, true, false or null; numbers compare as numbers (100 equals 100.0), strings by their
/// characters (ISO dates order as dates); a comparison of a number with a string is false. A path that is not there equals
/// nothing, is in no list, and is in every <c>$nin</c> list. No regular expressions, no code, and bounds on size, depth,
/// clauses and paths, all checked when the filter is saved: it is compiled then, once, and evaluating it is a walk of a
/// few property lookups per event.
/// </summary>
public sealed class PayloadFilter
{
    public const int MaxBytes = 4096;
    public const int MaxDepth = 8;
    public const int MaxClauses = 64;
    public const int MaxPathSegments = 16;
    public const int MaxListValues = 100;
    public const int MaxPathLength = 256;

    private readonly Clause _root;

    private PayloadFilter(Clause root) => _root = root;

    /// <summary>Whether the event's <paramref name="data"/> passes the filter.</summary>
    public bool Matches(JsonElement? data) => _root.Evaluate(data) is null;

    /// <summary>Null when <paramref name="data"/> passes; else the clause that decided it did not, as the filter wrote it.</summary>
    public string? Explain(JsonElement? data) => _root.Evaluate(data);

    /// <summary>
    /// Compiles a filter; null with the reasons in <paramref name="errors"/> when it is not one. An empty object is no
    /// filter at all: null, and no errors.
    /// </summary>
    public static PayloadFilter? Compile(JsonElement filter, out List<string> errors)
    {
        errors = [];
        var text = filter.GetRawText();
        if (System.Text.Encoding.UTF8.GetByteCount(text) > MaxBytes)
        {
            errors.Add($"The filter is larger than {MaxBytes} bytes.");
            return null;
        }
        if (filter.ValueKind != JsonValueKind.Object)
        {
            errors.Add("The filter must be a JSON object, such as {\"data.amount\": {\"$gte\": 100}}.");
            return null;
        }
        if (IsNone(filter))
        {
            return null;
        }
        var compiler = new Compiler(errors);
        var root = compiler.Filter(filter, depth: 1);
        return errors.Count > 0 ? null : new PayloadFilter(root);
    }

    /// <summary>Whether the filter is none at all: an empty object.</summary>
    public static bool IsNone(JsonElement filter) => filter.ValueKind == JsonValueKind.Object && !filter.EnumerateObject().Any();

    /// <summary>Compiles a filter known to be valid (one saved with an endpoint); null for none.</summary>
    public static PayloadFilter? CompileSaved(JsonElement? filter)
    {
        if (filter is not { } given)
        {
            return null;
        }
        var compiled = Compile(given, out var errors);
        return errors.Count == 0 ? compiled
            : throw new InvalidOperationException($"A saved payload filter does not compile: {string.Join(" ", errors)}");
    }

    private sealed class Compiler(List<string> errors)
    {
        private int _clauses;

        public Clause Filter(JsonElement filter, int depth)
        {
            if (depth > MaxDepth)
            {
                Fail($"The filter nests deeper than {MaxDepth} levels.");
                return Clause.Never;
            }
            if (filter.ValueKind != JsonValueKind.Object)
            {
                Fail($"A filter is a JSON object; found {Describe(filter)}.");
                return Clause.Never;
            }
            var all = new List<Clause>();
            foreach (var property in filter.EnumerateObject())
            {
                if (errors.Count > 0)
                {
                    break;
                }
                all.Add(property.Name switch
                {
                    "$and" => Combine(property, depth, or: false),
                    "$or" => Combine(property, depth, or: true),
                    "$not" => Not(property.Value, depth),
                    _ when property.Name.StartsWith('$') => Refuse($"'{property.Name}' is not an operator here: $and, $or and $not combine filters; a field's path starts with 'data'."),
                    _ => Field(property.Name, property.Value, depth),
                });
            }
            return all.Count == 1 ? all[0] : new AllOf(all);
        }

        private Clause Combine(JsonProperty property, int depth, bool or)
        {
            if (property.Value.ValueKind != JsonValueKind.Array || property.Value.GetArrayLength() == 0)
            {
                return Refuse($"{property.Name} takes a non-empty list of filters.");
            }
            var parts = property.Value.EnumerateArray().Select(f => Filter(f, depth + 1)).ToList();
            return or ? new AnyOf(parts) : new AllOf(parts);
        }

        private Clause Not(JsonElement value, int depth) => new NotOf(Filter(value, depth + 1));

        private Clause Field(string path, JsonElement condition, int depth)
        {
            var segments = path.Split('.');
            if (segments[0] != "data" || segments.Any(s => s.Length == 0))
            {
                return Refuse($"'{Short(path)}' is not a path into the event's data: 'data.' and field names separated by dots, such as 'data.customer.country'.");
            }
            if (segments.Length - 1 > MaxPathSegments)
            {
                return Refuse($"The path '{Short(path)}' is deeper than {MaxPathSegments} fields.");
            }
            if (path.Length > MaxPathLength)
            {
                return Refuse($"The path '{Short(path)}' is longer than {MaxPathLength} characters.");
            }
            var fields = segments[1..];
            if (condition.ValueKind != JsonValueKind.Object)
            {
                return Count() ? Comparison(path, fields, "$eq", condition) : Clause.Never;
            }
            var operators = condition.EnumerateObject().ToList();
            if (operators.Count == 0)
            {
                return Refuse($"The condition on '{Short(path)}' is empty: give a value, or operators such as {{\"$gte\": 100}}.");
            }
            var all = new List<Clause>();
            foreach (var op in operators)
            {
                if (!Count())
                {
                    return Clause.Never;
                }
                all.Add(Comparison(path, fields, op.Name, op.Value));
            }
            return all.Count == 1 ? all[0] : new AllOf(all);
        }

        private Clause Comparison(string path, string[] fields, string op, JsonElement operand)
        {
            var written = $"{{\"{path}\": {{\"{op}\": {operand.GetRawText()}}}}}";
            switch (op)
            {
                case "$eq" or "$ne":
                    return IsScalar(operand)
                        ? new Compare(fields, op, [operand.Clone()], written)
                        : Refuse($"{op} on '{Short(path)}' takes a string, number, true, false or null; found {Describe(operand)}.");
                case "$in" or "$nin":
                    if (operand.ValueKind != JsonValueKind.Array || operand.GetArrayLength() is 0 or > MaxListValues || !operand.EnumerateArray().All(IsScalar))
                    {
                        return Refuse($"{op} on '{Short(path)}' takes a list of 1 to {MaxListValues} strings, numbers, true, false or null.");
                    }
                    return new Compare(fields, op, [.. operand.EnumerateArray().Select(v => v.Clone())], written);
                case "$gt" or "$gte" or "$lt" or "$lte":
                    return operand.ValueKind is JsonValueKind.Number or JsonValueKind.String
                        ? new Compare(fields, op, [operand.Clone()], written)
                        : Refuse($"{op} on '{Short(path)}' takes a number or a string; found {Describe(operand)}.");
                case "$exists":
                    return operand.ValueKind is JsonValueKind.True or JsonValueKind.False
                        ? new Compare(fields, op, [operand.Clone()], written)
                        : Refuse($"$exists on '{Short(path)}' takes true or false.");
                default:
                    return Refuse($"'{op}' on '{Short(path)}' is not an operator: $eq, $ne, $in, $nin, $gt, $gte, $lt, $lte or $exists.");
            }
        }

        private bool Count()
        {
            if (++_clauses > MaxClauses)
            {
                Fail($"The filter has more than {MaxClauses} conditions.");
                return false;
            }
            return true;
        }

        private Clause Refuse(string message)
        {
            Fail(message);
            return Clause.Never;
        }

        private void Fail(string message)
        {
            if (errors.Count == 0)
            {
                errors.Add(message);
            }
        }

        private static bool IsScalar(JsonElement value) =>
            value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null;

        private static string Describe(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "a list",
            _ => value.GetRawText(),
        };

        private static string Short(string path) => path.Length > 60 ? path[..60] + "…" : path;
    }

    /// <summary>One node of a compiled filter: null when the data passes it, else the clause that failed.</summary>
    private abstract class Clause
    {
        public static readonly Clause Never = new NeverClause();

        public abstract string? Evaluate(JsonElement? data);

        private sealed class NeverClause : Clause
        {
            public override string? Evaluate(JsonElement? data) => "never";
        }
    }

    private sealed class AllOf(List<Clause> parts) : Clause
    {
        public override string? Evaluate(JsonElement? data)
        {
            foreach (var part in parts)
            {
                if (part.Evaluate(data) is { } failed)
                {
                    return failed;
                }
            }
            return null;
        }
    }

    private sealed class AnyOf(List<Clause> parts) : Clause
    {
        public override string? Evaluate(JsonElement? data)
        {
            var failures = new List<string>(parts.Count);
            foreach (var part in parts)
            {
                if (part.Evaluate(data) is not { } failed)
                {
                    return null;
                }
                failures.Add(failed);
            }
            return $"{{\"$or\": [{string.Join(", ", failures)}]}}";
        }
    }

    private sealed class NotOf(Clause inner) : Clause
    {
        public override string? Evaluate(JsonElement? data) => inner.Evaluate(data) is null ? "{\"$not\": …}: its filter matched" : null;
    }

    private sealed class Compare(string[] fields, string op, JsonElement[] operands, string written) : Clause
    {
        public override string? Evaluate(JsonElement? data)
        {
            var value = Find(data);
            var passes = op switch
            {
                "$exists" => (value is not null) == operands[0].GetBoolean(),
                "$eq" => value is { } v && Equal(v, operands[0]),
                "$ne" => value is not { } n || !Equal(n, operands[0]),
                "$in" => value is { } i && operands.Any(o => Equal(i, o)),
                "$nin" => value is not { } x || !operands.Any(o => Equal(x, o)),
                _ => value is { } c && Order(c, operands[0]) is { } order && op switch
                {
                    "$gt" => order > 0,
                    "$gte" => order >= 0,
                    "$lt" => order < 0,
                    _ => order <= 0,
                },
            };
            return passes ? null : written;
        }

        private JsonElement? Find(JsonElement? data)
        {
            if (data is not { } current)
            {
                return null;
            }
            foreach (var field in fields)
            {
                if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(field, out var child))
                {
                    current = child;
                }
                else if (current.ValueKind == JsonValueKind.Array && int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < current.GetArrayLength())
                {
                    current = current[index];
                }
                else
                {
                    return null;
                }
            }
            return current;
        }

        private static bool Equal(JsonElement value, JsonElement operand) => (value.ValueKind, operand.ValueKind) switch
        {
            (JsonValueKind.Number, JsonValueKind.Number) => Order(value, operand) == 0,
            (JsonValueKind.String, JsonValueKind.String) => value.ValueEquals(operand.GetString()),
            (JsonValueKind.True, JsonValueKind.True) or (JsonValueKind.False, JsonValueKind.False) or (JsonValueKind.Null, JsonValueKind.Null) => true,
            _ => false,
        };

        /// <summary>The order of two numbers or two strings; null for anything else.</summary>
        private static int? Order(JsonElement value, JsonElement operand) => (value.ValueKind, operand.ValueKind) switch
        {
            (JsonValueKind.Number, JsonValueKind.Number) => value.TryGetDecimal(out var a) && operand.TryGetDecimal(out var b)
                ? a.CompareTo(b)
                : value.GetDouble().CompareTo(operand.GetDouble()),
            (JsonValueKind.String, JsonValueKind.String) => string.CompareOrdinal(value.GetString(), operand.GetString()),
            _ => null,
        };
    }
}
