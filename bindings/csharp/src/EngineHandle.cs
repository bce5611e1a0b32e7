// The SafeHandle of an itsm_engine*: released with itsm_engine_close exactly once, and never
// while a call on it is running (calls hold a reference with DangerousAddRef).
using System;
using System.Runtime.InteropServices;

namespace Itsm
{
    internal sealed class EngineHandle : SafeHandle
    {
        internal EngineHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid
        {
            get { return handle == IntPtr.Zero; }
        }

        internal void Set(IntPtr engine)
        {
            SetHandle(engine);
        }

        protected override bool ReleaseHandle()
        {
            NativeMethods.itsm_engine_close(handle);
            return true;
        }
    }
}
