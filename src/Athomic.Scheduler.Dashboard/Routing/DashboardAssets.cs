using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Athomic.Scheduler.Dashboard.Routing;

/// <summary>
/// The dashboard's static files, embedded in this assembly (<c>Assets/</c>): read once, served with a strong ETag
/// and, since each link carries the content hash (<c>?v=</c>), cached for a year. No CDN, no build step.
/// </summary>
internal static class DashboardAssets
{
    private static readonly Dictionary<string, Asset> Assets = Load();

    /// <summary>The version query of an asset's links (its content hash).</summary>
    public static string Version(string name) => Assets[name].ETag.Trim('"');

    public static IResult Serve(HttpContext http, string name)
    {
        if (!Assets.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        var headers = http.Response.GetTypedHeaders();
        headers.ETag = new EntityTagHeaderValue(asset.ETag);
        headers.CacheControl = new CacheControlHeaderValue { Private = true, MaxAge = TimeSpan.FromDays(365) };
        if (http.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static Dictionary<string, Asset> Load()
    {
        const string prefix = "Athomic.Scheduler.Dashboard.Assets.";
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var name = resource[prefix.Length..];
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 8)) + "\"";
            assets[name] = new Asset(content, ContentType(name), etag);
        }

        return assets;
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".js" => "text/javascript; charset=utf-8",
        _ => "application/octet-stream",
    };

    private sealed record Asset(byte[] Content, string ContentType, string ETag);
}
