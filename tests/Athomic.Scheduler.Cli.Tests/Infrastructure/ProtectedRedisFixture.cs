using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Athomic.Scheduler.Testing;

namespace Athomic.Scheduler.Cli.Tests.Infrastructure;

/// <summary>
/// A redis-server that wants a password (<c>requirepass</c>) on its plain port and on a TLS port, whose certificate
/// (for <c>localhost</c> and 127.0.0.1) is signed by a private CA made here: no system store trusts it.
/// </summary>
public sealed class ProtectedRedisFixture : IAsyncLifetime
{
    public const string Password = "pw-for-athomic-7Qx2";

    private readonly string _certificates = Path.Combine(Path.GetTempPath(), "athomic-tls-" + Guid.NewGuid().ToString("N"));

    public RedisServer Server { get; private set; } = null!;

    /// <summary>The plain port's connection string, without the password.</summary>
    public string ConnectionString => Server.ConnectionString;

    /// <summary>The plain port's connection string with the password, for seeding a schedule.</summary>
    public string AuthenticatedConnectionString => ConnectionString + ",password=" + Password;

    /// <summary>The TLS port's connection string, without the password.</summary>
    public string TlsConnectionString => $"127.0.0.1:{TlsPort},ssl=true,sslHost=localhost,connectTimeout=5000";

    public int TlsPort { get; private set; }

    /// <summary>The PEM file of the CA that signed the server's certificate.</summary>
    public string CaFile => Path.Combine(_certificates, "ca.pem");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_certificates);
        WriteCertificates();
        TlsPort = FreePort();
        Server = await RedisServer.StartAsync(
            "--requirepass", Password,
            "--tls-port", TlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tls-cert-file", Path.Combine(_certificates, "server.pem"),
            "--tls-key-file", Path.Combine(_certificates, "server.key"),
            "--tls-ca-cert-file", CaFile,
            "--tls-auth-clients", "no");
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_certificates, recursive: true);
    }

    private void WriteCertificates()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=athomic test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // server authentication
        using var server = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(8));

        File.WriteAllText(CaFile, ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_certificates, "server.pem"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_certificates, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class ProtectedRedisCollection : ICollectionFixture<ProtectedRedisFixture>
{
    public const string Name = "protected redis";
}
