using System.Threading.Tasks;
using Athomic.Scheduler;

namespace Company.Product.Scheduling
{
    namespace Inner
    {
        public static class Outer
        {
            public static class Middle
            {
                /// <summary>Handles <c>x</c> &lt; 10.</summary>
                [ScheduledHandler]
                public static void Run(int x) { }
            }

            internal sealed class Hidden
            {
                [ScheduledHandler]
                public Task Sweep(long id) => Task.CompletedTask;
            }
        }
    }

    internal static class @checked
    {
        [ScheduledHandler("weird/name:with|chars.ok")]
        internal static void @event(string value) { }
    }
}

public static class GlobalHandlers
{
    [ScheduledHandler]
    public static void startNightly() { }
}
