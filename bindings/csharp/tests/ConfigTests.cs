using System;
using System.IO;
using Itsm;
using NUnit.Framework;

namespace Itsm.Tests
{
    [TestFixture]
    public class ConfigTests
    {
        private const string Calendars =
            "\"calendars\":{\"calendars\":{\"office\":{\"time_zone\":\"UTC\",\"weekly\":{\"mon\":[[\"09:00\",\"17:00\"]]}}}}";
        private const string Policies =
            "\"sla_policies\":{\"sla_policies\":{\"gold\":{\"calendar\":\"office\",\"applies_when\":{\"kinds\":[\"incident\"]}," +
            "\"metrics\":{\"resolution\":{\"targets\":{\"2\":\"PT8H\"}}}}}}";

        private Engine e;

        [SetUp]
        public void Open() { e = Helpers.Admit(Engine.OpenManualClock(Helpers.Start)); }

        [TearDown]
        public void Close() { e.Dispose(); }

        private string Config()
        {
            return e.CalendarsJson("alice") + e.SlaPoliciesJson("alice");
        }

        [Test]
        public void SectionsAreAppliedTogether()
        {
            e.LoadConfig("alice", "{" + Policies + "," + Calendars + "}");
            StringAssert.Contains("\"gold\"", e.SlaPoliciesJson("alice"));
            e.LoadConfig("alice", "{}");
        }

        [Test]
        public void ARefusalLeavesEverythingAsItWas()
        {
            string before = Config();
            Helpers.RefusedUnchanged<InvalidConfigException>(e,
                () => e.LoadConfig("alice", "{" + Calendars + ",\"workflows\":{\"workflows\":{\"w\":{}}}}"),
                "config_json: workflows.workflows.w");
            Helpers.RefusedUnchanged<InvalidConfigException>(e, () => e.LoadConfig("alice", "{\"sla\":{}}"),
                "config_json: sla: unknown section");
            Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.LoadConfig("alice", null), "config_json");
            Assert.AreEqual(before, Config());
        }

        [Test]
        public void AFileIsNamedInErrors()
        {
            string dir = Path.Combine(Path.GetTempPath(), "itsm-cs-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string bad = Path.Combine(dir, "bad.json"), good = Path.Combine(dir, "desk.json");
                File.WriteAllText(bad, "{" + Calendars + ",\"scorecard\":{\"nonsense\":1}}");
                Helpers.RefusedUnchanged<InvalidConfigException>(e, () => e.LoadConfigFile("alice", bad), bad + ": scorecard.nonsense");
                StringAssert.DoesNotContain("office", e.CalendarsJson("alice"));
                Helpers.RefusedUnchanged<NotFoundException>(e, () => e.LoadConfigFile("alice", Path.Combine(dir, "missing.json")), dir);
                File.WriteAllText(good, "{" + Calendars + "," + Policies + "}");
                e.LoadConfigFile("alice", good);
                StringAssert.Contains("\"gold\"", e.SlaPoliciesJson("alice"));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
