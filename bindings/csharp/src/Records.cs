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

        internal static long? OptionalLong(IDictionary<string, object> o, string name)
        {
            object v;
            if (!o.TryGetValue(name, out v) || v == null) return null;
            return Convert.ToInt64(v, CultureInfo.InvariantCulture);
        }

        internal static bool Bool(IDictionary<string, object> o, string name)
        {
            object v;
            return o.TryGetValue(name, out v) && v is bool && (bool)v;
        }

        // The objects of the array member `name` (none when it is absent), each read by `make`.
        internal static IList<T> Objects<T>(IDictionary<string, object> o, string name, Func<IDictionary<string, object>, T> make)
        {
            var list = new List<T>();
            object v;
            if (o.TryGetValue(name, out v) && v is List<object>)
                foreach (object x in (List<object>)v) list.Add(make(Obj(x)));
            return list.AsReadOnly();
        }

        // A JSON array of objects, as libitsm returns for lists.
        internal static IList<T> ParseList<T>(string json, Func<IDictionary<string, object>, T> make)
        {
            var items = Json.Parse(json) as List<object>;
            if (items == null) throw new InternalErrorException("unexpected JSON from libitsm: expected an array");
            var list = new List<T>();
            foreach (object x in items) list.Add(make(Obj(x)));
            return list.AsReadOnly();
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
        /// <summary>The workflow model (e.g. "normal" for a change); null for a kind with one workflow.</summary>
        public string Model { get; private set; }
        /// <summary>When the ticket entered its current state.</summary>
        public DateTimeOffset? StateEntered { get; private set; }
        public string HoldReason { get; private set; }
        public string ResolutionCode { get; private set; }
        public string ResolutionNotes { get; private set; }
        public string CloseCode { get; private set; }
        /// <summary>The records of the current approval round, one per approver.</summary>
        public IList<Approval> Approvals { get; private set; }
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
            Model = Member.Text(o, "model");
            StateEntered = Member.OptionalInstant(o, "state_entered");
            HoldReason = Member.Text(o, "hold_reason");
            ResolutionCode = Member.Text(o, "resolution_code");
            ResolutionNotes = Member.Text(o, "resolution_notes");
            CloseCode = Member.Text(o, "close_code");
            Approvals = Member.Objects(o, "approvals", a => new Approval(a));
        }

        /// <summary>The users whose decision the current approval step still waits for.</summary>
        public IList<string> PendingApprovers
        {
            get
            {
                var users = new List<string>();
                foreach (Approval a in Approvals)
                    if (a.Decision == "pending") users.Add(a.Approver);
                return users.AsReadOnly();
            }
        }

        /// <summary>The custom field `name` as the JSON gave it (string, long, double, bool), or null.</summary>
        public object Custom(string name)
        {
            object custom, v;
            var fields = Fields.TryGetValue("custom", out custom) ? custom as IDictionary<string, object> : null;
            return fields != null && fields.TryGetValue(name, out v) ? v : null;
        }

        internal static Ticket FromJson(string json)
        {
            return new Ticket(Member.Obj(Json.Parse(json)));
        }
    }

    /// <summary>One approver's record in a ticket's current approval round
    /// (docs/workflows.md).</summary>
    public sealed class Approval
    {
        /// <summary>The index of the approval step.</summary>
        public int Step { get; private set; }
        public string Approver { get; private set; }
        /// <summary>"pending", "approved", "rejected" or "canceled".</summary>
        public string Decision { get; private set; }
        public DateTimeOffset? Decided { get; private set; }
        public string Comment { get; private set; }
        /// <summary>Who handed this approval over, or null.</summary>
        public string DelegatedFrom { get; private set; }

        internal Approval(IDictionary<string, object> o)
        {
            Step = (int)Member.Long(o, "step");
            Approver = Member.Text(o, "approver");
            Decision = Member.Text(o, "decision");
            Decided = Member.OptionalInstant(o, "decided");
            Comment = Member.Text(o, "comment");
            DelegatedFrom = Member.Text(o, "delegated_from");
        }
    }

    /// <summary>Whether an actor may exercise a permission on a ticket, and why
    /// (docs/access.md).</summary>
    public sealed class Explanation
    {
        public bool Allowed { get; private set; }
        /// <summary>True when the system actor asked.</summary>
        public bool System { get; private set; }
        /// <summary>The index of the deciding grant in the policy, or null.</summary>
        public int? Grant { get; private set; }
        /// <summary>The deciding relationship ("requester", "assignee", ...), or null.</summary>
        public string Relationship { get; private set; }
        public string Reason { get; private set; }

        internal Explanation(IDictionary<string, object> o)
        {
            Allowed = (bool)Member.Get(o, "allowed");
            System = Member.Bool(o, "system");
            long? grant = Member.OptionalLong(o, "grant");
            Grant = grant.HasValue ? (int?)grant.Value : null;
            Relationship = Member.Text(o, "relationship");
            Reason = Member.Text(o, "reason");
        }
    }

    /// <summary>A value a transition asks for.</summary>
    public sealed class TransitionInput
    {
        public string Field { get; private set; }
        public bool Required { get; private set; }
        /// <summary>The values allowed; empty when any value of the field's type is.</summary>
        public IList<object> Choices { get; private set; }

        internal TransitionInput(IDictionary<string, object> o)
        {
            Field = Member.Text(o, "field");
            Required = Member.Bool(o, "required");
            object v;
            var choices = o.TryGetValue("choices", out v) ? v as List<object> : null;
            Choices = (choices ?? new List<object>()).AsReadOnly();
        }
    }

    /// <summary>A transition leaving a ticket's current state, as one actor sees it. When it
    /// is not Available, Rule names the rule that refuses it ("permission", "state" or a
    /// guard's path) and Reason says why.</summary>
    public sealed class AvailableTransition
    {
        public string Id { get; private set; }
        public string Label { get; private set; }
        public string To { get; private set; }
        public bool Available { get; private set; }
        public string Rule { get; private set; }
        public string Reason { get; private set; }
        public IList<TransitionInput> Inputs { get; private set; }

        internal AvailableTransition(IDictionary<string, object> o)
        {
            Id = Member.Text(o, "id");
            Label = Member.Text(o, "label");
            To = Member.Text(o, "to");
            Available = (bool)Member.Get(o, "available");
            Rule = Member.Text(o, "rule");
            Reason = Member.Text(o, "reason");
            Inputs = Member.Objects(o, "inputs", i => new TransitionInput(i));
        }
    }

    /// <summary>An earlier name of a category, used until the instant Until.</summary>
    public sealed class FormerName
    {
        public string Name { get; private set; }
        public DateTimeOffset Until { get; private set; }

        internal FormerName(IDictionary<string, object> o)
        {
            Name = Member.Text(o, "name");
            Until = Member.Instant(o, "until");
        }
    }

    /// <summary>A category of the taxonomy (docs/taxonomy.md).</summary>
    public sealed class Category
    {
        public string Id { get; private set; }
        public string Name { get; private set; }
        /// <summary>The parent's id, or null for a root.</summary>
        public string Parent { get; private set; }
        /// <summary>Its own kinds (empty: as the parent).</summary>
        public IList<string> Kinds { get; private set; }
        /// <summary>Its own segments (empty: as the parent).</summary>
        public IList<string> Segments { get; private set; }
        public bool Retired { get; private set; }
        public DateTimeOffset? RetiredAt { get; private set; }
        /// <summary>The category a merge folded it into, or null.</summary>
        public string MergedInto { get; private set; }
        /// <summary>Earlier names, oldest first.</summary>
        public IList<FormerName> FormerNames { get; private set; }

        internal Category(IDictionary<string, object> o)
        {
            Id = Member.Text(o, "id");
            Name = Member.Text(o, "name");
            Parent = Member.Text(o, "parent");
            Kinds = Member.Strings(o, "kinds").AsReadOnly();
            Segments = Member.Strings(o, "segments").AsReadOnly();
            Retired = Member.Bool(o, "retired");
            RetiredAt = Member.OptionalInstant(o, "retired_at");
            MergedInto = Member.Text(o, "merged_into");
            FormerNames = Member.Objects(o, "former_names", f => new FormerName(f));
        }
    }

    /// <summary>The category tree in force, with its history.</summary>
    public sealed class Taxonomy
    {
        public bool LeafOnly { get; private set; }
        public IList<Category> Categories { get; private set; }

        internal Taxonomy(IDictionary<string, object> o)
        {
            LeafOnly = Member.Bool(o, "leaf_only");
            Categories = Member.Objects(o, "categories", c => new Category(c));
        }

        /// <summary>The category with this id, or null.</summary>
        public Category Find(string id)
        {
            foreach (Category c in Categories)
                if (c.Id == id) return c;
            return null;
        }
    }

    /// <summary>Tickets per category subtree: Direct on the category itself, Total in its
    /// subtree, Open of those still open.</summary>
    public sealed class CategoryCount
    {
        public string Id { get; private set; }
        /// <summary>The full path of names, "Hardware &gt; Laptop".</summary>
        public string Path { get; private set; }
        public long Total { get; private set; }
        public long Open { get; private set; }
        public long Direct { get; private set; }

        internal CategoryCount(IDictionary<string, object> o)
        {
            Id = Member.Text(o, "id");
            Path = Member.Text(o, "path");
            Total = Member.Long(o, "total");
            Open = Member.Long(o, "open");
            Direct = Member.Long(o, "direct");
        }
    }

    /// <summary>How many of the matching tickets carry Tag.</summary>
    public sealed class TagCount
    {
        public string Tag { get; private set; }
        public long Count { get; private set; }

        internal TagCount(IDictionary<string, object> o)
        {
            Tag = Member.Text(o, "tag");
            Count = Member.Long(o, "count");
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
