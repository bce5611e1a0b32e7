// Embedding libitsm from C#: a small service desk on a manual clock, end to end. The host
// configures the desk as the engine's system actor (users and groups, who may do what, the
// ITIL workflows, categories and routing rules), then acts as its users: requests are routed
// to a group, an agent resolves an incident, a change goes through the change advisory board,
// and the clock closes what was resolved. Build and run (scripts/test does this):
//   bindings/csharp/build out && mcs -r:out/Itsm.dll -out:out/EmbedCsharp.exe examples/EmbedCsharp.cs
//   (cd out && LD_LIBRARY_PATH=<dir of libitsm.so.0> mono EmbedCsharp.exe)
using System;
using System.Collections.Generic;
using System.Linq;
using Itsm;

public static class EmbedCsharp
{
    private const string Directory =
        "{\"users\":[{\"id\":\"alice\"},{\"id\":\"bob\"},{\"id\":\"carol\"},{\"id\":\"dave\"},{\"id\":\"erin\"}," +
        "{\"id\":\"frank\"},{\"id\":\"grace\"},{\"id\":\"mallory\"}]," +
        "\"groups\":[{\"id\":\"network\",\"name\":\"Network team\",\"manager\":\"carol\",\"members\":[\"alice\",\"bob\"]}," +
        "{\"id\":\"desk\",\"name\":\"Service desk\",\"manager\":\"carol\",\"members\":[\"bob\"]}," +
        "{\"id\":\"cab\",\"name\":\"Change advisory board\",\"members\":[\"carol\",\"dave\",\"erin\"]}]}";

    // Agents work the IT segment, the CAB approves changes, frank may raise tickets and follow
    // his own, grace reports on everything; mallory is in the directory without any grant.
    private const string Access =
        "{\"segments\":[{\"id\":\"global\",\"name\":\"IT\"}]," +
        "\"roles\":[{\"preset\":\"service_desk_agent\"},{\"preset\":\"cab_member\"},{\"preset\":\"requester\"},{\"preset\":\"auditor\"}]," +
        "\"grants\":[{\"group\":\"network\",\"role\":\"service_desk_agent\",\"segment\":\"global\"}," +
        "{\"group\":\"desk\",\"role\":\"service_desk_agent\",\"segment\":\"global\"}," +
        "{\"group\":\"cab\",\"role\":\"cab_member\",\"segment\":\"global\"}," +
        "{\"user\":\"frank\",\"role\":\"requester\",\"segment\":\"global\"}," +
        "{\"user\":\"grace\",\"role\":\"auditor\",\"segment\":\"*\"}]}";

    private const string Taxonomy =
        "{\"categories\":[{\"id\":\"network\",\"name\":\"Network\"},{\"id\":\"vpn\",\"name\":\"VPN\",\"parent\":\"network\"}," +
        "{\"id\":\"hardware\",\"name\":\"Hardware\"},{\"id\":\"printer\",\"name\":\"Printer\",\"parent\":\"hardware\"}]}";

    private const string Routing =
        "{\"rules\":[{\"id\":\"outage\",\"when\":{\"title_words\":[\"down\",\"outage\"]},\"then\":{\"impact\":1,\"urgency\":1},\"continue\":true}," +
        "{\"id\":\"network\",\"when\":{\"categories\":[\"network\"]},\"then\":{\"assignment_group\":\"network\",\"assign\":\"round_robin\"}}," +
        "{\"id\":\"fallback\",\"then\":{\"assignment_group\":\"desk\"}}]}";

    // The host's part: everything is set as the system, which no user can act as.
    private static void Configure(Engine desk)
    {
        string system = desk.SystemActor; // a secret of this engine: never shown to users
        desk.SetDirectory(system, Directory);
        desk.SetAccess(system, Access);
        desk.LoadItilWorkflows(system);
        desk.SetTaxonomy(system, Taxonomy);
        desk.SetRouting(system, Routing);
    }

    public static int Main()
    {
        Console.WriteLine("libitsm " + Engine.LibraryVersion);
        var start = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
        using (Engine desk = Engine.OpenManualClock(start))
        {
            try
            {
                desk.CreateTicket("frank", "{\"kind\":\"incident\",\"title\":\"Too early\"}");
                return 1;
            }
            catch (PermissionDeniedException e)
            {
                Console.WriteLine("before any policy: " + e.Message);
            }
            Configure(desk);

            // Requests come in; the routing rules pick the group and the agent.
            var requests = new[] {
                new { Title = "VPN drops every hour", Category = "vpn" },
                new { Title = "Printer on floor 3 jams", Category = "printer" },
                new { Title = "VPN is down for the whole office", Category = "vpn" },
            };
            var incidents = new List<Ticket>();
            foreach (var r in requests)
            {
                desk.AdvanceClock(TimeSpan.FromMinutes(7));
                Ticket t = desk.CreateTicket("frank", "{\"kind\":\"incident\",\"title\":" + Json.Quote(r.Title) +
                    ",\"category\":" + Json.Quote(r.Category) + "}");
                incidents.Add(t);
                Console.WriteLine("{0} P{1} -> {2}/{3}: {4}", t.Key, t.Priority, t.AssignmentGroup, t.Assignee ?? "-", t.Title);
            }

            try
            {
                desk.GetTicket("mallory", incidents[0].Id);
                return 1;
            }
            catch (NotFoundException e)
            {
                Console.WriteLine("mallory: " + e.Message);
            }

            // The outage: its agent starts it and resolves it with the inputs it asks for.
            Ticket outage = incidents[2];
            string agent = outage.Assignee ?? "bob";
            var offered = desk.AvailableTransitions(agent, outage.Id).Where(a => a.Available).Select(a => a.Id);
            Console.WriteLine("{0}: {1} may {2}", outage.Key, agent, string.Join(", ", offered.ToArray()));
            desk.Transition(agent, outage.Id, "start");
            desk.AddComment(agent, outage.Id, "Gateway memory grows 2 GB an hour.", true);
            desk.AdvanceClock(TimeSpan.FromHours(1));
            Ticket resolved = desk.Transition(agent, outage.Id, "resolve",
                "{\"fields\":{\"resolution_code\":\"solved_workaround\",\"resolution_notes\":\"Gateway restarted\"}," +
                "\"comment\":\"The VPN is back; we restart the gateway nightly until it is fixed.\"}");
            Console.WriteLine("{0} {1} ({2}) at {3:HH:mm}", resolved.Key, resolved.State, resolved.ResolutionCode, resolved.Resolved);

            // The fix is a normal change: assessed, then approved by two of the three CAB members.
            Ticket fix = desk.CreateTicket(agent, "{\"kind\":\"change\",\"title\":\"Upgrade the VPN gateway firmware\",\"impact\":2," +
                "\"assignment_group\":\"network\",\"custom\":{\"implementation_plan\":\"Upgrade the firmware\"," +
                "\"backout_plan\":\"Reinstall the previous firmware\",\"test_plan\":\"Connect from home\"," +
                "\"planned_start\":\"2026-03-04T08:00:00Z\",\"planned_end\":\"2026-03-04T09:00:00Z\"}}");
            desk.Link(agent, outage.Id, "resolved_by_change", fix.Id);
            desk.Transition(agent, fix.Id, "assess");
            fix = desk.Transition(agent, fix.Id, "request_approval");
            Console.WriteLine("{0} risk {1}: waiting for {2}", fix.Key, fix.Custom("risk"), string.Join(", ", fix.PendingApprovers.ToArray()));
            try
            {
                desk.Approve(agent, fix.Id);
                return 1;
            }
            catch (PermissionDeniedException e)
            {
                Console.WriteLine("{0} cannot approve: {1}", agent, e.Message.Split(':')[0]);
            }
            desk.Delegate("erin", fix.Id, "grace", "On leave this week");
            desk.Approve("carol", fix.Id, "Vendor-tested firmware");
            desk.Approve("grace", fix.Id);
            fix = desk.Transition(agent, fix.Id, "schedule");
            Console.WriteLine("{0} {1}: {2}", fix.Key, fix.State,
                string.Join(", ", fix.Approvals.Select(a => a.Approver + " " + a.Decision).ToArray()));

            // Five days after the resolution the timer closes the outage.
            ulong ran = desk.Advance(start.AddDays(6));
            Console.WriteLine("timers: {0} ran; {1} is {2}", ran, outage.Key, desk.GetTicket("frank", outage.Id).State);
            if (desk.GetTicket("frank", outage.Id).State != "closed") return 1;

            foreach (CategoryCount c in desk.CategoryCounts("grace"))
                Console.WriteLine("  {0,-18} total {1} open {2}", c.Path, c.Total, c.Open);
            Console.WriteLine("history of " + outage.Key + ":");
            foreach (Event e in desk.History("grace", outage.Id))
            {
                string detail = e.Field != null ? e.Field + ": '" + e.Old + "' -> '" + e.New + "'"
                    : e.Link != null ? e.Link.Type + " " + desk.GetTicket("grace", e.Link.Ticket).Key
                    : e.Text;
                Console.WriteLine("  #{0} {1:dd HH:mm} {2} {3} {4}", e.Seq, e.At, e.Actor, e.Type, detail);
            }
        }
        return 0;
    }
}
