using System;
using System.Collections.Generic;
using Itsm;
using NUnit.Framework;

namespace Itsm.Tests
{
    // Service metrics: a report over a week, the refusals, the scorecard targets, and HR
    // tickets left out for those who may not read them.
    [TestFixture]
    public class MetricsTests
    {
        private Engine e;
        private const string Week = "{\"from\":\"2026-03-02T00:00:00Z\",\"to\":\"2026-03-09T00:00:00Z\"}";
        private const string Resolve = "{\"fields\":{\"resolution_code\":\"solved_remotely\",\"resolution_notes\":\"Restarted\"}}";

        [SetUp]
        public void Open()
        {
            e = Helpers.OpenDesk();
            e.LoadItilWorkflows("admin");
        }

        [TearDown]
        public void Close() { e.Dispose(); }

        private void ResolvedIn(int hours, string segment = "global")
        {
            Ticket t = e.CreateTicket(e.SystemActor, Helpers.Body("incident", "Mail is down",
                "\"assignee\":\"alice\",\"segment\":" + Json.Quote(segment)));
            e.AdvanceClock(TimeSpan.FromHours(hours));
            e.Transition(e.SystemActor, t.Id, "resolve", Resolve);
        }

        private static IDictionary<string, object> Object(object o) { return (IDictionary<string, object>)o; }

        [Test]
        public void AReportOverAWeek()
        {
            ResolvedIn(2);
            ResolvedIn(4);
            var report = Object(Json.Parse(e.Metrics("auditor", Week)));
            Assert.AreEqual(2L, Convert.ToInt64(report["resolved"]));
            var mttr = Object(report["mttr"]);
            Assert.AreEqual(3 * 3600.0, Convert.ToDouble(mttr["mean_wall_seconds"]));
            var fcr = Object(report["first_contact_resolution"]);
            Assert.AreEqual(1.0, Convert.ToDouble(fcr["rate"]));
        }

        [Test]
        public void RefusalsNameTheMember()
        {
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.Metrics("frank", Week), "metrics.read");
            Helpers.RefusedUnchanged<InvalidArgumentException>(e,
                () => e.Metrics("auditor", "{\"from\":\"2026-03-02T00:00:00Z\"}"), "to: missing");
        }

        [Test]
        public void TheScorecardTargets()
        {
            StringAssert.Contains("\"reopen_rate\":{\"max\":0.05}", e.ScorecardJson("frank"));
            Helpers.RefusedUnchanged<InvalidConfigException>(e,
                () => e.SetScorecard("admin", "{\"scorecard\":{\"change_success\":{\"min\":95}}}"), "scorecard.change_success.min");
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.SetScorecard("alice", "{\"scorecard\":{}}"), "manage.sla");
            e.SetScorecard("admin", "{\"scorecard\":{\"change_success\":{\"min\":0.9}}}");
            StringAssert.Contains("\"change_success\":{\"min\":0.9}", e.ScorecardJson("admin"));
        }

        [Test]
        public void HrTicketsCountOnlyForThoseWhoReadThem()
        {
            ResolvedIn(1);
            ResolvedIn(1, "hr");
            Assert.AreEqual(1L, Convert.ToInt64(Object(Json.Parse(e.Metrics("auditor", Week)))["resolved"]));
            Assert.AreEqual(2L, Convert.ToInt64(Object(Json.Parse(e.Metrics(e.SystemActor, Week)))["resolved"]));
        }
    }
}
