using System;
using System.Threading;
using Itsm;
using NUnit.Framework;

namespace Itsm.Tests
{
    [TestFixture]
    public class EngineTests
    {
        [Test]
        public void LibraryVersionMatchesTheBinding()
        {
            Assert.AreEqual("0.1.0", Engine.LibraryVersion);
            Assert.AreEqual(100, Engine.VersionNumber);
        }

        [Test]
        public void DisposeClosesAndLaterCallsThrow()
        {
            Engine e;
            using (e = Engine.OpenMemory())
            {
                Helpers.Admit(e);
                Ticket t = e.CreateTicket("alice", "{\"kind\":\"incident\",\"title\":\"Mail is down\"}");
                Assert.AreEqual("INC0000001", t.Key);
                Assert.Less(Math.Abs((t.Created - DateTimeOffset.UtcNow).TotalMinutes), 5.0);
            }
            Assert.Throws<ObjectDisposedException>(() => e.GetTicket("alice", 1));
            e.Dispose(); // twice is harmless
        }

        [Test]
        public void SqliteEngineKeepsItsTicketsAcrossReopening()
        {
            string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "itsm-cs-" + Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(dir);
            try
            {
                string file = System.IO.Path.Combine(dir, "desk.db");
                ulong id;
                using (var e = Helpers.Admit(Engine.Open("sqlite://" + file)))
                {
                    Assert.AreEqual("", e.ConfigVersion);
                    e.ConfigVersion = "desk-7";
                    id = e.CreateTicket("alice", "{\"kind\":\"incident\",\"title\":\"Kept on disk\"}").Id;
                    Assert.Throws<InvalidArgumentException>(() => e.ConfigVersion = "bad\nversion");
                }
                using (var e = Helpers.Admit(Engine.Open(file)))
                {
                    Assert.AreEqual("desk-7", e.ConfigVersion);
                    Assert.AreEqual("Kept on disk", e.GetTicket("alice", id).Title);
                    Assert.AreEqual("INC0000002", e.CreateTicket("alice", "{\"kind\":\"incident\",\"title\":\"next\"}").Key);
                }
                using (var e = Engine.Open("memory:")) Assert.IsNotNull(e);
                Assert.Throws<InvalidArgumentException>(() => Engine.Open("ftp://host/desk.db"));
                var x = Assert.Throws<StorageException>(() => Engine.Open(System.IO.Path.Combine(dir, "missing", "desk.db")));
                StringAssert.Contains("unable to open", x.Message);
            }
            finally
            {
                System.IO.Directory.Delete(dir, true);
            }
        }

        [Test]
        public void SchemaIsAppliedOrRefusedWithItsPath()
        {
            const string schema = "{\"base\":\"itil\",\"kinds\":[{\"id\":\"hr_case\",\"prefix\":\"HRC\",\"label\":\"HR case\",\"initial_state\":\"new\"}]}";
            using (var e = Engine.OpenMemory(schema))
                Assert.AreEqual("HRC0000001", Helpers.Admit(e).CreateTicket("alice", "{\"kind\":\"hr_case\",\"title\":\"Leave\"}").Key);
            var x = Assert.Throws<InvalidConfigException>(() => Engine.OpenMemory("{\"kinds\":[{\"id\":\"hr_case\"}]}"));
            StringAssert.StartsWith("kinds[0]", x.Message);
            Assert.AreEqual(-7, x.Code);
        }

        [Test]
        public void ManualClockMakesInstantsDeterministic()
        {
            using (var e = Helpers.Admit(Engine.OpenManualClock(Helpers.Start)))
            {
                Ticket t = e.CreateTicket("alice", "{\"kind\":\"incident\",\"title\":\"VPN\"}");
                Assert.AreEqual(Helpers.Start, t.Created);
                Assert.AreEqual(TimeSpan.Zero, t.Created.Offset);
                e.AdvanceClock(TimeSpan.FromMinutes(10) + TimeSpan.FromTicks(70));
                t = e.UpdateTicket("bob", t.Id, "{\"assignee\":\"bob\"}");
                Assert.AreEqual(Helpers.Start.AddMinutes(10).AddTicks(70), t.Updated);
                e.SetTime(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.FromHours(1)));
                Comment c = e.AddComment("bob", t.Id, "earlier");
                Assert.AreEqual(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero), c.At);
            }
        }

        [Test]
        public void ClockRefusals()
        {
            using (var e = Helpers.Admit(Engine.OpenManualClock(Helpers.Start)))
            {
                e.CreateTicket("alice", "{\"kind\":\"incident\",\"title\":\"A\"}");
                Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.AdvanceClock(TimeSpan.FromSeconds(-1)), "micros");
                Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.AdvanceClock(TimeSpan.FromDays(3000000)), "micros");
                Assert.AreEqual(Helpers.Start, e.CreateTicket("alice", "{\"kind\":\"incident\",\"title\":\"B\"}").Created);
            }
            using (var system = Engine.OpenMemory())
            {
                var x = Assert.Throws<InvalidArgumentException>(() => system.SetTime(Helpers.Start));
                StringAssert.StartsWith("engine: runs on the system clock", x.Message);
            }
        }

        [Test]
        public void EachThreadGetsItsOwnLastError()
        {
            using (var e = Helpers.Admit(Engine.OpenManualClock(Helpers.Start)))
            {
                const int threads = 4, rounds = 100;
                string wrong = null;
                var workers = new Thread[threads];
                for (int n = 0; n < threads; n++)
                {
                    int me = n;
                    workers[n] = new Thread(() =>
                    {
                        for (int i = 0; i < rounds; i++)
                        {
                            e.CreateTicket("agent" + me, "{\"kind\":\"incident\",\"title\":\"t\"}");
                            try
                            {
                                e.CreateTicket("agent" + me, "{\"kind\":\"incident\",\"title\":\"x\",\"impact\":" + (100 + me) + "}");
                            }
                            catch (ValidationFailedException x)
                            {
                                if (!x.Message.Contains((100 + me).ToString())) wrong = x.Message;
                            }
                        }
                    });
                    workers[n].Start();
                }
                foreach (var w in workers) w.Join();
                Assert.IsNull(wrong);
                Assert.AreEqual(threads * rounds, e.QueryPage("auditor", "{\"limit\":1}").Total);
            }
        }

        [Test]
        public void StatusCodesMapToTheirExceptions()
        {
            Type[] expected = {
                typeof(InvalidArgumentException), typeof(NotFoundException), typeof(PermissionDeniedException),
                typeof(InvalidTransitionException), typeof(ValidationFailedException), typeof(ConflictException),
                typeof(InvalidConfigException), typeof(StorageException), typeof(InternalErrorException),
                typeof(NoMemoryException) };
            for (int i = 0; i < expected.Length; i++)
            {
                ItsmException x = ItsmException.FromCode(-(i + 1), "where: what");
                Assert.AreEqual(expected[i], x.GetType());
                Assert.AreEqual(-(i + 1), x.Code);
                Assert.AreEqual("where: what", x.Message);
            }
            ItsmException unknown = ItsmException.FromCode(-42, "later");
            Assert.AreEqual(typeof(ItsmException), unknown.GetType());
            Assert.AreEqual(-42, unknown.Code);
        }
    }
}
