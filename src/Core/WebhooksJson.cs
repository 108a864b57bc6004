using System.Text.Json;
using System.Text.Json.Serialization;

namespace Webhooks.Core;

/// <summary>The JSON shape of everything the platform stores and answers: camelCase, nulls left out.</summary>
public static class WebhooksJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
