// Typed records read from the JSON that the C ABI returns. Each keeps every member it was
// read from in Fields, so members added by a later library are not lost.
using System;
using System.Collections.Generic;
using System.Globalization;

namespace Itsm
{
    internal static class Member
    {
        internal static object Get(IDictionary<string, object> o, string name)
        {
            object v;
            if (!o.TryGetValue(name, out v))
                throw new InternalErrorException("unexpected JSON from libitsm: no member \"" + name + "\"");
            return v;
        }

        internal static string Text(IDictionary<string, object> o, string name)
        {
            object v;
            o.TryGetValue(name, out v);
            return v as string;
        }

        internal static long Long(IDictionary<string, object> o, string name)
        {
            return Convert.ToInt64(Get(o, name), CultureInfo.InvariantCulture);
        }

        internal static ulong ULong(IDictionary<string, object> o, string name)
        {
            return Convert.ToUInt64(Get(o, name), CultureInfo.InvariantCulture);
        }

        internal static DateTimeOffset Instant(IDictionary<string, object> o, string name)
        {
            return Itsm.Instant.Parse((string)Get(o, name));
        }

        internal static DateTimeOffset? OptionalInstant(IDictionary<string, object> o, string name)
        {
            string t = Text(o, name);
            return t == null ? (DateTimeOffset?)null : Itsm.Instant.Parse(t);
        }

        internal static List<string> Strings(IDictionary<string, object> o, string name)
        {
            var list = new List<string>();
            object v;
            if (o.TryGetValue(name, out v) && v is List<object>)
                foreach (object x in (List<object>)v) list.Add((string)x);
            return list;
        }

        internal static IDictionary<string, object> Obj(object v)
        {
            var o = v as Dictionary<string, object>;
            if (o == null) throw new InternalErrorException("unexpected JSON from libitsm: expected an object");
            return o;
        }
    }

    /// <summary>Conversions between DateTimeOffset and the ABI's instants.</summary>
    public static class Instant
    {
        private static readonly long EpochTicks = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

        /// <summary>Microseconds since 1970-01-01T00:00:00Z (sub-microsecond ticks are dropped).</summary>
        public static long ToUnixMicros(DateTimeOffset t)
        {
            long ticks = t.UtcTicks - EpochTicks;
            return ticks >= 0 ? ticks / 10 : -((-ticks + 9) / 10);
        }

        /// <summary>An ISO-8601 UTC instant as the ABI writes it, with offset zero.</summary>
        public static DateTimeOffset Parse(string text)
        {
            return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        }

        /// <summary>An instant as ISO-8601 UTC text for a query body.</summary>
        public static string Format(DateTimeOffset t)
        {
            return t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A link as one ticket records it: Type (e.g. "caused_by") to Ticket (id).</summary>
    public sealed class Link
    {
        public string Type { get; private set; }
        public ulong Ticket { get; private set; }

        internal Link(IDictionary<string, object> o)
        {
            Type = Member.Text(o, "type");
            Ticket = Member.ULong(o, "ticket");
        }
    }

    /// <summary>A snapshot of a ticket (docs/ticket-model.md). Optional members are null.</summary>
    public sealed class Ticket
    {
        public ulong Id { get; private set; }
        public string Key { get; private set; }
        public string Kind { get; private set; }
        public string State { get; private set; }
        public string Title { get; private set; }
        public string Description { get; private set; }
        public int Impact { get; private set; }
        public int Urgency { get; private set; }
        public int Priority { get; private set; }
        public bool PriorityOverridden { get; private set; }
        public string Channel { get; private set; }
        public int ReopenCount { get; private set; }
        public string Category { get; private set; }
        public string Requester { get; private set; }
        public string Assignee { get; private set; }
        public string AssignmentGroup { get; private set; }
        public string Segment { get; private set; }
        public IList<string> Tags { get; private set; }
        public IList<string> Watchers { get; private set; }
        public IList<Link> Links { get; private set; }
        public DateTimeOffset Created { get; private set; }
        public DateTimeOffset Updated { get; private set; }
        public DateTimeOffset? Resolved { get; private set; }
        public DateTimeOffset? Closed { get; private set; }
        public ulong Version { get; private set; }
        /// <summary>Every member of the JSON object, custom fields and unknown members too.</summary>
        public IDictionary<string, object> Fields { get; private set; }

        internal Ticket(IDictionary<string, object> o)
        {
            Fields = o;
            Id = Member.ULong(o, "id");
            Key = Member.Text(o, "key");
            Kind = Member.Text(o, "kind");
            State = Member.Text(o, "state");
            Title = Member.Text(o, "title");
            Description = Member.Text(o, "description");
            Impact = (int)Member.Long(o, "impact");
            Urgency = (int)Member.Long(o, "urgency");
            Priority = (int)Member.Long(o, "priority");
            PriorityOverridden = (bool)Member.Get(o, "priority_overridden");
            Channel = Member.Text(o, "channel");
            ReopenCount = (int)Member.Long(o, "reopen_count");
            Category = Member.Text(o, "category");
            Requester = Member.Text(o, "requester");
            Assignee = Member.Text(o, "assignee");
            AssignmentGroup = Member.Text(o, "assignment_group");
            Segment = Member.Text(o, "segment");
            Tags = Member.Strings(o, "tags").AsReadOnly();
            Watchers = Member.Strings(o, "watchers").AsReadOnly();
            var links = new List<Link>();
            foreach (object l in (List<object>)Member.Get(o, "links")) links.Add(new Link(Member.Obj(l)));
            Links = links.AsReadOnly();
            Created = Member.Instant(o, "created");
            Updated = Member.Instant(o, "updated");
            Resolved = Member.OptionalInstant(o, "resolved");
            Closed = Member.OptionalInstant(o, "closed");
            Version = Member.ULong(o, "version");
        }

        internal static Ticket FromJson(string json)
        {
            return new Ticket(Member.Obj(Json.Parse(json)));
        }
    }

    /// <summary>A public reply or an internal work note.</summary>
    public sealed class Comment
    {
        public ulong Seq { get; private set; }
        public string Author { get; private set; }
        public DateTimeOffset At { get; private set; }
        /// <summary>"public" or "work_note".</summary>
        public string Visibility { get; private set; }
        public string Text { get; private set; }
        public bool IsWorkNote { get { return Visibility == "work_note"; } }

        internal Comment(IDictionary<string, object> o)
        {
            Seq = Member.ULong(o, "seq");
            Author = Member.Text(o, "author");
            At = Member.Instant(o, "at");
            Visibility = Member.Text(o, "visibility");
            Text = Member.Text(o, "text");
        }
    }

    /// <summary>One audit record; members an event type does not have are null.</summary>
    public sealed class Event
    {
        public ulong Seq { get; private set; }
        public ulong Ticket { get; private set; }
        public DateTimeOffset At { get; private set; }
        public string Actor { get; private set; }
        /// <summary>created, field_changed, comment, work_note, link_added, link_removed, ...</summary>
        public string Type { get; private set; }
        public string Field { get; private set; }
        public object Old { get; private set; }
        public object New { get; private set; }
        public string Text { get; private set; }
        public Link Link { get; private set; }
        public IDictionary<string, object> Fields { get; private set; }

        internal Event(IDictionary<string, object> o)
        {
            Fields = o;
            Seq = Member.ULong(o, "seq");
            Ticket = Member.ULong(o, "ticket");
            At = Member.Instant(o, "at");
            Actor = Member.Text(o, "actor");
            Type = Member.Text(o, "type");
            Field = Member.Text(o, "field");
            object v;
            Old = o.TryGetValue("old", out v) ? v : null;
            New = o.TryGetValue("new", out v) ? v : null;
            Text = Member.Text(o, "text");
            Link = o.TryGetValue("link", out v) && v != null ? new Link(Member.Obj(v)) : null;
        }
    }

    /// <summary>One page of a query.</summary>
    public sealed class Page
    {
        public IList<Ticket> Tickets { get; private set; }
        /// <summary>The cursor of the next page; null on the last.</summary>
        public string NextCursor { get; private set; }
        /// <summary>How many tickets match the filters.</summary>
        public long Total { get; private set; }

        internal Page(IDictionary<string, object> o)
        {
            var tickets = new List<Ticket>();
            foreach (object t in (List<object>)Member.Get(o, "tickets")) tickets.Add(new Ticket(Member.Obj(t)));
            Tickets = tickets.AsReadOnly();
            NextCursor = Member.Text(o, "next_cursor");
            Total = Member.Long(o, "total");
        }
    }
}
