using Webhooks.Core;

namespace Webhooks.UnitTests;

public sealed class SortableIdTests
{
    [Fact]
    public void Ids_made_one_after_another_sort_in_the_order_they_were_made_even_within_a_millisecond()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => SortableId.New("aud")).ToList();

        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^aud_[0-9a-hjkmnp-tv-z]{26}$", id));
    }
}
