using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary>The command tree of <c>athomic</c>.</summary>
internal static class CliCommands
{
    public static RootCommand Create(CliEnvironment environment)
    {
        var options = new GlobalOptions();
        var runner = new CommandRunner(options, environment);
        var root = new RootCommand("athomic: look at and act on an Athomic.Scheduler schedule in Redis (never claims or runs a task).");
        options.AddTo(root);
        root.Add(StatsCommand.Create(runner));
        root.Add(ListCommand.Create(runner));
        root.Add(ShowCommand.Create(runner));
        root.Add(CancelCommand.Create(runner));
        root.Add(RunNowCommand.Create(runner));
        root.Add(RequeueCommand.Create(runner));
        root.Add(PurgeDeadCommand.Create(runner));
        root.Add(RemoveRecurringCommand.Create(runner));
        root.Add(HandlersCommand.Create(runner));
        root.Add(PauseCommand.Pause(runner));
        root.Add(PauseCommand.Resume(runner));
        root.Add(WatchCommand.Create(runner));

        foreach (var help in root.Options.OfType<HelpOption>())
        {
            help.Action = new HelpWithExitCodes((HelpAction)help.Action!, environment.Width);
        }

        return root;
    }

    /// <summary>The default help, fitted to the terminal, followed by the connection settings and the exit codes.</summary>
    private sealed class HelpWithExitCodes : SynchronousCommandLineAction
    {
        private readonly HelpAction _help;

        public HelpWithExitCodes(HelpAction help, int width)
        {
            _help = help;
            _help.MaxWidth = width;
        }

        public override int Invoke(ParseResult parseResult)
        {
            _help.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Connection (the first found wins):");
            output.WriteLine($"  --redis, ${ConnectionSettings.RedisVariable}, $Athomic__Scheduler__RedisConnectionString,");
            output.WriteLine($"  Athomic:Scheduler:RedisConnectionString in ./{ConnectionSettings.DefaultSettingsFile} (or --settings);");
            output.WriteLine($"  KeyPrefix and Partitions likewise: --key-prefix, ${ConnectionSettings.KeyPrefixVariable};");
            output.WriteLine($"  --partitions, ${ConnectionSettings.PartitionsVariable}; the same keys in the settings file.");
            output.WriteLine();
            output.WriteLine("Password (kept out of the arguments, which ps shows; the first found wins):");
            output.WriteLine($"  --password-file FILE, --password-stdin, ${ConnectionSettings.PasswordVariable},");
            output.WriteLine("  then password= in the connection string; user=NAME there for an ACL user.");
            output.WriteLine();
            output.WriteLine("TLS: ssl=true in the connection string; sslHost=NAME when the certificate");
            output.WriteLine("  names another host than the endpoint; sslProtocols=tls12|tls13. Trust a");
            output.WriteLine("  private CA with $SERedis_IssuerCertPath=ca.pem; a client certificate:");
            output.WriteLine("  $SERedis_ClientCertPfxPath (+ $SERedis_ClientCertPassword), or");
            output.WriteLine("  $SERedis_ClientCertPemPath with its key file named by");
            output.WriteLine("  $SERedis_ClientCertPasswordPath.");
            output.WriteLine();
            output.WriteLine(ExitCodes.HelpText);
            return ExitCodes.Ok;
        }
    }
}
