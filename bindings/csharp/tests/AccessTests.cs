using System;
using System.Linq;
using Itsm;
using NUnit.Framework;

namespace Itsm.Tests
{
    // Access control: the system actor, the directory and the policy, explanations, and the
    // refusals a user meets (deny by default, invisible means absent).
    [TestFixture]
    public class AccessTests
    {
        [Test]
        public void TheSystemActorIsASecretPerEngine()
        {
            Engine a = Engine.OpenManualClock(Helpers.Start);
            using (Engine b = Engine.OpenManualClock(Helpers.Start))
            {
                StringAssert.StartsWith("itsm-system:", a.SystemActor);
                Assert.AreEqual(a.SystemActor, a.SystemActor);
                Assert.AreNotEqual(a.SystemActor, b.SystemActor);
                Ticket t = a.CreateTicket(a.SystemActor, Helpers.Body("incident", "Imported"));
                Assert.AreEqual("system", a.History(a.SystemActor, t.Id)[0].Actor);
                Helpers.RefusedUnchanged<PermissionDeniedException>(b, () => b.CreateTicket(a.SystemActor, Helpers.Body("incident", "x")));
            }
            a.Dispose();
            Assert.Throws<ObjectDisposedException>(() => { string s = a.SystemActor; });
        }

        [Test]
        public void EveryUserIsDeniedUntilAPolicyIsSet()
        {
            using (Engine e = Engine.OpenManualClock(Helpers.Start))
            {
                Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.CreateTicket("alice", Helpers.Body("incident", "x")), "ticket.create");
                Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.CreateTicket("system", Helpers.Body("incident", "x")));
                Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.SetDirectory("alice", Helpers.DeskDirectory), "manage.grants");
                e.SetDirectory(e.SystemActor, Helpers.DeskDirectory);
                Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.SetAccess("admin", Helpers.DeskAccess), "manage.grants");
                e.SetAccess(e.SystemActor, Helpers.DeskAccess);
                Assert.AreEqual("alice", e.CreateTicket("alice", Helpers.Body("incident", "Mail is down")).Requester);
                e.SetAccess("admin", Helpers.DeskAccess); // admin now holds manage.grants
            }
        }

        [Test]
        public void DocumentsAreRefusedWholeWithTheJsonPath()
        {
            using (Engine e = Helpers.OpenDesk())
            {
                string bad = Helpers.DeskAccess.Replace("\"role\":\"service_desk_agent\"", "\"role\":\"agent\"");
                Helpers.RefusedUnchanged<InvalidConfigException>(e, () => e.SetAccess(e.SystemActor, bad), "grants[0].role");
                Helpers.RefusedUnchanged<InvalidConfigException>(e, () => e.SetDirectory(e.SystemActor,
                    "{\"users\":[{\"id\":\"alice\"}],\"groups\":[{\"id\":\"g\",\"members\":[\"zoe\"]}]}"), "groups[0].members");
                Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.SetDirectory(e.SystemActor, null), "directory_json");
                e.CreateTicket("alice", Helpers.Body("incident", "Still an agent"));
                Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.CreateTicket("mallory", Helpers.Body("incident", "x")));
            }
        }

        [Test]
        public void AUserWithoutAGrantSeesNothing()
        {
            using (Engine e = Helpers.OpenDesk())
            {
                Ticket t = e.CreateTicket("alice", Helpers.Body("incident", "VPN drops"));
                var absent = Helpers.RefusedUnchanged<NotFoundException>(e, () => e.GetTicket("mallory", 999));
                var invisible = Helpers.RefusedUnchanged<NotFoundException>(e, () => e.GetTicket("mallory", t.Id));
                Assert.AreEqual(absent.Message.Replace("999", t.Id.ToString()), invisible.Message);
                Helpers.RefusedUnchanged<NotFoundException>(e, () => e.GetTicketByKey("mallory", t.Key));
                Helpers.RefusedUnchanged<NotFoundException>(e, () => e.UpdateTicket("mallory", t.Id, "{\"title\":\"x\"}"));
                Helpers.RefusedUnchanged<NotFoundException>(e, () => e.AddComment("mallory", t.Id, "hello"));
                Helpers.RefusedUnchanged<NotFoundException>(e, () => e.History("mallory", t.Id));
                Helpers.RefusedUnchanged<NotFoundException>(e, () => e.Explain("mallory", t.Id, "ticket.read"));
                Assert.AreEqual(0, e.QueryPage("mallory", "{}").Total);
                Assert.AreEqual(0, e.Query("mallory", "{}").Count());
            }
        }

        [Test]
        public void AReaderMayBeRefusedAChange()
        {
            using (Engine e = Helpers.OpenDesk())
            {
                Ticket t = e.CreateTicket("frank", Helpers.Body("incident", "My laptop is slow"));
                Assert.AreEqual("My laptop is slow", e.GetTicket("frank", t.Id).Title);
                e.AddComment("frank", t.Id, "Still slow");
                Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.UpdateTicket("frank", t.Id, "{\"impact\":1}"), "ticket.update");
                Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.AddComment("frank", t.Id, "x", true), "comment.work_note");
                Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.UpdateTicket("carol", t.Id, "{\"assignee\":\"carol\"}"), "ticket.assign");
                // HR is sealed: the auditor's grant on the root does not reach it.
                Ticket hr = e.CreateTicket("hana", Helpers.Body("incident", "Grievance", "\"segment\":\"hr\""));
                Helpers.RefusedUnchanged<NotFoundException>(e, () => e.GetTicket("auditor", hr.Id));
            }
        }

        [Test]
        public void ExplainSaysWhy()
        {
            using (Engine e = Helpers.OpenDesk())
            {
                Ticket t = e.CreateTicket("frank", Helpers.Body("incident", "Printer jams"));
                Explanation byGrant = e.Explain("alice", t.Id, "ticket.update");
                Assert.IsTrue(byGrant.Allowed);
                Assert.IsFalse(byGrant.System);
                Assert.AreEqual(0, byGrant.Grant);
                Assert.IsNull(byGrant.Relationship);
                StringAssert.StartsWith("allowed: grants[0]", byGrant.Reason);
                Explanation byRelation = e.Explain("frank", t.Id, "ticket.read");
                Assert.AreEqual("requester", byRelation.Relationship);
                Assert.IsNull(byRelation.Grant);
                Explanation denied = e.Explain("frank", t.Id, "work_notes.read");
                Assert.IsFalse(denied.Allowed);
                StringAssert.StartsWith("denied:", denied.Reason);
                Assert.IsTrue(e.Explain(e.SystemActor, t.Id, "ticket.delete").System);
                Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.Explain("alice", t.Id, "ticket.raed"), "permission");
                Helpers.RefusedUnchanged<NotFoundException>(e, () => e.Explain("alice", 99, "ticket.read"));
            }
        }
    }
}
