using System.Text.Json;
using Webhooks.Core.EventTypes;

namespace Webhooks.UnitTests;

public sealed class EventSchemaTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static EventSchema Compiled(string schema)
    {
        var compiled = EventSchema.Compile(Json(schema), out var errors);
        Assert.True(errors.Count == 0, string.Join(" ", errors));
        return compiled!;
    }

    [Fact]
    public void Data_is_checked_with_a_json_pointer_for_each_failing_place()
    {
        var schema = Compiled("""{"type":"object","required":["id"],"properties":{"amount":{"type":"number","minimum":0},"lines":{"type":"array","items":{"$ref":"#/$defs/line"}}},"$defs":{"line":{"required":["sku"]}}}""");

        Assert.Empty(schema.Check(Json("""{"id":"1","amount":3,"lines":[{"sku":"a"}]}""")));
        var violations = schema.Check(Json("""{"amount":-1,"lines":[{"sku":"a"},{}]}"""));
        Assert.Equal(["/data", "/data/amount", "/data/lines/1"], violations.Select(v => v.Path).Order(StringComparer.Ordinal));
        Assert.Contains(violations, v => v.Path == "/data/amount" && v.Message.Contains("(minimum)", StringComparison.Ordinal));
        // No data is checked as {}: what is required is missing.
        Assert.Equal("/data", Assert.Single(schema.Check(null)).Path);
    }

    [Fact]
    public void Violations_are_bounded()
    {
        var properties = string.Join(",", Enumerable.Range(0, 50).Select(i => $"\"p{i}\":{{\"type\":\"string\"}}"));
        var schema = Compiled("{\"properties\":{" + properties + "}}");
        var data = "{" + string.Join(",", Enumerable.Range(0, 50).Select(i => $"\"p{i}\":{i}")) + "}";
        Assert.Equal(EventSchema.MaxViolations, schema.Check(Json(data)).Count);
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"child":{"$ref":"#"}}}""")]
    [InlineData("""{"$ref":"#/$defs/a","$defs":{"a":{"type":"string"}}}""")]
    [InlineData("""{"$ref":"#/$defs/a~1b","$defs":{"a/b":{"type":"string"}}}""")]
    [InlineData("""{"$ref":"#item","$defs":{"a":{"$anchor":"item","type":"string"}}}""")]
    [InlineData("""{"$id":"https://example.com/order","$ref":"#/$defs/a","$defs":{"a":true}}""")]
    [InlineData("""{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"}""")]
    [InlineData("true")]
    public void References_into_the_schema_itself_are_kept(string schema) => Compiled(schema);

    [Theory]
    [InlineData("""{"$ref":"https://example.com/s.json"}""", "nothing outside it is ever fetched")]
    [InlineData("""{"$ref":"s.json"}""", "must point into this schema")]
    [InlineData("""{"$ref":"#/$defs/missing"}""", "must point into this schema")]
    [InlineData("""{"$ref":"#nowhere"}""", "must point into this schema")]
    [InlineData("""{"properties":{"a":{"$id":"https://x.example/a"}}}""", "only the schema's root")]
    [InlineData("""{"$dynamicRef":"#x"}""", "not supported")]
    [InlineData("""{"$schema":"http://json-schema.org/draft-07/schema#"}""", "2020-12")]
    [InlineData("""{"type":"nonsense"}""", "/type")]
    [InlineData("""{"minimum":"ten"}""", "/minimum")]
    [InlineData("""{"required":"id"}""", "/required")]
    [InlineData("3", "JSON object")]
    [InlineData("""{"$ref":"#"}""", "would never end")]
    public void A_schema_that_is_not_one_or_leaves_itself_is_refused(string schema, string says)
    {
        Assert.Null(EventSchema.Compile(Json(schema), out var errors));
        Assert.Contains(errors, e => e.Contains(says, StringComparison.Ordinal));
    }

    [Fact]
    public void Patterns_run_in_linear_time_and_what_needs_backtracking_is_refused()
    {
        // With a backtracking engine, 40 characters of this would take hours.
        var schema = Compiled("""{"properties":{"code":{"type":"string","pattern":"^(a+)+$"}},"patternProperties":{"^(x+x+)+y$":{"type":"number"}}}""");
        Assert.Equal("/data/code", Assert.Single(schema.Check(Json($$"""{"code":"{{new string('a', 40)}}!"}"""))).Path);
        Assert.Empty(schema.Check(Json("""{"code":"aaa"}""")));
        Assert.Equal("/data/xxy", Assert.Single(schema.Check(Json("""{"xxy":"not a number"}"""))).Path);
        // Wherever the pattern is: behind a reference, in a list's items, in a branch.
        var nested = Compiled("""{"properties":{"a":{"$ref":"#/$defs/code"},"b":{"items":{"anyOf":[{"$ref":"#/$defs/code"},{"type":"number"}]}}},"$defs":{"code":{"type":"string","pattern":"^(a|aa)+$"}}}""");
        var hostile = new string('a', 60) + "!";
        Assert.Equal(["/data/a", "/data/b/0"], nested.Check(Json($$"""{"a":"{{hostile}}","b":["{{hostile}}"]}""")).Select(v => v.Path).Distinct().Order(StringComparer.Ordinal));

        Assert.Null(EventSchema.Compile(Json("""{"pattern":"^(a)\\1$"}"""), out var errors));
        Assert.Contains(errors, e => e.Contains("backreferences", StringComparison.Ordinal));
        Assert.Null(EventSchema.Compile(Json("""{"patternProperties":{"^(?=a)":{}}}"""), out errors));
        Assert.Contains(errors, e => e.Contains("lookarounds", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"properties":{"a":{"$ref":"#/$defs/b"}},"$defs":{"b":{"$ref":"#/$defs/b"}}}""")]
    [InlineData("""{"not":{"$ref":"#"}}""")]
    [InlineData("""{"properties":{"a":{"allOf":[{"$ref":"#/$defs/x"}]}},"$defs":{"x":{"anyOf":[{"$ref":"#/$defs/y"}]},"y":{"if":{"$ref":"#/$defs/x"}}}}""")]
    [InlineData("""{"properties":{"a":{"$ref":"#loop"}},"$defs":{"l":{"$anchor":"loop","oneOf":[{"$ref":"#loop"}]}}}""")]
    public void A_loop_that_never_moves_into_the_data_is_refused_before_it_could_overflow_the_stack(string schema)
    {
        Assert.Null(EventSchema.Compile(Json(schema), out var errors));
        Assert.Contains(errors, e => e.Contains("would never end", StringComparison.Ordinal));
    }

    [Fact]
    public void Recursion_through_the_data_is_kept_and_a_schema_that_doubles_at_each_step_is_refused()
    {
        // A tree: each level of the data is one level deeper, so it ends with the data.
        var tree = Compiled("""{"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#"}}}}""");
        Assert.Empty(tree.Check(Json("""{"children":[{"children":[{}]}]}""")));
        // 30 levels of two references each: 2^30 subschemas at one place of the data.
        var defs = string.Join(",", Enumerable.Range(0, 30).Select(i => $"\"a{i}\":{{\"allOf\":[{{\"$ref\":\"#/$defs/a{i + 1}\"}},{{\"$ref\":\"#/$defs/a{i + 1}\"}}]}}"));
        var doubling = $"{{\"properties\":{{\"x\":{{\"$ref\":\"#/$defs/a0\"}}}},\"$defs\":{{{defs},\"a30\":{{}}}}}}";
        Assert.Null(EventSchema.Compile(Json(doubling), out var errors));
        Assert.Contains(errors, e => e.Contains("more than 1000 subschemas", StringComparison.Ordinal));
    }

    [Fact]
    public void Words_inside_data_keywords_are_data_and_names_of_properties_are_names()
    {
        // A const holding "$ref", a property named "default" whose schema refers within: both fine.
        var schema = Compiled("""{"properties":{"link":{"const":{"$ref":"https://example.com/x"}},"default":{"$ref":"#/$defs/d"}},"$defs":{"d":{"type":"string"}}}""");
        Assert.Empty(schema.Check(Json("""{"link":{"$ref":"https://example.com/x"},"default":"x"}""")));
        Assert.Single(schema.Check(Json("""{"default":1}""")));
        // A remote reference under a property named "enum" is still a reference, and refused.
        Assert.Null(EventSchema.Compile(Json("""{"properties":{"enum":{"$ref":"https://example.com/x"}}}"""), out var errors));
        Assert.Contains(errors, e => e.Contains("ever fetched", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(@"^\d+$", @"^[0-9]+$")]
    [InlineData(@"[\d-]\w\W\D", @"[0-9-][a-zA-Z0-9_][^a-zA-Z0-9_][^0-9]")]
    [InlineData(@"\\d\.", @"\\d\.")]
    public void Digit_and_word_classes_are_ascii_as_in_json_schema(string pattern, string linear) => Assert.Equal(linear, EventSchema.AsciiClasses(pattern));

    [Fact]
    public void A_pattern_means_what_json_schema_says()
    {
        var schema = Compiled("""{"properties":{"n":{"type":"string","pattern":"^\\d+$"}}}""");
        Assert.Empty(schema.Check(Json("""{"n":"123"}""")));
        // Arabic-Indic digits are digits to .NET, not to ECMA-262.
        Assert.Single(schema.Check(Json("""{"n":"\u0661\u0662"}""")));
    }

    [Fact]
    public void Size_and_depth_are_bounded()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"not\":", 33)) + "{}" + new string('}', 33);
        Assert.Null(EventSchema.Compile(Json(deep), out var errors));
        Assert.Contains(errors, e => e.Contains("deeper than 32", StringComparison.Ordinal));
        var large = $$"""{"description":"{{new string('x', EventSchema.MaxBytes)}}"}""";
        Assert.Null(EventSchema.Compile(Json(large), out errors));
        Assert.Contains(errors, e => e.Contains("larger than 64 KiB", StringComparison.Ordinal));
    }

    [Fact]
    public void A_snapshot_checks_only_types_with_a_schema_and_a_mode_other_than_off()
    {
        var now = DateTimeOffset.UtcNow;
        EventTypeDefinition Type(string name, string validation, string? schema) => new()
        {
            Name = name, Validation = validation, Schema = schema is null ? null : Json(schema), CreatedAt = now, UpdatedAt = now,
        };
        var snapshot = CatalogSnapshot.Load(3, [Type("a.enforced", SchemaValidation.Enforce, """{"required":["id"]}"""), Type("a.off", SchemaValidation.Off, """{"required":["id"]}"""), Type("a.none", SchemaValidation.Off, null)], (_, _) => { });

        Assert.Equal((SchemaValidation.Enforce, 1), Summary(snapshot.Check("a.enforced", Json("{}"))));
        Assert.Equal((SchemaValidation.Enforce, 0), Summary(snapshot.Check("a.enforced", Json("""{"id":1}"""))));
        Assert.Equal((SchemaValidation.Off, 0), Summary(snapshot.Check("a.off", Json("{}"))));
        Assert.Equal((SchemaValidation.Off, 0), Summary(snapshot.Check("a.unknown", Json("{}"))));
        Assert.True(snapshot.Contains("a.none"));
        Assert.Equal(3, snapshot.Version);

        static (string, int) Summary((string Mode, IReadOnlyList<SchemaViolation> Violations) result) => (result.Mode, result.Violations.Count);
    }
}
