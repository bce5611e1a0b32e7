// Embedding libitsm from C#: a small service desk on a manual clock. Requests are routed to
// a group by a rule of the host, picked up by an agent (with optimistic concurrency),
// answered, grouped under a problem and listed as queues; the audit trail of one incident
// closes the tour. Build and run (scripts/test does this):
//   bindings/csharp/build out && mcs -r:out/Itsm.dll -out:out/EmbedCsharp.exe examples/EmbedCsharp.cs
//   (cd out && LD_LIBRARY_PATH=<dir of libitsm.so.0> mono EmbedCsharp.exe)
using System;
using System.Collections.Generic;
using System.Linq;
using Itsm;

public static class EmbedCsharp
{
    // The host's routing rule: a keyword in the title picks the assignment group.
    private static string Route(string title)
    {
        string t = title.ToLowerInvariant();
        if (t.Contains("vpn")) return "network";
        if (t.Contains("printer")) return "desk-floor3";
        if (t.Contains("mail")) return "messaging";
        return "service-desk";
    }

    public static int Main()
    {
        Console.WriteLine("libitsm " + Engine.LibraryVersion);
        var start = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
        using (Engine desk = Engine.OpenManualClock(start))
        {
            var requests = new[] {
                new { Requester = "carol", Title = "VPN drops every hour", Impact = 2, Urgency = 1 },
                new { Requester = "erin", Title = "Printer on floor 3 jams", Impact = 3, Urgency = 3 },
                new { Requester = "frank", Title = "VPN will not connect from home", Impact = 2, Urgency = 2 },
            };
            var incidents = new List<Ticket>();
            foreach (var r in requests)
            {
                desk.AdvanceClock(TimeSpan.FromMinutes(7));
                Ticket t = desk.CreateTicket(r.Requester, "{\"kind\":\"incident\",\"title\":" + Json.Quote(r.Title) +
                    ",\"impact\":" + r.Impact + ",\"urgency\":" + r.Urgency +
                    ",\"assignment_group\":" + Json.Quote(Route(r.Title)) + "}");
                incidents.Add(t);
                Console.WriteLine("{0} P{1} -> {2}: {3} ({4:HH:mm} UTC)", t.Key, t.Priority, t.AssignmentGroup, t.Title, t.Created);
            }

            Ticket first = incidents[0];
            Ticket taken = desk.UpdateTicket("bob", first.Id, "{\"assignee\":\"bob\",\"version\":" + first.Version + "}");
            Console.WriteLine("{0} taken by {1} (version {2} -> {3})", taken.Key, taken.Assignee, first.Version, taken.Version);
            try
            {
                desk.UpdateTicket("dave", first.Id, "{\"assignee\":\"dave\",\"version\":" + first.Version + "}");
                Console.Error.WriteLine("a stale update was accepted");
                return 1;
            }
            catch (ConflictException e)
            {
                Console.WriteLine("dave was too late: " + e.Message);
            }

            desk.AddComment("bob", first.Id, "We are looking into it; reconnecting works meanwhile.");
            desk.AddComment("bob", first.Id, "Gateway memory grows 2 GB an hour.", true);

            Ticket problem = desk.CreateTicket("bob", "{\"kind\":\"problem\",\"title\":\"VPN gateway leaks memory\",\"assignment_group\":\"network\"}");
            foreach (Ticket t in incidents.Where(t => t.AssignmentGroup == "network"))
                desk.Link("bob", t.Id, "caused_by", problem.Id);
            Console.WriteLine("{0} causes {1}", problem.Key,
                string.Join(", ", desk.GetTicketByKey("bob", problem.Key).Links.Select(l => desk.GetTicket("bob", l.Ticket).Key).ToArray()));

            foreach (string group in new[] { "network", "desk-floor3" })
            {
                var queue = desk.Query("dave", "{\"groups\":[" + Json.Quote(group) + "],\"sort\":\"priority\",\"descending\":false,\"limit\":2}");
                Console.WriteLine("queue {0}: {1}", group, string.Join(" ", queue.Select(t => t.Key + "(P" + t.Priority + ")").ToArray()));
            }

            try
            {
                desk.CreateTicket("carol", "{\"kind\":\"incident\",\"title\":\"   \"}");
                return 1;
            }
            catch (ValidationFailedException e)
            {
                Console.WriteLine("refused: {0} (code {1})", e.Message, e.Code);
            }

            Console.WriteLine("history of " + first.Key + ":");
            foreach (Event e in desk.History("auditor", first.Id))
            {
                string detail = e.Field != null ? e.Field + ": '" + e.Old + "' -> '" + e.New + "'"
                    : e.Link != null ? e.Link.Type + " " + desk.GetTicket("auditor", e.Link.Ticket).Key
                    : e.Text;
                Console.WriteLine("  #{0} {1:HH:mm} {2} {3} {4}", e.Seq, e.At, e.Actor, e.Type, detail);
            }
        }
        return 0;
    }
}
