using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Itsm;
using NUnit.Framework;

namespace Itsm.Tests
{
    [TestFixture]
    public class ObserverTests
    {
        private Engine e;

        [SetUp]
        public void Open() { e = Helpers.Admit(Engine.OpenManualClock(Helpers.Start)); }

        [TearDown]
        public void Close() { e.Dispose(); }

        private Ticket Make(string title)
        {
            return e.CreateTicket("alice", "{\"kind\":\"incident\",\"title\":" + Json.Quote(title) + "}");
        }

        [Test]
        public void EventsArriveTypedAndInSeqOrder()
        {
            var heard = new List<Event>();
            e.Subscribe(heard.Add);
            Ticket t = Make("Printer jam");
            e.UpdateTicket("alice", t.Id, "{\"urgency\":1}");
            CollectionAssert.AreEqual(new[] { "created", "field_changed", "field_changed" }, heard.Select(ev => ev.Type).ToArray());
            Assert.IsTrue(heard.All(ev => ev.Ticket == t.Id));
            CollectionAssert.IsOrdered(heard.Select(ev => ev.Seq).ToArray());
            CollectionAssert.AreEqual(e.History("alice", t.Id).Select(ev => ev.Seq).ToArray(), heard.Select(ev => ev.Seq).ToArray());
        }

        [Test]
        public void TheObserverMayCallTheEngineAgain()
        {
            var titles = new List<string>();
            e.Subscribe(ev => { if (ev.Type == "created") titles.Add(e.GetTicket("alice", ev.Ticket).Title); });
            Make("Printer jam");
            CollectionAssert.AreEqual(new[] { "Printer jam" }, titles);
        }

        [Test]
        public void UnsubscribeStopsDelivery()
        {
            var heard = new List<Event>();
            ulong number = e.Subscribe(heard.Add);
            Make("One");
            e.Unsubscribe(number);
            Make("Two");
            Assert.AreEqual(1, heard.Count);
            Assert.Throws<NotFoundException>(() => e.Unsubscribe(number));
        }

        [Test]
        public void AnObserverMayUnsubscribeItself()
        {
            var heard = new List<Event>();
            ulong number = 0;
            number = e.Subscribe(ev => { heard.Add(ev); e.Unsubscribe(number); });
            Make("One");
            Make("Two");
            Assert.AreEqual(1, heard.Count);
        }

        [Test]
        public void AnExceptionGoesToOnErrorAndTheCommitStands()
        {
            var errors = new List<Exception>();
            e.Subscribe(ev => { throw new InvalidOperationException("observer bug"); }, errors.Add);
            e.Subscribe(ev => { throw new InvalidOperationException("dropped"); });
            Ticket t = Make("Still created");
            Assert.AreEqual("Still created", e.GetTicket("alice", t.Id).Title);
            Assert.AreEqual(1, errors.Count);
            Assert.IsInstanceOf<InvalidOperationException>(errors[0]);
        }

        [Test]
        public void EventsFromOtherThreadsAreDelivered()
        {
            int count = 0;
            e.Subscribe(ev => Interlocked.Increment(ref count));
            var threads = Enumerable.Range(0, 4).Select(i => new Thread(() => { for (int k = 0; k < 10; ++k) Make("T"); })).ToList();
            threads.ForEach(th => th.Start());
            threads.ForEach(th => th.Join());
            Assert.AreEqual(40, count);
        }

        [Test]
        public void Refusals()
        {
            Assert.Throws<InvalidArgumentException>(() => e.Subscribe(null));
            Assert.Throws<NotFoundException>(() => e.Unsubscribe(12345));
            e.Dispose();
            Assert.Throws<ObjectDisposedException>(() => e.Subscribe(ev => { }));
        }

        [Test]
        public void DisposeEndsRemainingSubscriptions()
        {
            var heard = new List<Event>();
            using (Engine other = Helpers.Admit(Engine.OpenManualClock(Helpers.Start)))
            {
                other.Subscribe(heard.Add);
                other.CreateTicket("alice", "{\"kind\":\"incident\",\"title\":\"One\"}");
            }
            Assert.AreEqual(1, heard.Count);
        }
    }
}
