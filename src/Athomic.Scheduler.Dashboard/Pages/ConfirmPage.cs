using Athomic.Scheduler.Dashboard.Rendering;
using Athomic.Scheduler.Dashboard.Routing;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Athomic.Scheduler.Dashboard.Pages;

/// <summary>
/// The confirmation step of every action: says what will happen, and holds the only form that posts the action,
/// with its anti-forgery token. Nothing changes until its button is pressed.
/// </summary>
internal static class ConfirmPage
{
    public static IResult Render(DashboardRequest request)
    {
        var action = DashboardAction.Find(request.Query("action"));
        var id = request.Query("id");
        if (action is null || (action.NeedsId && id is null))
        {
            return Layout.Message(request, "Unknown action", "This action does not exist, or it needs a task or schedule id.", StatusCodes.Status400BadRequest);
        }

        var tokens = request.Http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(request.Http);
        var back = action.NeedsId && action.Subject == "Task" ? request.Url("task", ("id", id)) : request.Url(action.ListPage);
        var subject = action.NeedsId
            ? HtmlWriter.Of($"""<p class="subject">{action.Subject} <code class="id">{id}</code></p>""")
            : Markup.Empty;
        var body = HtmlWriter.Of($"""
            <div class="confirm {(action.Danger ? "danger" : "")}">
            {subject}
            <p>{action.Consequence}</p>
            <form method="post" action="{request.Url("action")}">
            <input type="hidden" name="{tokens.FormFieldName}" value="{tokens.RequestToken}">
            <input type="hidden" name="action" value="{action.Name}">
            {(id is not null ? HtmlWriter.Of($"""<input type="hidden" name="id" value="{id}">""") : Markup.Empty)}
            <button type="submit" class="{(action.Danger ? "danger" : "primary")}" id="confirm">{action.Button}</button>
            {Layout.ButtonLink(back, "No, go back")}
            </form>
            </div>
            """);
        return Layout.Page(request, Section.None, action.Title + "?", body);
    }
}
