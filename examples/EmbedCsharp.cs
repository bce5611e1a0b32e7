// Embedding libitsm from C#: a small service desk on a manual clock, end to end. The host
// configures the desk as the engine's system actor (users and groups, who may do what, the
// ITIL workflows, categories and routing rules), then acts as its users: requests are routed
// to a group, an agent resolves an incident, a change goes through the change advisory board,
// and the clock closes what was resolved. SLA clocks run in the office's business hours:
// they pause while a ticket waits for its caller, stop at the resolution, and warn and breach
// as the manual clock moves on; at the end the service level manager reads the week's
// metrics and scorecard. Build and run (scripts/test does this):
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
        "{\"id\":\"frank\"},{\"id\":\"grace\"},{\"id\":\"sam\"},{\"id\":\"mallory\"}]," +
        "\"groups\":[{\"id\":\"network\",\"name\":\"Network team\",\"manager\":\"carol\",\"members\":[\"alice\",\"bob\"]}," +
        "{\"id\":\"desk\",\"name\":\"Service desk\",\"manager\":\"carol\",\"members\":[\"bob\"]}," +
        "{\"id\":\"cab\",\"name\":\"Change advisory board\",\"members\":[\"carol\",\"dave\",\"erin\"]}]}";

    // Agents work the IT segment, the CAB approves changes, frank may raise tickets and follow
    // his own, grace reports on everything, sam (the service level manager) sets the calendar
    // and the SLA policy and reads the metrics; mallory is in the directory without any grant.
    private const string Access =
        "{\"segments\":[{\"id\":\"global\",\"name\":\"IT\"}]," +
        "\"roles\":[{\"preset\":\"service_desk_agent\"},{\"preset\":\"cab_member\"},{\"preset\":\"requester\"},{\"preset\":\"auditor\"}," +
        "{\"preset\":\"service_level_manager\"}]," +
        "\"grants\":[{\"group\":\"network\",\"role\":\"service_desk_agent\",\"segment\":\"global\"}," +
        "{\"group\":\"desk\",\"role\":\"service_desk_agent\",\"segment\":\"global\"}," +
        "{\"group\":\"cab\",\"role\":\"cab_member\",\"segment\":\"global\"}," +
        "{\"user\":\"frank\",\"role\":\"requester\",\"segment\":\"global\"}," +
        "{\"user\":\"grace\",\"role\":\"auditor\",\"segment\":\"*\"}," +
        "{\"user\":\"sam\",\"role\":\"service_level_manager\",\"segment\":\"*\"}]}";

    private const string Taxonomy =
        "{\"categories\":[{\"id\":\"network\",\"name\":\"Network\"},{\"id\":\"vpn\",\"name\":\"VPN\",\"parent\":\"network\"}," +
        "{\"id\":\"hardware\",\"name\":\"Hardware\"},{\"id\":\"printer\",\"name\":\"Printer\",\"parent\":\"hardware\"}]}";

    private const string Routing =
        "{\"rules\":[{\"id\":\"outage\",\"when\":{\"title_words\":[\"down\",\"outage\"]},\"then\":{\"impact\":1,\"urgency\":1},\"continue\":true}," +
        "{\"id\":\"network\",\"when\":{\"categories\":[\"network\"]},\"then\":{\"assignment_group\":\"network\",\"assign\":\"round_robin\"}}," +
        "{\"id\":\"fallback\",\"then\":{\"assignment_group\":\"desk\"}}]}";

    // The office works Monday to Friday, 09:00-17:00 UTC: SLA targets count these hours only.
    private const string Office =
        "{\"time_zone\":\"UTC\",\"weekly\":{\"mon\":[[\"09:00\",\"17:00\"]],\"tue\":[[\"09:00\",\"17:00\"]]," +
        "\"wed\":[[\"09:00\",\"17:00\"]],\"thu\":[[\"09:00\",\"17:00\"]],\"fri\":[[\"09:00\",\"17:00\"]]}}";

    // One SLA for incidents: a response (first assignment or public reply) and a resolution
    // target per priority, in business time; waiting for the caller does not count.
    private const string SlaPolicies =
        "{\"sla_policies\":{\"incidents\":{\"name\":\"Incident SLA\",\"calendar\":\"office\"," +
        "\"applies_when\":{\"kinds\":[\"incident\"]},\"pause_on\":[\"on_hold:awaiting_caller\"],\"warnings\":[50,75]," +
        "\"metrics\":{\"response\":{\"targets\":{\"1\":\"PT15M\",\"2\":\"PT30M\",\"3\":\"PT1H\",\"4\":\"PT2H\",\"5\":\"PT4H\"}}," +
        "\"resolution\":{\"targets\":{\"1\":\"PT4H\",\"2\":\"PT8H\",\"3\":\"PT12H\",\"4\":\"PT16H\",\"5\":\"PT40H\"}}}}}}";

    // The host's part, set as the system (which no user can act as); then the SLA
    // configuration, set by the service level manager.
    private static void Configure(Engine desk)
    {
        string system = desk.SystemActor; // a secret of this engine: never shown to users
        desk.SetDirectory(system, Directory);
        desk.SetAccess(system, Access);
        desk.LoadItilWorkflows(system);
        desk.SetTaxonomy(system, Taxonomy);
        desk.SetRouting(system, Routing);
        // The SLA configuration is sam's job: his role holds manage.calendars and manage.sla.
        desk.SetCalendars("sam", "{\"calendars\":{\"office\":" + Office + "}}");
        desk.SetSlaPolicies("sam", SlaPolicies);
    }

    // A duration in seconds as hours and minutes, the way a desk reads it.
    private static string Hours(object seconds)
    {
        long minutes = (long)Math.Round(Convert.ToDouble(seconds) / 60);
        return (minutes < 0 ? "-" : "") + (Math.Abs(minutes) / 60) + "h" + (Math.Abs(minutes) % 60).ToString("00");
    }

    // The ticket's SLA clocks as an agent's screen shows them.
    private static void ShowSla(Engine desk, string actor, Ticket ticket)
    {
        IList<IDictionary<string, object>> clocks = desk.TicketSla(actor, ticket.Id);
        Console.WriteLine("SLA of {0} at {1}:", ticket.Key, ((string)clocks[0]["at"]).Substring(11, 5));
        foreach (IDictionary<string, object> c in clocks)
            Console.WriteLine("  {0,-10} {1,-8} due {2}  elapsed {3}  remaining {4}  ({5:0}%, paused {6})",
                c["metric"], c["state"], ((string)c["due"]).Substring(5, 11), Hours(c["elapsed"]),
                Hours(c["remaining"]), Convert.ToDouble(c["percentage"]), Hours(c["paused"]));
    }

    private static IDictionary<string, object> Obj(IDictionary<string, object> o, string name)
    {
        return (IDictionary<string, object>)o[name];
    }

    // The key lines of a metrics report: volumes, MTTR, SLA compliance and the scorecard.
    private static void ShowMetrics(string reportJson)
    {
        var report = (IDictionary<string, object>)Json.Parse(reportJson);
        Console.WriteLine("metrics {0} to {1}: {2} created, {3} resolved", ((string)report["from"]).Substring(0, 10),
            ((string)report["to"]).Substring(0, 10), report["created"], report["resolved"]);
        IDictionary<string, object> mttr = Obj(report, "mttr");
        if (Convert.ToInt64(mttr["count"]) > 0)
            Console.WriteLine("  MTTR {0} wall, {1} business ({2} tickets)", Hours(mttr["mean_wall_seconds"]),
                Hours(mttr["mean_business_seconds"]), mttr["count"]);
        IDictionary<string, object> sla = Obj(report, "sla");
        string rate = sla["rate"] == null ? "n/a" : (Convert.ToDouble(sla["rate"]) * 100).ToString("0") + "%";
        Console.WriteLine("  SLA compliance {0}: {1} met, {2} breached", rate, sla["met"], sla["breached"]);
        foreach (object o in (List<object>)report["scorecard"])
        {
            var line = (IDictionary<string, object>)o;
            string value = line["value"] == null ? "no data" : Convert.ToDouble(line["value"]).ToString("0.00") + " " + line["unit"];
            string verdict = line["met"] == null ? "-" : (bool)line["met"] ? "met" : "MISSED";
            Console.WriteLine("  scorecard {0,-26} {1,-22} {2}", line["metric"], value, verdict);
        }
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

            // Requests come in (each affecting a team, with some urgency: priority 3); the
            // routing rules pick the group and the agent, and raise an outage to priority 1.
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
                    ",\"category\":" + Json.Quote(r.Category) + ",\"impact\":2,\"urgency\":2}");
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
            // Its clocks stopped at the resolution: response when it was assigned, resolution now.
            ShowSla(desk, agent, outage);

            // The first VPN incident needs the caller: on hold awaiting the caller, its clocks
            // pause; frank's answer resumes the ticket (the workflow's on_requester_update).
            Ticket vpn = incidents[0];
            string vpnAgent = vpn.Assignee ?? "bob";
            desk.Transition(vpnAgent, vpn.Id, "start");
            desk.Transition(vpnAgent, vpn.Id, "hold",
                "{\"fields\":{\"hold_reason\":\"awaiting_caller\"},\"comment\":\"Which client version do you run?\"}");
            desk.AdvanceClock(TimeSpan.FromHours(2));
            desk.AddComment("frank", vpn.Id, "Version 5.2, on Windows.", false);
            desk.AdvanceClock(TimeSpan.FromMinutes(30));
            desk.Transition(vpnAgent, vpn.Id, "resolve",
                "{\"fields\":{\"resolution_code\":\"solved_remotely\",\"resolution_notes\":\"Client updated to 5.3\"}}");
            ShowSla(desk, vpnAgent, vpn);

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

            // Nobody works the printer. The host calls Advance() from its scheduler: by Tuesday
            // noon the response clock is breached and the resolution clock has crossed its 50%
            // and 75% warnings...
            Ticket printer = incidents[1];
            DateTimeOffset tuesday = start.AddDays(1).AddHours(4);
            desk.SetTime(tuesday);
            ulong ran = desk.Advance(tuesday);
            Console.WriteLine("Tuesday 12:00: {0} alarms ran", ran);
            ShowSla(desk, "grace", printer);

            // ...and by Sunday it is breached. Five days after the resolution the timer also
            // closes the outage.
            DateTimeOffset sunday = start.AddDays(6);
            desk.SetTime(sunday);
            ran = desk.Advance(sunday);
            Console.WriteLine("timers: {0} ran; {1} is {2}", ran, outage.Key, desk.GetTicket("frank", outage.Id).State);
            if (desk.GetTicket("frank", outage.Id).State != "closed") return 1;
            ShowSla(desk, "grace", printer);
            if ((string)desk.TicketSla("grace", printer.Id).First(c => (string)c["metric"] == "resolution")["state"] != "breached")
                return 1;

            // The week in figures, as the service level manager sees them; the office calendar
            // gives MTTR in business hours too. Compliance counts the clocks that stopped in the
            // week (met or breached); the printer's breached clocks still run.
            ShowMetrics(desk.Metrics("sam", "{\"from\":\"2026-03-02T00:00:00Z\",\"to\":\"2026-03-09T00:00:00Z\"," +
                "\"kinds\":[\"incident\"],\"calendar\":" + Office + "}"));

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
