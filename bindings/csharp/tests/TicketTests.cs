using System;
using System.Collections.Generic;
using System.Linq;
using Itsm;
using NUnit.Framework;

namespace Itsm.Tests
{
    [TestFixture]
    public class TicketTests
    {
        private Engine e;

        [SetUp]
        public void Open() { e = Helpers.Admit(Engine.OpenManualClock(Helpers.Start)); }

        [TearDown]
        public void Close() { e.Dispose(); }

        private Ticket Make(string kind, string title)
        {
            return e.CreateTicket("alice", "{\"kind\":" + Json.Quote(kind) + ",\"title\":" + Json.Quote(title) + "}");
        }

        [Test]
        public void CreateReturnsATypedTicket()
        {
            Ticket t = e.CreateTicket("alice", "{\"kind\":\"incident\",\"title\":\"VPN drops \u00e9\",\"impact\":2,\"urgency\":1,\"channel\":\"phone\",\"tags\":[\"vpn\",\"Remote\"],\"custom\":{}}");
            Assert.AreEqual(1UL, t.Id);
            Assert.AreEqual("INC0000001", t.Key);
            Assert.AreEqual("VPN drops \u00e9", t.Title);
            Assert.AreEqual(2, t.Priority);
            Assert.IsFalse(t.PriorityOverridden);
            Assert.AreEqual("phone", t.Channel);
            CollectionAssert.AreEqual(new[] { "remote", "vpn" }, t.Tags);
            Assert.AreEqual("alice", t.Requester);
            Assert.IsNull(t.Assignee);
            Assert.IsNull(t.Resolved);
            Assert.AreEqual(1UL, t.Version);
        }

        [Test]
        public void GetAndGetByKey()
        {
            Ticket made = Make("problem", "Gateway leaks");
            Assert.AreEqual(Helpers.Dump(made.Fields), Helpers.Dump(e.GetTicket("bob", made.Id).Fields));
            Assert.AreEqual(made.Id, e.GetTicketByKey("bob", "PRB0000001").Id);
        }

        [Test]
        public void UpdateWithVersion()
        {
            Ticket t = Make("incident", "Slow");
            Ticket u = e.UpdateTicket("bob", t.Id, "{\"assignee\":\"bob\",\"version\":1}");
            Assert.AreEqual("bob", u.Assignee);
            Assert.AreEqual(2UL, u.Version);
            var x = Helpers.RefusedUnchanged<ConflictException>(e, () => e.UpdateTicket("carol", t.Id, "{\"title\":\"x\",\"version\":1}"), "version");
            Assert.AreEqual(-6, x.Code);
        }

        [Test]
        public void CommentsAndHistory()
        {
            Ticket t = Make("incident", "Printer");
            Comment reply = e.AddComment("bob", t.Id, "On my way");
            Comment note = e.AddComment("bob", t.Id, "Toner low", true);
            Assert.IsFalse(reply.IsWorkNote);
            Assert.IsTrue(note.IsWorkNote);
            Assert.AreEqual("bob", note.Author);
            IList<Comment> all = e.Comments("carol", t.Id);
            CollectionAssert.AreEqual(new[] { "On my way", "Toner low" }, all.Select(c => c.Text).ToArray());
            IList<Event> h = e.History("carol", t.Id);
            CollectionAssert.AreEqual(new[] { "created", "comment", "work_note" }, h.Select(ev => ev.Type).ToArray());
            Assert.AreEqual("INC0000001", h[0].Text);
        }

        [Test]
        public void LinkAndUnlink()
        {
            Ticket inc = Make("incident", "VPN"), prb = Make("problem", "Gateway");
            e.Link("bob", inc.Id, "caused_by", prb.Id);
            Ticket p = e.GetTicket("bob", prb.Id);
            Assert.AreEqual("causes", p.Links[0].Type);
            Assert.AreEqual(inc.Id, p.Links[0].Ticket);
            Event added = e.History("bob", inc.Id).Last();
            Assert.AreEqual("link_added", added.Type);
            Assert.AreEqual(prb.Id, added.Link.Ticket);
            Helpers.RefusedUnchanged<ConflictException>(e, () => e.Link("bob", inc.Id, "caused_by", prb.Id));
            e.Unlink("bob", prb.Id, "causes", inc.Id);
            Assert.AreEqual(0, e.GetTicket("bob", inc.Id).Links.Count);
        }

        [Test]
        public void QueryPagesLazily()
        {
            var made = new List<ulong>();
            for (int i = 0; i < 7; i++)
            {
                e.AdvanceClock(TimeSpan.FromMinutes(1));
                made.Add(Make(i % 2 == 0 ? "incident" : "problem", "T" + i).Id);
            }
            Page first = e.QueryPage("bob", "{\"limit\":3,\"sort\":\"created\",\"descending\":false}");
            Assert.AreEqual(7, first.Total);
            Assert.IsNotNull(first.NextCursor);
            var all = e.Query("bob", "{\"limit\":3,\"sort\":\"created\",\"descending\":false}").Select(t => t.Id).ToList();
            CollectionAssert.AreEqual(made, all);
            Assert.AreEqual(4, e.Query("bob", " { } ").Count(t => t.Kind == "incident"));
            var recent = e.Query("bob", "{\"created_from\":" + Json.Quote(Instant.Format(Helpers.Start.AddMinutes(5))) + "}").ToList();
            Assert.AreEqual(3, recent.Count);
            Assert.Throws<InvalidArgumentException>(() => e.Query("bob", "{\"cursor\":\"x\"}"));
            var bad = e.Query("bob", "{\"limit\":0}"); // lazy: refused when enumerated
            Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => bad.ToList(), "limit");
        }

        [Test]
        public void Refusals()
        {
            Ticket t = Make("incident", "Existing");
            Helpers.RefusedUnchanged<ValidationFailedException>(e, () => e.CreateTicket("alice", "{\"kind\":\"incident\",\"title\":\"\"}"), "title");
            Helpers.RefusedUnchanged<ValidationFailedException>(e, () => e.CreateTicket("alice", "{\"kind\":\"spaceship\",\"title\":\"x\"}"), "kind");
            Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.CreateTicket("alice", "{\"kind\":\"incident\""), "(document)");
            Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.CreateTicket("alice", null), "new_ticket_json");
            Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.CreateTicket(null, "{\"kind\":\"incident\",\"title\":\"x\"}"), "actor");
            Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.CreateTicket("al\0ice", "{\"kind\":\"incident\",\"title\":\"x\"}"), "actor: contains a NUL");
            Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.CreateTicket("\ud800", "{\"kind\":\"incident\",\"title\":\"x\"}"), "actor: not valid Unicode");
            Helpers.RefusedUnchanged<NotFoundException>(e, () => e.GetTicket("bob", 99));
            Helpers.RefusedUnchanged<NotFoundException>(e, () => e.GetTicketByKey("bob", "INC0000099"));
            Helpers.RefusedUnchanged<NotFoundException>(e, () => e.UpdateTicket("bob", 99, "{\"title\":\"x\"}"));
            Helpers.RefusedUnchanged<ValidationFailedException>(e, () => e.AddComment("bob", t.Id, "  "), "text");
            Helpers.RefusedUnchanged<NotFoundException>(e, () => e.Comments("bob", 99));
            Helpers.RefusedUnchanged<NotFoundException>(e, () => e.History("bob", 99));
            Helpers.RefusedUnchanged<ValidationFailedException>(e, () => e.Link("bob", t.Id, "related", t.Id));
            Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.Link("bob", t.Id, "sibling_of", t.Id), "link_type");
            Helpers.RefusedUnchanged<NotFoundException>(e, () => e.Unlink("bob", t.Id, "related", 99));
        }
    }
}
