using System;
using Itsm;
using NUnit.Framework;

namespace Itsm.Tests
{
    [TestFixture]
    public class CalendarTests
    {
        // Mon-Fri 09:00-12:00 and 13:00-17:00 in Berlin (UTC+1 in March), a holiday on 9 March.
        private const string Config = "{\"calendars\":{\"office\":{\"time_zone\":\"Europe/Berlin\",\"weekly\":{" +
            "\"mon\":[[\"09:00\",\"12:00\"],[\"13:00\",\"17:00\"]],\"tue\":[[\"09:00\",\"12:00\"],[\"13:00\",\"17:00\"]]," +
            "\"fri\":[[\"09:00\",\"12:00\"],[\"13:00\",\"17:00\"]]},\"holidays\":[\"2026-03-09\"]}}}";
        private static readonly DateTimeOffset Mon9 = Helpers.Start; // 09:00 in Berlin
        private static readonly TimeSpan H = TimeSpan.FromHours(1);

        [Test]
        public void ArithmeticFollowsTheIntervalModel()
        {
            using (var cal = Calendar.FromJson(Config, "office"))
            {
                Assert.AreEqual(Mon9 + TimeSpan.FromHours(3), cal.Add(Mon9, TimeSpan.FromHours(3)));
                Assert.AreEqual(Mon9 + TimeSpan.FromHours(4), cal.Add(Mon9 + TimeSpan.FromHours(3), TimeSpan.Zero));
                Assert.AreEqual(Mon9 + TimeSpan.FromHours(4), cal.Subtract(Mon9 + TimeSpan.FromHours(8), TimeSpan.FromHours(4)));
                Assert.AreEqual(Mon9 + TimeSpan.FromHours(7), cal.Add(Mon9 + TimeSpan.FromHours(24), -H));
                // Friday 16:00 + 2 h skips the weekend and the Monday holiday: Tuesday 10:00 Berlin.
                Assert.AreEqual(new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero),
                    cal.Add(new DateTimeOffset(2026, 3, 6, 16, 0, 0, TimeSpan.FromHours(1)), TimeSpan.FromHours(2)));
                Assert.AreEqual(TimeSpan.FromHours(21), cal.Between(Mon9, Mon9.AddDays(7)));
                Assert.AreEqual(TimeSpan.Zero, cal.Between(Mon9 + H, Mon9));
                Assert.IsTrue(cal.IsOpen(Mon9));
                Assert.IsFalse(cal.IsOpen(Mon9 + TimeSpan.FromHours(3)));
                Assert.AreEqual(Mon9 + TimeSpan.FromHours(4), cal.NextOpening(Mon9 + TimeSpan.FromHours(3)));
                Assert.AreEqual(Mon9 + TimeSpan.FromHours(3), cal.NextClosing(Mon9));
                Assert.AreEqual(TimeSpan.Zero, cal.Add(Mon9, H).Offset);
            }
        }

        [Test]
        public void RefusalsCarryTheCodeAndThePath()
        {
            var x = Assert.Throws<InvalidConfigException>(() => Calendar.FromJson(
                "{\"calendars\":{\"berlin\":{\"weekly\":{\"mon\":[[\"09:00\",\"12:00\"],[\"17:00\",\"09:00\"]]}}}}"));
            StringAssert.StartsWith("calendars.berlin.weekly.mon[1]: end before start", x.Message);
            Assert.Throws<NotFoundException>(() => Calendar.FromJson(Config, "nope"));
            Calendar cal;
            using (cal = Calendar.FromJson(Config))
            {
                var e = Assert.Throws<InvalidArgumentException>(() => cal.IsOpen(new DateTimeOffset(1800, 1, 1, 0, 0, 0, TimeSpan.Zero)));
                StringAssert.Contains("1900", e.Message);
            }
            Assert.Throws<ObjectDisposedException>(() => cal.IsOpen(Mon9));
            cal.Dispose(); // twice is harmless
        }
    }
}
