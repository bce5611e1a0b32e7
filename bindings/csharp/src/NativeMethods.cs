// The C functions of itsm.h, declared for P/Invoke. Every signature is blittable: handles and
// owned strings are IntPtr, strings in are NUL-terminated UTF-8 byte arrays (see Utf8), ids
// are ulong, instants long, out values `out long` / `out int`. To wrap a new C function, add its declaration here and a method
// in Engine that calls it (docs/csharp.md).
using System;
using System.Runtime.InteropServices;

namespace Itsm
{
    internal static class NativeMethods
    {
        // "itsm" is libitsm.so (or itsm.dll); Itsm.dll.config maps it to libitsm.so.0 on Mono.
        // ITSM_LIBRARY, when set, names the file instead (NativeLoader).
        internal const string Lib = "itsm";

        // ---- Library
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_version_number();
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr itsm_version_string();
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr itsm_last_error();
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_last_error_code();
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void itsm_free(IntPtr p);

        // ---- Engine
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_open_memory(byte[] schemaJson, out IntPtr engine);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_open(byte[] uri, byte[] schemaJson, out IntPtr engine);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_open_memory_at(byte[] schemaJson, long startUnixMicros, out IntPtr engine);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_set_time(IntPtr engine, long unixMicros);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_advance_clock(IntPtr engine, long micros);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void itsm_engine_close(IntPtr engine);

        // ---- Tickets
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_create(IntPtr engine, byte[] actor, byte[] newTicketJson, out IntPtr ticketJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_get(IntPtr engine, byte[] actor, ulong id, out IntPtr ticketJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_get_by_key(IntPtr engine, byte[] actor, byte[] key, out IntPtr ticketJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_update(IntPtr engine, byte[] actor, ulong id, byte[] patchJson, out IntPtr ticketJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_comment(IntPtr engine, byte[] actor, ulong id, byte[] text, int workNote, out IntPtr commentJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_comments(IntPtr engine, byte[] actor, ulong id, out IntPtr commentsJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_link(IntPtr engine, byte[] actor, ulong from, byte[] linkType, ulong to);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_unlink(IntPtr engine, byte[] actor, ulong from, byte[] linkType, ulong to);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_query(IntPtr engine, byte[] actor, byte[] queryJson, out IntPtr pageJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_history(IntPtr engine, byte[] actor, ulong id, out IntPtr eventsJson);

        // ---- Calendars
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_calendar_new_json(byte[] configJson, byte[] id, out IntPtr calendar);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void itsm_calendar_free(IntPtr calendar);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_calendar_add(IntPtr calendar, long startUnixMicros, long businessMicros, out long unixMicros);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_calendar_subtract(IntPtr calendar, long startUnixMicros, long businessMicros, out long unixMicros);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_calendar_between(IntPtr calendar, long fromUnixMicros, long toUnixMicros, out long businessMicros);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_calendar_is_open(IntPtr calendar, long atUnixMicros, out int open);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_calendar_next_opening(IntPtr calendar, long atUnixMicros, out long unixMicros);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_calendar_next_closing(IntPtr calendar, long atUnixMicros, out long unixMicros);
        // ---- Taxonomy and routing
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_set_taxonomy_json(IntPtr engine, byte[] actor, byte[] taxonomyJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_taxonomy_json(IntPtr engine, byte[] actor, out IntPtr taxonomyJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_set_routing_json(IntPtr engine, byte[] actor, byte[] rulesJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_routing_json(IntPtr engine, byte[] actor, out IntPtr rulesJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_category_rename(IntPtr engine, byte[] actor, byte[] id, byte[] name);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_category_move(IntPtr engine, byte[] actor, byte[] id, byte[] newParent);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_category_retire(IntPtr engine, byte[] actor, byte[] id);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_category_merge(IntPtr engine, byte[] actor, byte[] from, byte[] into, out ulong moved);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_category_remove(IntPtr engine, byte[] actor, byte[] id);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_category_counts(IntPtr engine, byte[] actor, byte[] queryJson, out IntPtr countsJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_tag_counts(IntPtr engine, byte[] actor, byte[] queryJson, out IntPtr countsJson);

        // ---- Access control
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_system_actor(IntPtr engine, out IntPtr systemActor);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_set_directory_json(IntPtr engine, byte[] actor, byte[] directoryJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_set_access_json(IntPtr engine, byte[] actor, byte[] accessJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_explain(IntPtr engine, byte[] actor, ulong id, byte[] permission, out IntPtr explanationJson);

        // ---- Workflows
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_set_workflows_json(IntPtr engine, byte[] actor, byte[] workflowsJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_load_itil_workflows(IntPtr engine, byte[] actor);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_transition(IntPtr engine, byte[] actor, ulong id, byte[] transitionId, byte[] inputJson, out IntPtr ticketJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_available_transitions(IntPtr engine, byte[] actor, ulong id, out IntPtr transitionsJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_approve(IntPtr engine, byte[] actor, ulong id, byte[] comment, out IntPtr ticketJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_reject(IntPtr engine, byte[] actor, ulong id, byte[] comment, out IntPtr ticketJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_delegate(IntPtr engine, byte[] actor, ulong id, byte[] toUser, byte[] comment, out IntPtr ticketJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_advance(IntPtr engine, long nowUnixMicros, out ulong ran);

        // ---- SLA clocks
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_set_calendars_json(IntPtr engine, byte[] actor, byte[] calendarsJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_set_sla_policies_json(IntPtr engine, byte[] actor, byte[] policiesJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_ticket_sla(IntPtr engine, byte[] actor, ulong id, out IntPtr clocksJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_calendars_json(IntPtr engine, byte[] actor, out IntPtr calendarsJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_sla_policies_json(IntPtr engine, byte[] actor, out IntPtr policiesJson);
        // ---- Configuration at once
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_load_config_json(IntPtr engine, byte[] actor, byte[] configJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_load_config_file(IntPtr engine, byte[] actor, byte[] path);

        // ---- Observers. The callbacks are function pointers of the two delegate types below
        // (Marshal.GetFunctionPointerForDelegate); Engine.Subscribe keeps them alive.
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate void ObserverEventFn(IntPtr eventJson, IntPtr userData);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate void ObserverDestroyFn(IntPtr userData);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_subscribe(IntPtr engine, IntPtr fn, IntPtr destroy, IntPtr userData, out ulong subscription);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_unsubscribe(IntPtr engine, ulong subscription);

        // ---- Metrics
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_metrics(IntPtr engine, byte[] actor, byte[] queryJson, out IntPtr reportJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_set_scorecard_json(IntPtr engine, byte[] actor, byte[] scorecardJson);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_scorecard_json(IntPtr engine, byte[] actor, out IntPtr scorecardJson);

        // ---- Configuration version
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_set_config_version(IntPtr engine, byte[] version);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_config_version(IntPtr engine, out IntPtr version);

        // Custom stores (docs/storage.md): declared for completeness; the binding does not yet
        // offer a store written in C#. Callbacks are function pointers (Marshal.GetFunctionPointerForDelegate).
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_callbacks_new(IntPtr userData, IntPtr destroy, out IntPtr callbacks);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void itsm_store_callbacks_free(IntPtr callbacks);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_callbacks_set_get(IntPtr callbacks, IntPtr fn);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_callbacks_set_get_by_key(IntPtr callbacks, IntPtr fn);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_callbacks_set_scan(IntPtr callbacks, IntPtr fn);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_callbacks_set_history(IntPtr callbacks, IntPtr fn);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_callbacks_set_size(IntPtr callbacks, IntPtr fn);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_callbacks_set_allocate(IntPtr callbacks, IntPtr fn);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_callbacks_set_commit(IntPtr callbacks, IntPtr fn);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_callbacks_set_meta_get(IntPtr callbacks, IntPtr fn);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_callbacks_set_meta_set(IntPtr callbacks, IntPtr fn);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_callbacks_set_begin_batch(IntPtr callbacks, IntPtr fn);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_callbacks_set_end_batch(IntPtr callbacks, IntPtr fn);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_engine_open_store(IntPtr callbacks, byte[] schemaJson, out IntPtr engine);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_result_add(IntPtr result, byte[] text);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_result_set_error(IntPtr result, byte[] message);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_commit_counts(IntPtr commit, out ulong tickets, out ulong events);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_commit_ticket(IntPtr commit, ulong index, out ulong id, out IntPtr key, out ulong version, out ulong expectedVersion, out IntPtr record);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int itsm_store_commit_event(IntPtr commit, ulong index, ulong seq, out ulong ticket, out IntPtr record);
    }
}
