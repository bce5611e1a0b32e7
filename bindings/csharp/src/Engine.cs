// The engine: one itsm_engine handle, with a method per C function of itsm.h.
using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Itsm
{
    /// <summary>A libitsm engine: a ticket store, a clock and a schema. Dispose it (or use
    /// `using`) to close it. Every ticket method takes `actor`, the user the call is made as,
    /// or SystemActor, the engine's own trusted actor. Access control denies every user until
    /// the system sets a directory and an access policy (SetDirectory, SetAccess; see
    /// docs/access.md).
    /// Records go in as JSON text (the ABI's shapes, docs/c-api.md) and come back as typed
    /// objects. Failures throw the ItsmException subclass of the C status code and leave the
    /// engine unchanged. One engine may be used from several threads; Dispose must not race
    /// with other calls on it.</summary>
    public sealed class Engine : IDisposable
    {
        /// <summary>The version of libitsm this binding was written for (itsm_version_number()).</summary>
        public const int VersionNumber = 100;

        private readonly EngineHandle handle;

        // A call that writes a string the caller owns through its last parameter.
        private delegate int TextCall(IntPtr engine, out IntPtr result);

        private Engine(EngineHandle h)
        {
            handle = h;
        }

        // ---- Library

        /// <summary>The loaded library's version text, e.g. "0.1.0".</summary>
        public static string LibraryVersion
        {
            get
            {
                NativeLoader.EnsureLoaded();
                return VersionText();
            }
        }

        // The methods that call into the library are compiled only after NativeLoader has
        // loaded it: Mono looks the native functions up when it compiles their caller, and
        // keeps a failed lookup. So the entry points (LibraryVersion, CheckVersion) load the
        // library, then call a method of their own that is never inlined into them.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static string VersionText()
        {
            return Utf8.Decode(NativeMethods.itsm_version_string());
        }

        private static bool versionChecked;

        // Loads the library (from ITSM_LIBRARY when it is set) and refuses one of another
        // version, once per process. Every way of opening an engine or a calendar starts here.
        internal static void CheckVersion()
        {
            if (versionChecked) return;
            NativeLoader.EnsureLoaded();
            VerifyVersion();
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void VerifyVersion()
        {
            int found = NativeMethods.itsm_version_number();
            if (found != VersionNumber)
            {
                string from = NativeLoader.ExplicitPath != null
                    ? " from " + NativeLoader.EnvironmentVariable + "=" + NativeLoader.ExplicitPath : "";
                throw new LibraryVersionException("libitsm " + LibraryVersion + " (" + found +
                    ") is loaded" + from + ", but this Itsm binding needs exactly version number " +
                    VersionNumber + "; install the matching library or point " +
                    NativeLoader.EnvironmentVariable + " at it");
            }
            versionChecked = true;
        }

        internal static ItsmException LastError(int code)
        {
            return ItsmException.FromCode(code, Utf8.Decode(NativeMethods.itsm_last_error()));
        }

        internal static void Check(int code)
        {
            if (code != 0) throw LastError(code);
        }

        // ---- Opening and closing

        /// <summary>An engine over an in-memory store and the system clock. `schemaJson` is
        /// a schema document, or null for the ITIL default.</summary>
        public static Engine OpenMemory(string schemaJson = null)
        {
            CheckVersion();
            byte[] schema = Utf8.Encode("schema_json", schemaJson);
            return Open(delegate (out IntPtr e) { return NativeMethods.itsm_engine_open_memory(schema, out e); });
        }

        /// <summary>An engine over the store named by `uri` and the system clock: "memory:",
        /// or "sqlite:///path/to/desk.db" (a plain path works too) for a durable SQLite file,
        /// created when absent, or "postgresql://user@host/db" (optionally "?schema=name") for a
        /// PostgreSQL database shared with other processes. Dispose closes it. Throws
        /// StorageException when the store cannot be opened or has a newer schema.</summary>
        public static Engine Open(string uri, string schemaJson = null)
        {
            CheckVersion();
            byte[] u = Utf8.Encode("uri", uri);
            byte[] schema = Utf8.Encode("schema_json", schemaJson);
            return Open(delegate (out IntPtr e) { return NativeMethods.itsm_engine_open(u, schema, out e); });
        }

        /// <summary>An engine whose clock starts at `start` and moves only through SetTime
        /// and AdvanceClock, so that every instant it records is deterministic.</summary>
        public static Engine OpenManualClock(DateTimeOffset start, string schemaJson = null)
        {
            CheckVersion();
            byte[] schema = Utf8.Encode("schema_json", schemaJson);
            long micros = Instant.ToUnixMicros(start);
            return Open(delegate (out IntPtr e) { return NativeMethods.itsm_engine_open_memory_at(schema, micros, out e); });
        }

        private delegate int OpenCall(out IntPtr engine);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static Engine Open(OpenCall open)
        {
            var h = new EngineHandle();
            IntPtr raw;
            int rc = open(out raw);
            if (rc != 0) throw LastError(rc);
            h.Set(raw);
            return new Engine(h);
        }

        /// <summary>Closes the engine. Calls afterwards throw ObjectDisposedException.</summary>
        public void Dispose()
        {
            handle.Dispose();
        }

        // Runs `call` on the raw handle, holding a reference so that Dispose on another
        // thread cannot free it meanwhile.
        private int Raw(Func<IntPtr, int> call)
        {
            bool added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                return call(handle.DangerousGetHandle());
            }
            finally
            {
                if (added) handle.DangerousRelease();
            }
        }

        private string Text(TextCall call)
        {
            IntPtr result = IntPtr.Zero;
            int rc = Raw(e => call(e, out result));
            try
            {
                if (rc != 0) throw LastError(rc);
                return Utf8.Decode(result);
            }
            finally
            {
                NativeMethods.itsm_free(result);
            }
        }

        // ---- Clock

        /// <summary>Sets the manual clock (forwards or backwards).</summary>
        public void SetTime(DateTimeOffset when)
        {
            long micros = Instant.ToUnixMicros(when);
            Check(Raw(e => NativeMethods.itsm_engine_set_time(e, micros)));
        }

        /// <summary>Moves the manual clock forward by `delta` (not negative).</summary>
        public void AdvanceClock(TimeSpan delta)
        {
            long micros = delta.Ticks / 10;
            Check(Raw(e => NativeMethods.itsm_engine_advance_clock(e, micros)));
        }

        // ---- Tickets

        /// <summary>Creates a ticket from a create body such as
        /// {"kind":"incident","title":"Mail is down","impact":1}.</summary>
        public Ticket CreateTicket(string actor, string newTicketJson)
        {
            byte[] a = Utf8.Encode("actor", actor), body = Utf8.Encode("new_ticket_json", newTicketJson);
            return Ticket.FromJson(Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_ticket_create(e, a, body, out r)));
        }

        /// <summary>The ticket with this id (NotFoundException).</summary>
        public Ticket GetTicket(string actor, ulong id)
        {
            byte[] a = Utf8.Encode("actor", actor);
            return Ticket.FromJson(Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_ticket_get(e, a, id, out r)));
        }

        /// <summary>The ticket with this human key, e.g. "INC0000042".</summary>
        public Ticket GetTicketByKey(string actor, string key)
        {
            byte[] a = Utf8.Encode("actor", actor), k = Utf8.Encode("key", key);
            return Ticket.FromJson(Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_ticket_get_by_key(e, a, k, out r)));
        }

        /// <summary>Applies a patch such as {"assignee":"dave","version":3} and returns the
        /// ticket afterwards; a stale "version" throws ConflictException.</summary>
        public Ticket UpdateTicket(string actor, ulong id, string patchJson)
        {
            byte[] a = Utf8.Encode("actor", actor), p = Utf8.Encode("patch_json", patchJson);
            return Ticket.FromJson(Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_ticket_update(e, a, id, p, out r)));
        }

        /// <summary>Adds a public reply, or an internal work note.</summary>
        public Comment AddComment(string actor, ulong id, string text, bool workNote = false)
        {
            byte[] a = Utf8.Encode("actor", actor), t = Utf8.Encode("text", text);
            int note = workNote ? 1 : 0;
            string json = Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_ticket_comment(e, a, id, t, note, out r));
            return new Comment(Member.Obj(Json.Parse(json)));
        }

        /// <summary>The ticket's comments and work notes, oldest first.</summary>
        public IList<Comment> Comments(string actor, ulong id)
        {
            byte[] a = Utf8.Encode("actor", actor);
            string json = Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_ticket_comments(e, a, id, out r));
            var list = new List<Comment>();
            foreach (object c in (List<object>)Json.Parse(json)) list.Add(new Comment(Member.Obj(c)));
            return list;
        }

        /// <summary>Links two tickets: Link(a, "child_of", b) makes b the parent of a.</summary>
        public void Link(string actor, ulong from, string linkType, ulong to)
        {
            byte[] a = Utf8.Encode("actor", actor), t = Utf8.Encode("link_type", linkType);
            Check(Raw(e => NativeMethods.itsm_ticket_link(e, a, from, t, to)));
        }

        /// <summary>Removes a link from both tickets (either spelling of its direction).</summary>
        public void Unlink(string actor, ulong from, string linkType, ulong to)
        {
            byte[] a = Utf8.Encode("actor", actor), t = Utf8.Encode("link_type", linkType);
            Check(Raw(e => NativeMethods.itsm_ticket_unlink(e, a, from, t, to)));
        }

        /// <summary>One page of a query body such as {"kinds":["incident"],"limit":20}.</summary>
        public Page QueryPage(string actor, string queryJson)
        {
            byte[] a = Utf8.Encode("actor", actor), q = Utf8.Encode("query_json", queryJson);
            return new Page(Member.Obj(Json.Parse(Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_ticket_query(e, a, q, out r)))));
        }

        /// <summary>The tickets matching a query body (without "cursor"), fetched a page at
        /// a time as the enumeration reaches them, following next_cursor.</summary>
        public IEnumerable<Ticket> Query(string actor, string queryJson)
        {
            object parsed = null;
            try { parsed = Json.Parse(queryJson ?? ""); } catch (ItsmException) { /* the library reports it */ }
            var o = parsed as Dictionary<string, object>;
            if (o != null && o.ContainsKey("cursor"))
                throw new InvalidArgumentException("cursor: set by the enumeration (use QueryPage to page by hand)");
            return Pages(actor, queryJson, o != null);
        }

        private IEnumerable<Ticket> Pages(string actor, string queryJson, bool isObject)
        {
            string body = queryJson;
            while (true)
            {
                Page page = QueryPage(actor, body);
                foreach (Ticket t in page.Tickets) yield return t;
                if (page.NextCursor == null || !isObject) yield break;
                // The caller's object with "cursor" put first.
                string rest = queryJson.Trim().Substring(1).TrimStart();
                body = "{\"cursor\":" + Json.Quote(page.NextCursor) + (rest.StartsWith("}") ? "" : ",") + rest;
            }
        }

        /// <summary>The ticket's audit trail, oldest first.</summary>
        public IList<Event> History(string actor, ulong id)
        {
            byte[] a = Utf8.Encode("actor", actor);
            string json = Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_ticket_history(e, a, id, out r));
            var list = new List<Event>();
            foreach (object ev in (List<object>)Json.Parse(json)) list.Add(new Event(Member.Obj(ev)));
            return list;
        }
        // ---- Observers

        // The state of one subscription, reached from the library through a GCHandle (its
        // user_data). The handle is freed by the destructor, which the library calls exactly
        // once, after the last callback of the subscription has returned.
        private sealed class Subscription
        {
            internal Action<Event> Observer;
            internal Action<Exception> OnError;
        }

        // One pair of delegates for every subscription, kept alive by these static fields for
        // as long as the library may call them (the life of the process).
        private static readonly NativeMethods.ObserverEventFn OnEventFn = OnEvent;
        private static readonly NativeMethods.ObserverDestroyFn OnDestroyFn = OnDestroy;
        private static readonly IntPtr OnEventPtr = Marshal.GetFunctionPointerForDelegate(OnEventFn);
        private static readonly IntPtr OnDestroyPtr = Marshal.GetFunctionPointerForDelegate(OnDestroyFn);

        private static void OnEvent(IntPtr eventJson, IntPtr userData)
        {
            var sub = (Subscription)GCHandle.FromIntPtr(userData).Target;
            try
            {
                sub.Observer(new Event(Member.Obj(Json.Parse(Utf8.Decode(eventJson)))));
            }
            catch (Exception ex)
            {
                // No exception may cross into the library; the commit stands either way.
                if (sub.OnError == null) return;
                try { sub.OnError(ex); } catch (Exception) { }
            }
        }

        private static void OnDestroy(IntPtr userData)
        {
            GCHandle.FromIntPtr(userData).Free();
        }

        /// <summary>Calls `observer` once per committed event, in seq order, after the commit,
        /// on the thread whose call committed it. The observer may call the engine again, and
        /// Unsubscribe itself. An exception it throws does not undo the commit: it goes to
        /// `onError` when given, and is dropped otherwise. Returns the subscription number
        /// for Unsubscribe; the subscription ends at the latest when the engine is disposed.</summary>
        public ulong Subscribe(Action<Event> observer, Action<Exception> onError = null)
        {
            if (observer == null) throw new InvalidArgumentException("observer: must not be null");
            GCHandle state = GCHandle.Alloc(new Subscription { Observer = observer, OnError = onError });
            ulong number = 0;
            int rc;
            try
            {
                rc = Raw(e => NativeMethods.itsm_engine_subscribe(e, OnEventPtr, OnDestroyPtr, GCHandle.ToIntPtr(state), out number));
            }
            catch
            {
                state.Free();
                throw;
            }
            if (rc != 0)
            {
                state.Free(); // refused: the library never calls the destructor
                throw LastError(rc);
            }
            return number;
        }

        /// <summary>Ends a subscription: its observer is not called again once this returns
        /// (from another thread, this waits for a call in progress). Throws NotFoundException
        /// for a number that is not an active subscription.</summary>
        public void Unsubscribe(ulong subscription)
        {
            Check(Raw(e => NativeMethods.itsm_engine_unsubscribe(e, subscription)));
        }

        // ---- Access control

        private string systemActor;

        /// <summary>The engine's system actor: a secret text that, passed as `actor`, acts as
        /// the trusted host and passes every check (it is how the first directory and policy
        /// are set). Each engine has its own. Keep it inside the process: never show it to
        /// end users, log it or store it.</summary>
        public string SystemActor
        {
            get
            {
                IntPtr text = IntPtr.Zero;
                Check(Raw(e => NativeMethods.itsm_engine_system_actor(e, out text))); // also when disposed
                if (systemActor == null) systemActor = Utf8.Decode(text); // borrowed: copied here
                return systemActor;
            }
        }

        private void Configure(Func<IntPtr, byte[], byte[], int> call, string actor, string name, string json)
        {
            byte[] a = Utf8.Encode("actor", actor), d = Utf8.Encode(name, json);
            Check(Raw(e => call(e, a, d)));
        }

        /// <summary>Replaces the directory (users and groups, docs/directory.md). Needs
        /// manage.grants.</summary>
        public void SetDirectory(string actor, string directoryJson)
        {
            Configure(NativeMethods.itsm_engine_set_directory_json, actor, "directory_json", directoryJson);
        }

        /// <summary>Replaces the access policy (segments, roles, grants, relationships,
        /// docs/access.md). Needs manage.grants; refused whole with InvalidConfigException
        /// naming the JSON path.</summary>
        public void SetAccess(string actor, string accessJson)
        {
            Configure(NativeMethods.itsm_engine_set_access_json, actor, "access_json", accessJson);
        }

        /// <summary>Whether `actor` may exercise `permission` (e.g. "ticket.update") on the
        /// ticket, and why. NotFoundException also for a ticket the actor may not read.</summary>
        public Explanation Explain(string actor, ulong id, string permission)
        {
            byte[] a = Utf8.Encode("actor", actor), p = Utf8.Encode("permission", permission);
            return new Explanation(Member.Obj(Json.Parse(Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_explain(e, a, id, p, out r)))));
        }

        // ---- Workflows

        /// <summary>Replaces the workflows with a document {"workflows": {...}}
        /// (docs/workflows.md). Needs manage.workflows.</summary>
        public void SetWorkflows(string actor, string workflowsJson)
        {
            Configure(NativeMethods.itsm_engine_set_workflows_json, actor, "workflows_json", workflowsJson);
        }

        /// <summary>Applies a configuration document whose members are the documents of the
        /// setters, each optional: directory, calendars, access, taxonomy, routing,
        /// sla_policies, scorecard, workflows (docs/configuration.md). All or nothing: on any
        /// refusal nothing stays applied, and the message names the JSON path.</summary>
        public void LoadConfig(string actor, string configJson)
        {
            Configure(NativeMethods.itsm_engine_load_config_json, actor, "config_json", configJson);
        }

        /// <summary>As LoadConfig over the JSON file at `path`, which messages name.
        /// NotFoundException when the file cannot be read.</summary>
        public void LoadConfigFile(string actor, string path)
        {
            Configure(NativeMethods.itsm_engine_load_config_file, actor, "path", path);
        }

        /// <summary>Replaces the workflows with the shipped ITIL preset. Needs manage.workflows.</summary>
        public void LoadItilWorkflows(string actor)
        {
            byte[] a = Utf8.Encode("actor", actor);
            Check(Raw(e => NativeMethods.itsm_engine_load_itil_workflows(e, a)));
        }

        /// <summary>Runs a workflow transition and returns the ticket afterwards. `inputJson`
        /// is null or {"fields": {"resolution_code": "..."}, "comment": "...", "work_note":
        /// false, "version": 3}. InvalidTransitionException names the refusing rule first.</summary>
        public Ticket Transition(string actor, ulong id, string transitionId, string inputJson = null)
        {
            byte[] a = Utf8.Encode("actor", actor), t = Utf8.Encode("transition_id", transitionId),
                input = Utf8.Encode("input_json", inputJson);
            return Ticket.FromJson(Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_ticket_transition(e, a, id, t, input, out r)));
        }

        /// <summary>The transitions leaving the ticket's current state, each saying whether
        /// this actor may run it now and, if not, why.</summary>
        public IList<AvailableTransition> AvailableTransitions(string actor, ulong id)
        {
            byte[] a = Utf8.Encode("actor", actor);
            string json = Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_ticket_available_transitions(e, a, id, out r));
            return Member.ParseList(json, o => new AvailableTransition(o));
        }

        private delegate int DecisionCall(IntPtr engine, byte[] actor, ulong id, byte[] comment, out IntPtr ticket);

        private Ticket Decide(DecisionCall call, string actor, ulong id, string comment)
        {
            byte[] a = Utf8.Encode("actor", actor), c = Utf8.Encode("comment", comment);
            return Ticket.FromJson(Text((IntPtr e, out IntPtr r) => call(e, a, id, c, out r)));
        }

        /// <summary>The actor approves the current approval step (PermissionDeniedException
        /// when not a pending approver, InvalidTransitionException when no approval runs).</summary>
        public Ticket Approve(string actor, ulong id, string comment = null)
        {
            return Decide(NativeMethods.itsm_ticket_approve, actor, id, comment);
        }

        /// <summary>The actor rejects the current approval step.</summary>
        public Ticket Reject(string actor, ulong id, string comment = null)
        {
            return Decide(NativeMethods.itsm_ticket_reject, actor, id, comment);
        }

        /// <summary>Hands the actor's pending approval to `toUser` (ConflictException when that
        /// user already has it pending).</summary>
        public Ticket Delegate(string actor, ulong id, string toUser, string comment = null)
        {
            byte[] a = Utf8.Encode("actor", actor), to = Utf8.Encode("to_user", toUser), c = Utf8.Encode("comment", comment);
            return Ticket.FromJson(Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_ticket_delegate(e, a, id, to, c, out r)));
        }

        /// <summary>Emits the SLA warnings and breaches due at `now` in the order they were
        /// crossed, then runs the timed transitions due then; each once, as the system. Returns
        /// how many ran.</summary>
        public ulong Advance(DateTimeOffset now)
        {
            long micros = Instant.ToUnixMicros(now);
            ulong ran = 0;
            Check(Raw(e => NativeMethods.itsm_engine_advance(e, micros, out ran)));
            return ran;
        }

        // ---- SLA clocks

        /// <summary>Replaces the business calendars ({"calendars": {...}}, docs/sla.md). Needs
        /// manage.calendars; InvalidConfigException names the JSON path.</summary>
        public void SetCalendars(string actor, string calendarsJson)
        {
            Configure(NativeMethods.itsm_engine_set_calendars_json, actor, "calendars_json", calendarsJson);
        }

        /// <summary>Replaces the SLA policies ({"sla_policies": {...}}, docs/sla.md); the
        /// calendars they name must be set first. Needs manage.sla; InvalidConfigException
        /// names the JSON path.</summary>
        public void SetSlaPolicies(string actor, string policiesJson)
        {
            Configure(NativeMethods.itsm_engine_set_sla_policies_json, actor, "policies_json", policiesJson);
        }

        /// <summary>The business calendars in force, as the JSON document SetCalendars takes
        /// ({"calendars": {}} until set); each week written out in full. Any valid actor may
        /// read them.</summary>
        public string CalendarsJson(string actor)
        {
            byte[] a = Utf8.Encode("actor", actor);
            return Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_engine_calendars_json(e, a, out r));
        }

        /// <summary>The SLA policies in force, as the JSON document SetSlaPolicies takes
        /// ({"sla_policies": {}} until set). Any valid actor may read them.</summary>
        public string SlaPoliciesJson(string actor)
        {
            byte[] a = Utf8.Encode("actor", actor);
            return Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_engine_sla_policies_json(e, a, out r));
        }

        /// <summary>The ticket's SLA clocks at the engine's clock, one JSON object each
        /// ("policy", "metric", "state", "due", "elapsed", "remaining", "percentage", ...;
        /// durations in seconds), as parsed dictionaries.</summary>
        public IList<IDictionary<string, object>> TicketSla(string actor, ulong id)
        {
            byte[] a = Utf8.Encode("actor", actor);
            string json = Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_ticket_sla(e, a, id, out r));
            var list = new List<IDictionary<string, object>>();
            foreach (object c in (List<object>)Json.Parse(json)) list.Add(Member.Obj(c));
            return list;
        }

        // ---- Taxonomy and routing

        /// <summary>Replaces the category tree (docs/taxonomy.md). Needs manage.taxonomy.</summary>
        public void SetTaxonomy(string actor, string taxonomyJson)
        {
            Configure(NativeMethods.itsm_engine_set_taxonomy_json, actor, "taxonomy_json", taxonomyJson);
        }

        /// <summary>The category tree in force, with retirements and former names.</summary>
        public Taxonomy GetTaxonomy(string actor)
        {
            byte[] a = Utf8.Encode("actor", actor);
            return new Taxonomy(Member.Obj(Json.Parse(Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_engine_taxonomy_json(e, a, out r)))));
        }

        /// <summary>Replaces the routing rules ({"rules": [...]}). Needs manage.taxonomy.</summary>
        public void SetRouting(string actor, string rulesJson)
        {
            Configure(NativeMethods.itsm_engine_set_routing_json, actor, "rules_json", rulesJson);
        }

        /// <summary>The routing rules in force, as the JSON document SetRouting takes.</summary>
        public string RoutingJson(string actor)
        {
            byte[] a = Utf8.Encode("actor", actor);
            return Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_engine_routing_json(e, a, out r));
        }

        /// <summary>Renames a category; the old name stays in its FormerNames.</summary>
        public void RenameCategory(string actor, string id, string name)
        {
            byte[] a = Utf8.Encode("actor", actor), c = Utf8.Encode("id", id), n = Utf8.Encode("name", name);
            Check(Raw(e => NativeMethods.itsm_category_rename(e, a, c, n)));
        }

        /// <summary>Moves a category and its subtree under `newParent` (null: a root).</summary>
        public void MoveCategory(string actor, string id, string newParent)
        {
            byte[] a = Utf8.Encode("actor", actor), c = Utf8.Encode("id", id), p = Utf8.Encode("new_parent", newParent);
            Check(Raw(e => NativeMethods.itsm_category_move(e, a, c, p)));
        }

        /// <summary>Retires a category and its subtree (ConflictException if already retired).</summary>
        public void RetireCategory(string actor, string id)
        {
            byte[] a = Utf8.Encode("actor", actor), c = Utf8.Encode("id", id);
            Check(Raw(e => NativeMethods.itsm_category_retire(e, a, c)));
        }

        /// <summary>Merges `from` into `into` and returns how many tickets were re-pointed.</summary>
        public ulong MergeCategory(string actor, string from, string into)
        {
            byte[] a = Utf8.Encode("actor", actor), f = Utf8.Encode("from", from), i = Utf8.Encode("into", into);
            ulong moved = 0;
            Check(Raw(e => NativeMethods.itsm_category_merge(e, a, f, i, out moved)));
            return moved;
        }

        /// <summary>Deletes a leaf category nothing uses (ConflictException otherwise).</summary>
        public void RemoveCategory(string actor, string id)
        {
            byte[] a = Utf8.Encode("actor", actor), c = Utf8.Encode("id", id);
            Check(Raw(e => NativeMethods.itsm_category_remove(e, a, c)));
        }

        /// <summary>Tickets per category subtree, parents first, over the tickets matching
        /// `queryJson` (null: all) that the actor may read. Needs metrics.read.</summary>
        public IList<CategoryCount> CategoryCounts(string actor, string queryJson = null)
        {
            byte[] a = Utf8.Encode("actor", actor), q = Utf8.Encode("query_json", queryJson);
            string json = Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_category_counts(e, a, q, out r));
            return Member.ParseList(json, o => new CategoryCount(o));
        }

        /// <summary>How many matching tickets carry each tag, most used first. Needs metrics.read.</summary>
        public IList<TagCount> TagCounts(string actor, string queryJson = null)
        {
            byte[] a = Utf8.Encode("actor", actor), q = Utf8.Encode("query_json", queryJson);
            string json = Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_tag_counts(e, a, q, out r));
            return Member.ParseList(json, o => new TagCount(o));
        }

        /// <summary>Service metrics over a period, replayed from the events (docs/metrics.md):
        /// `queryJson` is {"from": "...Z", "to": "...Z", "kinds": [...], "segments": [...],
        /// "categories": [...], "groups": [...], "priorities": [...], "calendar": {...}}. Returns
        /// the report as JSON, with its scorecard. Needs metrics.read; only tickets the actor may
        /// read are counted.</summary>
        public string Metrics(string actor, string queryJson)
        {
            byte[] a = Utf8.Encode("actor", actor), q = Utf8.Encode("query_json", queryJson);
            return Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_metrics(e, a, q, out r));
        }

        /// <summary>Replaces the scorecard targets ({"scorecard": {...}}); members left out keep
        /// their defaults. Needs manage.sla.</summary>
        public void SetScorecard(string actor, string scorecardJson)
        {
            Configure(NativeMethods.itsm_engine_set_scorecard_json, actor, "scorecard_json", scorecardJson);
        }

        /// <summary>The scorecard targets in force, as the JSON document SetScorecard takes.</summary>
        public string ScorecardJson(string actor)
        {
            byte[] a = Utf8.Encode("actor", actor);
            return Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_engine_scorecard_json(e, a, out r));
        }

        // ---- Configuration version

        /// <summary>The version of the configuration in force (docs/storage.md): every later
        /// commit is stored with it, and a durable store reports it after reopening. An engine
        /// starts with the version of its store's latest commit; "" names none. Setting more
        /// than 200 bytes or a control character throws InvalidArgumentException.</summary>
        public string ConfigVersion
        {
            get { return Text((IntPtr e, out IntPtr r) => NativeMethods.itsm_engine_config_version(e, out r)); }
            set
            {
                byte[] v = Utf8.Encode("version", value);
                Check(Raw(e => NativeMethods.itsm_engine_set_config_version(e, v)));
            }
        }
    }
}
