// Explicit UTF-8 conversion at the ABI boundary, never the platform's default marshalling.
using System;
using System.Text;

namespace Itsm
{
    internal static class Utf8
    {
        // Throws on a lone surrogate instead of replacing it.
        private static readonly UTF8Encoding Strict = new UTF8Encoding(false, true);

        // `value` as NUL-terminated UTF-8; null stays null (the library then names the
        // parameter). A string with a NUL character is refused: C would cut it short there.
        internal static byte[] Encode(string name, string value)
        {
            if (value == null) return null;
            if (value.IndexOf('\0') >= 0)
                throw new InvalidArgumentException(name + ": contains a NUL character");
            try
            {
                int n = Strict.GetByteCount(value);
                var bytes = new byte[n + 1];
                Strict.GetBytes(value, 0, value.Length, bytes, 0);
                return bytes;
            }
            catch (EncoderFallbackException)
            {
                throw new InvalidArgumentException(name + ": not valid Unicode (a lone surrogate)");
            }
        }

        // The NUL-terminated UTF-8 string at `p` (not released here).
        internal static unsafe string Decode(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            byte* s = (byte*)p;
            int n = 0;
            while (s[n] != 0) n++;
            return Encoding.UTF8.GetString(s, n);
        }
    }
}
