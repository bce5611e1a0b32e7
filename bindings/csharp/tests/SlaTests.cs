using System;
using System.Linq;
using Itsm;
using NUnit.Framework;

namespace Itsm.Tests
{
    // SLA clocks: calendars and policies, a clock's evaluated view, the warnings and breach of
    // Advance, and the SLA query filters.
    [TestFixture]
    public class SlaTests
    {
        private Engine e;

        private const string Calendars =
            "{\"calendars\":{\"office\":{\"time_zone\":\"UTC\",\"weekly\":{\"mon\":[[\"09:00\",\"17:00\"]]," +
            "\"tue\":[[\"09:00\",\"17:00\"]]}}}}";
        private const string Policies =
            "{\"sla_policies\":{\"gold\":{\"calendar\":\"office\",\"applies_when\":{\"kinds\":[\"incident\"]}," +
            "\"metrics\":{\"resolution\":{\"targets\":{\"2\":\"PT8H\"}}}}}}";

        [SetUp]
        public void Open()
        {
            e = Helpers.OpenDesk();
            e.LoadItilWorkflows("admin");
        }

        [TearDown]
        public void Close() { e.Dispose(); }

        [Test]
        public void ConfigurationIsCheckedAndNeedsItsPermissions()
        {
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.SetCalendars("alice", Calendars), "manage.calendars");
            Helpers.RefusedUnchanged<InvalidConfigException>(e, () => e.SetSlaPolicies("admin", Policies), "sla_policies.gold.calendar");
            e.SetCalendars("admin", Calendars);
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.SetSlaPolicies("alice", Policies), "manage.sla");
            e.SetSlaPolicies("admin", Policies);
        }

        [Test]
        public void TheConfigurationReadsBackAsSet()
        {
            Assert.AreEqual("{\"calendars\":{}}", e.CalendarsJson("nobody"));
            Assert.AreEqual("{\"sla_policies\":{}}", e.SlaPoliciesJson("nobody"));
            e.SetCalendars("admin", Calendars);
            e.SetSlaPolicies("admin", Policies);
            string calendars = e.CalendarsJson("nobody"), policies = e.SlaPoliciesJson("nobody");
            StringAssert.Contains("\"tue\":[[\"09:00\",\"17:00\"]]", calendars);
            StringAssert.Contains("\"targets\":{\"2\":\"PT8H\"}", policies);
            e.SetCalendars("admin", calendars);
            e.SetSlaPolicies("admin", policies);
            Assert.AreEqual(calendars, e.CalendarsJson("alice"));
            Assert.AreEqual(policies, e.SlaPoliciesJson("alice"));
            Assert.Throws<InvalidArgumentException>(() => e.CalendarsJson(""));
        }

        [Test]
        public void AClockRunsOnBusinessHoursAndBreachesOnce()
        {
            e.SetCalendars("admin", Calendars);
            e.SetSlaPolicies("admin", Policies);
            Ticket t = e.CreateTicket("alice", Helpers.Body("incident", "VPN drops", "\"priority\":2"));
            e.AdvanceClock(TimeSpan.FromHours(4));
            var clock = e.TicketSla("alice", t.Id).Single();
            Assert.AreEqual("resolution", clock["metric"]);
            Assert.AreEqual("running", clock["state"]);
            Assert.AreEqual("2026-03-02T17:00:00Z", clock["due"]);
            Assert.AreEqual(3 * 3600, Convert.ToInt64(clock["elapsed"]));
            Assert.AreEqual(0, e.QueryPage("alice", "{\"sla_breached\":true}").Total);
            Assert.AreEqual(1, e.QueryPage("alice", "{\"due_before\":\"2026-03-02T18:00:00Z\",\"sort\":\"due\"}").Total);

            Assert.AreEqual(3UL, e.Advance(Helpers.Start.AddHours(10)));
            Assert.AreEqual(0UL, e.Advance(Helpers.Start.AddHours(10)));
            Assert.AreEqual(1, e.QueryPage("alice", "{\"sla_breached\":true}").Total);
            Assert.AreEqual(4, e.History("alice", t.Id).Count(ev => ev.Type == "sla"));
        }
    }
}
