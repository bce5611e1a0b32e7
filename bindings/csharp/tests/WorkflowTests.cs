using System;
using System.Linq;
using Itsm;
using NUnit.Framework;

namespace Itsm.Tests
{
    // Workflows: loading them, transitions with inputs, what is available, approvals
    // (approve, reject, delegate) and timed transitions.
    [TestFixture]
    public class WorkflowTests
    {
        private Engine e;

        [SetUp]
        public void Open()
        {
            e = Helpers.OpenDesk();
            e.LoadItilWorkflows("admin");
        }

        [TearDown]
        public void Close() { e.Dispose(); }

        private const string Plans =
            "\"custom\":{\"implementation_plan\":\"Apply\",\"backout_plan\":\"Restore\",\"test_plan\":\"Log in\"," +
            "\"planned_start\":\"2026-03-04T08:00:00Z\",\"planned_end\":\"2026-03-04T09:00:00Z\"}";

        // A change reviewed by carol and dave, both of whom must approve.
        private const string Review =
            "{\"workflows\":{\"review\":{\"kind\":\"change\",\"states\":[{\"id\":\"new\",\"class\":\"new\"}," +
            "{\"id\":\"review\",\"class\":\"pending\",\"approval\":{\"steps\":[{\"approvers\":{\"users\":[\"carol\",\"dave\"]},\"rule\":\"all\"}]," +
            "\"on_approved\":\"accept\",\"on_rejected\":\"refuse\"}},{\"id\":\"accepted\",\"class\":\"closed\"},{\"id\":\"refused\",\"class\":\"canceled\"}]," +
            "\"initial\":[\"new\"],\"transitions\":[{\"id\":\"submit\",\"from\":[\"new\"],\"to\":\"review\"}," +
            "{\"id\":\"accept\",\"from\":[\"review\"],\"to\":\"accepted\"},{\"id\":\"refuse\",\"from\":[\"review\"],\"to\":\"refused\"}]}}}";

        private Ticket Change()
        {
            Ticket t = e.CreateTicket("alice", Helpers.Body("change", "Patch the VPN gateway", "\"impact\":2,\"assignment_group\":\"agents\"," + Plans));
            e.Transition("alice", t.Id, "assess");
            return e.Transition("alice", t.Id, "request_approval");
        }

        [Test]
        public void LoadingWorkflowsNeedsManageWorkflows()
        {
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.LoadItilWorkflows("alice"), "manage.workflows");
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.SetWorkflows("alice", Review), "manage.workflows");
            string bad = "{\"workflows\":{\"w\":{\"kind\":\"incident\",\"states\":[{\"id\":\"new\",\"class\":\"new\"}],\"initial\":[\"new\"]," +
                "\"transitions\":[{\"id\":\"x\",\"from\":[\"new\"],\"to\":\"implemnt\"}]}}}";
            var x = Helpers.RefusedUnchanged<InvalidConfigException>(e, () => e.SetWorkflows("admin", bad), "workflows.w.transitions[0].to");
            StringAssert.Contains("unknown state \"implemnt\"", x.Message);
            e.SetWorkflows("admin", Review);
            Ticket c = e.CreateTicket("alice", Helpers.Body("change", "Rotate"));
            CollectionAssert.AreEqual(new[] { "submit" }, e.AvailableTransitions("alice", c.Id).Select(a => a.Id).ToArray());
        }

        [Test]
        public void AvailableTransitionsSayWhyNot()
        {
            Ticket t = e.CreateTicket("alice", Helpers.Body("incident", "Mail is down", "\"requester\":\"frank\""));
            var listed = e.AvailableTransitions("alice", t.Id).ToDictionary(a => a.Id);
            AvailableTransition start = listed["start"];
            Assert.IsFalse(start.Available);
            Assert.AreEqual("in_progress", start.To);
            Assert.AreEqual("workflows.incident.transitions[0].guards[0]", start.Rule);
            Assert.AreEqual("assignee is required", start.Reason);
            TransitionInput reason = listed["hold"].Inputs[0];
            Assert.AreEqual("hold_reason", reason.Field);
            Assert.IsTrue(reason.Required);
            CollectionAssert.Contains(reason.Choices, "awaiting_caller");
            Assert.AreEqual("permission", e.AvailableTransitions("frank", t.Id).First(a => a.Id == "hold").Rule);
            Helpers.RefusedUnchanged<NotFoundException>(e, () => e.AvailableTransitions("alice", 42));
        }

        [Test]
        public void TransitionWithInputsAndAComment()
        {
            Ticket t = e.CreateTicket("alice", Helpers.Body("incident", "Mail is down", "\"assignee\":\"bob\",\"requester\":\"frank\""));
            t = e.Transition("bob", t.Id, "start", "{\"version\":" + t.Version + "}");
            Assert.AreEqual("in_progress", t.State);
            Assert.AreEqual(Helpers.Start, t.StateEntered);
            e.AdvanceClock(TimeSpan.FromHours(1));
            t = e.Transition("bob", t.Id, "resolve",
                "{\"fields\":{\"resolution_code\":\"solved_remotely\",\"resolution_notes\":\"Restarted\"},\"comment\":\"Mail flows again\"}");
            Assert.AreEqual("resolved", t.State);
            Assert.AreEqual("solved_remotely", t.ResolutionCode);
            Assert.AreEqual("Restarted", t.ResolutionNotes);
            Assert.AreEqual(Helpers.Start.AddHours(1), t.Resolved);
            Assert.AreEqual("Mail flows again", e.Comments("frank", t.Id).Last().Text);
        }

        [Test]
        public void TransitionRefusals()
        {
            Ticket t = e.CreateTicket("alice", Helpers.Body("incident", "Mail is down", "\"requester\":\"frank\""));
            var x = Helpers.RefusedUnchanged<InvalidTransitionException>(e, () => e.Transition("bob", t.Id, "start"), "workflows.incident.transitions[0].guards[0]");
            StringAssert.Contains("assignee is required", x.Message);
            Helpers.RefusedUnchanged<ValidationFailedException>(e, () => e.Transition("bob", t.Id, "hold", "{\"fields\":{}}"), "hold_reason");
            Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.Transition("bob", t.Id, "hold", "{\"fields\":"));
            Helpers.RefusedUnchanged<NotFoundException>(e, () => e.Transition("bob", t.Id, "fly"));
            Helpers.RefusedUnchanged<ConflictException>(e, () => e.Transition("bob", t.Id, "cancel", "{\"version\":7}"), "version");
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.Transition("frank", t.Id, "cancel"), "transition.cancel");
        }

        [Test]
        public void AChangeIsApprovedByTwoOfTheCab()
        {
            Ticket t = Change();
            Assert.AreEqual("authorize", t.State);
            Assert.AreEqual("moderate", t.Custom("risk"));
            CollectionAssert.AreEqual(new[] { "carol", "dave", "erin" }, t.PendingApprovers);
            Helpers.RefusedUnchanged<InvalidTransitionException>(e, () => e.Transition("alice", t.Id, "schedule"));
            e.AdvanceClock(TimeSpan.FromMinutes(5));
            t = e.Approve("carol", t.Id, "Low blast radius");
            Approval carol = t.Approvals.First(a => a.Approver == "carol");
            Assert.AreEqual("approved", carol.Decision);
            Assert.AreEqual("Low blast radius", carol.Comment);
            Assert.AreEqual(Helpers.Start.AddMinutes(5), carol.Decided);
            t = e.Approve("erin", t.Id);
            Assert.AreEqual(0, t.PendingApprovers.Count);
            Assert.AreEqual("scheduled", e.Transition("alice", t.Id, "schedule").State);
        }

        [Test]
        public void ARejectionSendsTheChangeBack()
        {
            Ticket t = e.Reject("dave", Change().Id, "Not during the freeze");
            Assert.AreEqual("new", t.State);
            Assert.IsTrue(t.Approvals.Any(a => a.Decision == "rejected" && a.Comment == "Not during the freeze"));
        }

        [Test]
        public void Delegation()
        {
            e.SetWorkflows("admin", Review);
            Ticket t = e.CreateTicket("alice", Helpers.Body("change", "Rotate the certificates"));
            t = e.Transition("alice", t.Id, "submit");
            t = e.Delegate("dave", t.Id, "erin", "On leave");
            Approval erin = t.Approvals.First(a => a.Approver == "erin");
            Assert.AreEqual("dave", erin.DelegatedFrom);
            Assert.AreEqual("pending", erin.Decision);
            e.Approve("carol", t.Id);
            Assert.AreEqual("accepted", e.Approve("erin", t.Id).State);
        }

        [Test]
        public void ApprovalRefusals()
        {
            Ticket t = Change();
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.Approve("alice", t.Id), "approval.approve");
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.Reject("bob", t.Id));
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.Delegate("alice", t.Id, "bob"));
            Helpers.RefusedUnchanged<ConflictException>(e, () => e.Delegate("carol", t.Id, "dave"), "to_user");
            Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.Delegate("carol", t.Id, null), "to_user");
            Helpers.RefusedUnchanged<NotFoundException>(e, () => e.Approve("carol", 99));
            Ticket other = e.CreateTicket("alice", Helpers.Body("incident", "No approval here"));
            Helpers.RefusedUnchanged<InvalidTransitionException>(e, () => e.Approve("carol", other.Id));
            Helpers.RefusedUnchanged<InvalidTransitionException>(e, () => e.Reject("carol", other.Id));
        }

        [Test]
        public void AdvanceRunsTimedTransitionsOnce()
        {
            Ticket t = e.CreateTicket("alice", Helpers.Body("incident", "Mail is down"));
            e.Transition("bob", t.Id, "resolve", "{\"fields\":{\"resolution_code\":\"solved_remotely\",\"resolution_notes\":\"ok\"}}");
            Assert.AreEqual(0UL, e.Advance(Helpers.Start.AddDays(1)));
            Assert.AreEqual(1UL, e.Advance(Helpers.Start.AddDays(5)));
            Assert.AreEqual(0UL, e.Advance(Helpers.Start.AddDays(6)));
            Assert.AreEqual("closed", e.GetTicket("alice", t.Id).State);
            // Every DateTimeOffset lies in the years the library accepts; a closed engine is refused.
            e.Dispose();
            Assert.Throws<ObjectDisposedException>(() => e.Advance(Helpers.Start));
        }
    }
}
