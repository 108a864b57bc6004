using System.CommandLine;
using System.Text.Json;
using Webhooks.Cli.Api;
using Webhooks.Cli.Output;
using static Webhooks.Cli.CommandLine;

namespace Webhooks.Cli.EventTypes;

/// <summary><c>webhooks event-types …</c>: the event-type catalog — list, show, and an OpenAPI 3.1 document in (import) and out (export).</summary>
public static class EventTypesCommand
{
    public static Command Create()
    {
        var deprecated = new Option<bool>("--deprecated") { Description = "only the deprecated types" };
        var list = new Command("list", "every type in the catalog: its validation mode, whether it has a schema, deprecated or not").With(deprecated).Runs(async s =>
        {
            var types = await s.Api.GetAsync($"/v1/event-types{(s.Get(deprecated) ? "?deprecated=true" : "")}", s.Cancellation);
            s.Out.Show(types, () => s.Out.Table(["type", "validation", "schema", "deprecated", "description"],
                types.GetProperty("data").EnumerateArray().Select(t => new[]
                {
                    t.Text("name"), t.Text("validation"), Given(t, "schema") is null ? "no" : "yes", t.Text("deprecated") == "true" ? "yes" : "", t.Text("description"),
                }), "The catalog is empty: webhooks event-types import FILE adds types from an OpenAPI 3.1 document."));
            return 0;
        });
        var name = new Argument<string>("type") { Description = "the event type (order.created)" };
        var show = new Command("show", "one type: its description, mode, schema and examples").With(name).Runs(async s =>
        {
            var type = await s.Api.GetAsync(Path(s.Get(name)!), s.Cancellation);
            s.Out.Show(type, () =>
            {
                s.Out.Fields(("type", type.Text("name")), ("description", type.Text("description")), ("validation", type.Text("validation")),
                    ("deprecated", type.Text("deprecated") == "true" ? "yes" : "no"), ("updated", type.Time("updatedAt")));
                if (Given(type, "schema") is { } schema)
                {
                    s.Out.Heading("Schema of data");
                    s.Out.Line(JsonSerializer.Serialize(schema, Indented));
                }
                foreach (var example in Given(type, "examples") is { ValueKind: JsonValueKind.Array } examples ? examples.EnumerateArray().ToList() : [])
                {
                    s.Out.Heading("Example");
                    s.Out.Line(JsonSerializer.Serialize(example, Indented));
                }
            });
            return 0;
        });
        var file = new Argument<string>("file") { Description = "an OpenAPI 3.1 document (JSON) whose webhooks are the types; - reads it from stdin" };
        var import = new Command("import", "every webhook of an OpenAPI 3.1 document into the catalog, created or replaced; all or nothing (an operator's key)").With(file).Runs(async s =>
        {
            var path = s.Get(file)!;
            string text;
            try
            {
                text = path == "-" ? await Console.In.ReadToEndAsync(s.Cancellation) : await File.ReadAllTextAsync(path, s.Cancellation);
            }
            catch (IOException e)
            {
                throw new CliFailure(ExitCodes.Usage, $"cannot read {path}: {e.Message}");
            }
            catch (UnauthorizedAccessException e)
            {
                throw new CliFailure(ExitCodes.Usage, $"cannot read {path}: {e.Message}");
            }
            var result = await s.Api.PostAsync("/v1/event-types/import", JsonOption(path, text), s.Cancellation);
            s.Out.Show(result, () => s.Out.Fields(
                ("created", string.Join(", ", result.GetProperty("created").EnumerateArray().Select(e => e.GetString()))),
                ("replaced", string.Join(", ", result.GetProperty("replaced").EnumerateArray().Select(e => e.GetString())))));
            return 0;
        });
        var output = new Option<string?>("--output", "-o") { Description = "write the document to this file (else to stdout)" };
        var export = new Command("export", "the catalog as an OpenAPI 3.1 document (JSON), for producers' contract files and code generators").With(output).Runs(async s =>
        {
            var document = JsonSerializer.Serialize(await s.Api.GetAsync("/v1/event-types/openapi", s.Cancellation), Indented);
            if (s.Get(output) is { } target)
            {
                await File.WriteAllTextAsync(target, document + Environment.NewLine, s.Cancellation);
            }
            else
            {
                Console.Out.WriteLine(document);
            }
            return 0;
        });
        return new Command("event-types", "the event-type catalog: list, show, import and export an OpenAPI 3.1 document").With(list, show, import, export);
    }

    /// <summary>A member the API answered with a value (it writes null for what a type does not have).</summary>
    private static JsonElement? Given(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? value : null;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static string Path(string type) => $"/v1/event-types/{Uri.EscapeDataString(type)}";
}
