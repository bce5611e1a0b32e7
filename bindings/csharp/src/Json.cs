// A small reader for the JSON that libitsm returns (objects, arrays, strings, numbers,
// true/false/null), so that the binding needs no JSON library on any .NET. Objects become
// Dictionary<string, object>, arrays List<object>, numbers long (or double when they have
// a fraction or exponent). Also Json.Quote, to put a string into JSON text.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Itsm
{
    public static class Json
    {
        /// <summary>Parses JSON text. Throws InternalErrorException on malformed text (the
        /// library never returns any).</summary>
        public static object Parse(string text)
        {
            var r = new Reader(text);
            r.SkipSpace();
            object v = r.Value();
            r.SkipSpace();
            if (r.Pos != text.Length) r.Fail("text after the value");
            return v;
        }

        /// <summary>A string as a JSON string literal, quotes included.</summary>
        public static string Quote(string s)
        {
            var b = new StringBuilder(s.Length + 2);
            b.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': b.Append("\\\""); break;
                    case '\\': b.Append("\\\\"); break;
                    case '\n': b.Append("\\n"); break;
                    case '\r': b.Append("\\r"); break;
                    case '\t': b.Append("\\t"); break;
                    default:
                        if (c < 0x20) b.Append("\\u").Append(((int)c).ToString("x4"));
                        else b.Append(c);
                        break;
                }
            }
            return b.Append('"').ToString();
        }

        private sealed class Reader
        {
            private readonly string s;
            internal int Pos;

            internal Reader(string text)
            {
                s = text;
            }

            internal void Fail(string what)
            {
                throw new InternalErrorException("unexpected JSON from libitsm at " + Pos + ": " + what);
            }

            internal void SkipSpace()
            {
                while (Pos < s.Length && (s[Pos] == ' ' || s[Pos] == '\n' || s[Pos] == '\r' || s[Pos] == '\t')) Pos++;
            }

            private char Next()
            {
                if (Pos >= s.Length) Fail("end of text");
                return s[Pos++];
            }

            private void Expect(string word)
            {
                if (string.CompareOrdinal(s, Pos, word, 0, word.Length) != 0) Fail("expected " + word);
                Pos += word.Length;
            }

            internal object Value()
            {
                if (Pos >= s.Length) Fail("end of text");
                char c = s[Pos];
                switch (c)
                {
                    case '{': return Object();
                    case '[': return Array();
                    case '"': return String();
                    case 't': Expect("true"); return true;
                    case 'f': Expect("false"); return false;
                    case 'n': Expect("null"); return null;
                    default: return Number();
                }
            }

            private Dictionary<string, object> Object()
            {
                var o = new Dictionary<string, object>();
                Pos++;
                SkipSpace();
                if (Pos < s.Length && s[Pos] == '}') { Pos++; return o; }
                while (true)
                {
                    SkipSpace();
                    string key = String();
                    SkipSpace();
                    if (Next() != ':') Fail("expected ':'");
                    SkipSpace();
                    o[key] = Value();
                    SkipSpace();
                    char c = Next();
                    if (c == '}') return o;
                    if (c != ',') Fail("expected ',' or '}'");
                }
            }

            private List<object> Array()
            {
                var a = new List<object>();
                Pos++;
                SkipSpace();
                if (Pos < s.Length && s[Pos] == ']') { Pos++; return a; }
                while (true)
                {
                    SkipSpace();
                    a.Add(Value());
                    SkipSpace();
                    char c = Next();
                    if (c == ']') return a;
                    if (c != ',') Fail("expected ',' or ']'");
                }
            }

            private string String()
            {
                if (Next() != '"') Fail("expected a string");
                var b = new StringBuilder();
                while (true)
                {
                    char c = Next();
                    if (c == '"') return b.ToString();
                    if (c != '\\') { b.Append(c); continue; }
                    char e = Next();
                    switch (e)
                    {
                        case '"': case '\\': case '/': b.Append(e); break;
                        case 'b': b.Append('\b'); break;
                        case 'f': b.Append('\f'); break;
                        case 'n': b.Append('\n'); break;
                        case 'r': b.Append('\r'); break;
                        case 't': b.Append('\t'); break;
                        case 'u':
                            if (Pos + 4 > s.Length) Fail("short \\u escape");
                            b.Append((char)int.Parse(s.Substring(Pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                            Pos += 4;
                            break;
                        default: Fail("bad escape"); break;
                    }
                }
            }

            private object Number()
            {
                int start = Pos;
                bool integral = true;
                while (Pos < s.Length && "+-0123456789.eE".IndexOf(s[Pos]) >= 0)
                {
                    if (s[Pos] == '.' || s[Pos] == 'e' || s[Pos] == 'E') integral = false;
                    Pos++;
                }
                if (Pos == start) Fail("unexpected character");
                string t = s.Substring(start, Pos - start);
                long l;
                if (integral && long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out l)) return l;
                ulong u;
                if (integral && ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out u)) return u;
                return double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }
    }
}
