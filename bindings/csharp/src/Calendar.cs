// A business calendar: one itsm_calendar handle, with a method per C function of itsm.h.
using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Itsm
{
    // The SafeHandle of an itsm_calendar*: released with itsm_calendar_free exactly once.
    internal sealed class CalendarHandle : SafeHandle
    {
        internal CalendarHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid
        {
            get { return handle == IntPtr.Zero; }
        }

        internal void Set(IntPtr calendar)
        {
            SetHandle(calendar);
        }

        protected override bool ReleaseHandle()
        {
            NativeMethods.itsm_calendar_free(handle);
            return true;
        }
    }

    /// <summary>A business calendar (time zone, working hours, holidays; docs/sla.md), built
    /// from a calendars document. Instants go in as any DateTimeOffset and come back in UTC;
    /// business durations are TimeSpans, kept to the microsecond. Instants must lie in the
    /// years 1900 to 2399. Dispose it (or use `using`) to free it. A calendar is immutable
    /// and may be used from several threads; Dispose must not race with other calls.</summary>
    public sealed class Calendar : IDisposable
    {
        private static readonly DateTimeOffset Epoch = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);
        private readonly CalendarHandle handle;

        private Calendar(CalendarHandle h)
        {
            handle = h;
        }

        /// <summary>Builds calendar `id` of a document {"calendars": {...}}; `id` may be null
        /// when the document holds exactly one. Throws InvalidConfigException naming the
        /// JSON path, NotFoundException for an unknown id.</summary>
        public static Calendar FromJson(string configJson, string id = null)
        {
            Engine.CheckVersion();
            return Build(configJson, id);
        }

        // Apart from FromJson, which loads the library first (see NativeLoader).
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static Calendar Build(string configJson, string id)
        {
            byte[] config = Utf8.Encode("config_json", configJson);
            byte[] name = Utf8.Encode("id", id);
            var h = new CalendarHandle();
            IntPtr raw;
            Engine.Check(NativeMethods.itsm_calendar_new_json(config, name, out raw));
            h.Set(raw);
            return new Calendar(h);
        }

        /// <summary>Frees the calendar. Calls afterwards throw ObjectDisposedException.</summary>
        public void Dispose()
        {
            handle.Dispose();
        }

        private delegate int LongCall(IntPtr calendar, out long result);

        // Runs `call` on the raw handle, holding a reference so that Dispose on another
        // thread cannot free it meanwhile.
        private long Long(LongCall call)
        {
            bool added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                long result;
                Engine.Check(call(handle.DangerousGetHandle(), out result));
                return result;
            }
            finally
            {
                if (added) handle.DangerousRelease();
            }
        }

        private static DateTimeOffset At(long micros)
        {
            return Epoch.AddTicks(micros * 10);
        }

        private static long Micros(TimeSpan d)
        {
            return d.Ticks / 10;
        }

        /// <summary>`start` moved forward by `delta` of working time (backward when
        /// negative). An exact fit ends at a period's close; zero from a closed instant gives
        /// the next opening.</summary>
        public DateTimeOffset Add(DateTimeOffset start, TimeSpan delta)
        {
            long s = Instant.ToUnixMicros(start), d = Micros(delta);
            return At(Long((IntPtr c, out long r) => NativeMethods.itsm_calendar_add(c, s, d, out r)));
        }

        /// <summary>`start` moved backward by `delta` of working time: an exact fit ends at
        /// an opening; zero from a closed instant gives the previous closing.</summary>
        public DateTimeOffset Subtract(DateTimeOffset start, TimeSpan delta)
        {
            long s = Instant.ToUnixMicros(start), d = Micros(delta);
            return At(Long((IntPtr c, out long r) => NativeMethods.itsm_calendar_subtract(c, s, d, out r)));
        }

        /// <summary>The working time in [from, to); zero when `to` is not after `from`.</summary>
        public TimeSpan Between(DateTimeOffset from, DateTimeOffset to)
        {
            long a = Instant.ToUnixMicros(from), b = Instant.ToUnixMicros(to);
            return TimeSpan.FromTicks(10 * Long((IntPtr c, out long r) => NativeMethods.itsm_calendar_between(c, a, b, out r)));
        }

        /// <summary>Whether a working period holds `at` (open at its start, closed at its end).</summary>
        public bool IsOpen(DateTimeOffset at)
        {
            long t = Instant.ToUnixMicros(at);
            return Long((IntPtr c, out long r) =>
            {
                int open;
                int rc = NativeMethods.itsm_calendar_is_open(c, t, out open);
                r = open;
                return rc;
            }) == 1;
        }

        /// <summary>`at` if the calendar is open then, else the start of the next working period.</summary>
        public DateTimeOffset NextOpening(DateTimeOffset at)
        {
            long t = Instant.ToUnixMicros(at);
            return At(Long((IntPtr c, out long r) => NativeMethods.itsm_calendar_next_opening(c, t, out r)));
        }

        /// <summary>The end of the working period that holds `at`, or of the next one.</summary>
        public DateTimeOffset NextClosing(DateTimeOffset at)
        {
            long t = Instant.ToUnixMicros(at);
            return At(Long((IntPtr c, out long r) => NativeMethods.itsm_calendar_next_closing(c, t, out r)));
        }
    }
}
