using Webhooks.Ingest.Events;

namespace Webhooks.Ingest.Endpoints;

public sealed record AttemptPage(IReadOnlyList<AttemptView> Data, int Offset, int Limit);
