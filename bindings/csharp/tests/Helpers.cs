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

        // Every ticket and its audit trail.
        internal static string Snapshot(Engine engine)
        {
            Page page = engine.QueryPage("auditor", "{\"limit\":1000,\"sort\":\"created\",\"descending\":false}");
            var b = new StringBuilder(page.Total.ToString());
            foreach (Ticket t in page.Tickets)
            {
                b.Append(Dump(t.Fields));
                foreach (Event e in engine.History("auditor", t.Id)) b.Append(Dump(e.Fields));
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
