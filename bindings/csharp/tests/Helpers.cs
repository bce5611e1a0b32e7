// Shared by the test fixtures: a fixed start instant, a snapshot of everything an engine
// holds, and the check that a refused call changed nothing.
using System;
using System.Collections.Generic;
using System.Text;
using Itsm;
using NUnit.Framework;

namespace Itsm.Tests
{
    internal static class Helpers
    {
        internal static readonly DateTimeOffset Start = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

        // Access control denies every user until a policy is set. The ticket tests run on a
        // desk where every one of these users administers everything.
        private static readonly string[] Staff = { "alice", "bob", "carol", "dave", "auditor", "agent0", "agent1", "agent2", "agent3" };

        internal static Engine Admit(Engine e)
        {
            var users = new List<string>();
            foreach (string u in Staff) users.Add("{\"id\":" + Json.Quote(u) + "}");
            var members = new List<string>();
            foreach (string u in Staff) members.Add(Json.Quote(u));
            e.SetDirectory(e.SystemActor, "{\"users\":[" + string.Join(",", users.ToArray()) +
                "],\"groups\":[{\"id\":\"staff\",\"members\":[" + string.Join(",", members.ToArray()) + "]}]}");
            e.SetAccess(e.SystemActor, "{\"segments\":[{\"id\":\"global\"}],\"roles\":[{\"preset\":\"administrator\"}]," +
                "\"grants\":[{\"group\":\"staff\",\"role\":\"administrator\",\"segment\":\"*\"}]}");
            return e;
        }

        // A desk with real roles: agents (alice, bob) work the global segment, the CAB (carol,
        // dave, erin) approves, frank may only raise tickets, the auditor reads and reports,
        // admin configures, hana works the sealed HR segment, mallory holds no grant.
        internal const string DeskDirectory =
            "{\"users\":[{\"id\":\"alice\"},{\"id\":\"bob\"},{\"id\":\"carol\"},{\"id\":\"dave\"},{\"id\":\"erin\"}," +
            "{\"id\":\"frank\"},{\"id\":\"auditor\"},{\"id\":\"admin\"},{\"id\":\"hana\"},{\"id\":\"mallory\"}]," +
            "\"groups\":[{\"id\":\"agents\",\"manager\":\"carol\",\"members\":[\"alice\",\"bob\"]}," +
            "{\"id\":\"cab\",\"members\":[\"carol\",\"dave\",\"erin\"]},{\"id\":\"hr_team\",\"members\":[\"hana\"]}]}";

        internal const string DeskAccess =
            "{\"segments\":[{\"id\":\"global\"},{\"id\":\"hr\",\"sealed\":true}]," +
            "\"roles\":[{\"preset\":\"service_desk_agent\"},{\"preset\":\"cab_member\"},{\"preset\":\"requester\"}," +
            "{\"preset\":\"auditor\"},{\"preset\":\"administrator\"}," +
            "{\"id\":\"hr_case_worker\",\"permissions\":[\"ticket.create\",\"ticket.read\",\"ticket.update\"]}]," +
            "\"grants\":[{\"group\":\"agents\",\"role\":\"service_desk_agent\",\"segment\":\"global\"}," +
            "{\"group\":\"cab\",\"role\":\"cab_member\",\"segment\":\"global\"}," +
            "{\"user\":\"frank\",\"role\":\"requester\",\"segment\":\"global\"}," +
            "{\"user\":\"auditor\",\"role\":\"auditor\",\"segment\":\"*\"}," +
            "{\"user\":\"admin\",\"role\":\"administrator\",\"segment\":\"*\"}," +
            "{\"group\":\"hr_team\",\"role\":\"hr_case_worker\",\"segment\":\"hr\"}]}";

        internal static Engine OpenDesk()
        {
            Engine e = Engine.OpenManualClock(Start);
            e.SetDirectory(e.SystemActor, DeskDirectory);
            e.SetAccess(e.SystemActor, DeskAccess);
            return e;
        }

        // A create body with a kind, a title and more members given as raw JSON ("" for none).
        internal static string Body(string kind, string title, string more = "")
        {
            return "{\"kind\":" + Json.Quote(kind) + ",\"title\":" + Json.Quote(title) + (more == "" ? "" : "," + more) + "}";
        }

        internal static string Dump(object v)
        {
            var b = new StringBuilder();
            DumpTo(b, v);
            return b.ToString();
        }

        private static void DumpTo(StringBuilder b, object v)
        {
            var o = v as IDictionary<string, object>;
            var l = v as System.Collections.IList;
            if (o != null)
            {
                var keys = new List<string>(o.Keys);
                keys.Sort(StringComparer.Ordinal);
                b.Append('{');
                foreach (string k in keys) { b.Append(k).Append(':'); DumpTo(b, o[k]); b.Append(','); }
                b.Append('}');
            }
            else if (l != null)
            {
                b.Append('[');
                foreach (object x in l) { DumpTo(b, x); b.Append(','); }
                b.Append(']');
            }
            else b.Append(v == null ? "null" : v.ToString());
        }

        // Every ticket and its audit trail, read as the system (which sees every segment).
        internal static string Snapshot(Engine engine)
        {
            string system = engine.SystemActor;
            Page page = engine.QueryPage(system, "{\"limit\":1000,\"sort\":\"created\",\"descending\":false}");
            var b = new StringBuilder(page.Total.ToString());
            foreach (Ticket t in page.Tickets)
            {
                b.Append(Dump(t.Fields));
                foreach (Event e in engine.History(system, t.Id)) b.Append(Dump(e.Fields));
            }
            return b.ToString();
        }

        // `call` must throw exactly T, with a message starting with `where`, and change nothing.
        internal static T RefusedUnchanged<T>(Engine engine, TestDelegate call, string where = "") where T : ItsmException
        {
            string before = Snapshot(engine);
            T e = Assert.Throws<T>(call);
            Assert.AreEqual(typeof(T), e.GetType());
            StringAssert.StartsWith(where, e.Message);
            Assert.AreEqual(before, Snapshot(engine));
            return e;
        }
    }
}
