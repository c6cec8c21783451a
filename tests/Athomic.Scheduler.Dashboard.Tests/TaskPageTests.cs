using System.Net;
using Athomic.Scheduler.Dashboard.Tests.Infrastructure;

namespace Athomic.Scheduler.Dashboard.Tests;

/// <summary>
/// The task page over HTTP for ids it cannot open: an id the library refuses (whitespace, a control character,
/// <c>{ } *</c>, over 256 characters) gets a readable 400 page, an unknown one a 404 page, never a 500.
/// </summary>
public sealed class TaskPageTests
{
    [Theory]
    [InlineData("two words")]
    [InlineData("{tag}")]
    [InlineData("star*")]
    [InlineData("bell\u0007")]
    [InlineData("<script>alert(1)</script> x")]
    public async Task An_id_the_library_refuses_gets_a_400_page_that_says_what_a_task_id_is(string id)
    {
        await using var host = await DashboardHost.StartAsync(new HostSettings());
        using var client = NewClient();

        var response = await client.GetAsync(host.Root + "/task?id=" + Uri.EscapeDataString(id));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("is not a valid task id", html);
        Assert.Contains("1 to 256 characters", html);
        Assert.DoesNotContain("<script>", html); // the id is shown, encoded
    }

    [Fact]
    public async Task An_id_longer_than_256_characters_gets_a_400_page_that_does_not_repeat_it_whole()
    {
        await using var host = await DashboardHost.StartAsync(new HostSettings());
        using var client = NewClient();
        var id = new string('x', TaskIds.MaxLength + 1);

        var response = await client.GetAsync(host.Root + "/task?id=" + id);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is not a valid task id", html);
        Assert.DoesNotContain(id, html);
    }

    [Fact]
    public async Task A_valid_id_with_no_task_gets_a_404_page_and_no_id_a_400_page()
    {
        await using var host = await DashboardHost.StartAsync(new HostSettings());
        using var client = NewClient();

        var missing = await client.GetAsync(host.Root + "/task?id=gone%3A1");
        var none = await client.GetAsync(host.Root + "/task");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("There is no task gone:1", await missing.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Contains("Give a task id to open.", await none.Content.ReadAsStringAsync());
    }

    private static HttpClient NewClient()
    {
        var client = new HttpClient();
        client.DefaultRequestHeaders.Add(DashboardHost.UserHeader, "operator");
        return client;
    }
}
