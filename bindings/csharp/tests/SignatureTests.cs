using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Itsm;
using NUnit.Framework;

namespace Itsm.Tests
{
    // The P/Invoke declarations against the C prototypes of itsm.h (which the build copies
    // next to the assemblies): a wrong parameter type would not fail loudly, it would corrupt
    // memory. Also checks that every signature is blittable.
    [TestFixture]
    public class SignatureTests
    {
        private static readonly Dictionary<string, Type> CTypes = new Dictionary<string, Type> {
            { "void", typeof(void) }, { "int", typeof(int) }, { "int64_t", typeof(long) },
            { "uint64_t", typeof(ulong) }, { "const char*", typeof(byte[]) }, { "void*", typeof(IntPtr) },
            { "itsm_engine*", typeof(IntPtr) }, { "itsm_engine**", typeof(IntPtr).MakeByRefType() },
            { "char**", typeof(IntPtr).MakeByRefType() },
            { "itsm_calendar*", typeof(IntPtr) }, { "const itsm_calendar*", typeof(IntPtr) },
            { "itsm_calendar**", typeof(IntPtr).MakeByRefType() },
            { "int64_t*", typeof(long).MakeByRefType() }, { "int*", typeof(int).MakeByRefType() },
            // A borrowed string written through an out parameter: an IntPtr the binding decodes.
            { "const char**", typeof(IntPtr).MakeByRefType() },
            { "uint64_t*", typeof(ulong).MakeByRefType() },
            // Custom stores: opaque handles, and callbacks as function pointers.
            { "itsm_store_callbacks*", typeof(IntPtr) }, { "itsm_store_callbacks**", typeof(IntPtr).MakeByRefType() },
            { "itsm_store_result*", typeof(IntPtr) }, { "itsm_store_commit*", typeof(IntPtr) },
            { "const itsm_store_commit*", typeof(IntPtr) }, { "itsm_store_destroy_fn", typeof(IntPtr) },
            { "itsm_store_get_fn", typeof(IntPtr) }, { "itsm_store_get_by_key_fn", typeof(IntPtr) },
            { "itsm_store_scan_fn", typeof(IntPtr) }, { "itsm_store_history_fn", typeof(IntPtr) },
            { "itsm_store_size_fn", typeof(IntPtr) }, { "itsm_store_allocate_fn", typeof(IntPtr) },
            { "itsm_store_commit_fn", typeof(IntPtr) }, { "itsm_store_meta_get_fn", typeof(IntPtr) },
            { "itsm_store_meta_set_fn", typeof(IntPtr) }, { "itsm_store_begin_batch_fn", typeof(IntPtr) },
            { "itsm_store_end_batch_fn", typeof(IntPtr) },
            // Observers: callbacks as function pointers.
            { "itsm_observer_event_fn", typeof(IntPtr) }, { "itsm_observer_destroy_fn", typeof(IntPtr) },
        };

        private static Type CType(string cType, string where)
        {
            string spelled = Normal(cType);
            Assert.IsTrue(CTypes.ContainsKey(spelled), where + ": the C type '" + spelled + "' has no P/Invoke mapping in this test");
            return CTypes[spelled];
        }

        // The header without its comments (which mention function names and parentheses).
        private static string HeaderText()
        {
            string header = Path.Combine(Path.GetDirectoryName(typeof(Engine).Assembly.Location), "itsm.h");
            if (!File.Exists(header)) Assert.Ignore("itsm.h is not next to the assemblies");
            return Regex.Replace(File.ReadAllText(header), @"/\*.*?\*/|//[^\n]*", " ", RegexOptions.Singleline);
        }

        private static string Normal(string cType)
        {
            return Regex.Replace(Regex.Replace(cType.Trim(), @"\s+", " "), @"\s*\*", "*");
        }

        private static Dictionary<string, Type[]> Prototypes()
        {
            var found = new Dictionary<string, Type[]>();
            var proto = new Regex(@"ITSM_API\s+([\w\s\*]+?)\s*\b(itsm_\w+)\s*\(([^)]*)\)\s*;");
            foreach (Match m in proto.Matches(HeaderText()))
            {
                string name = m.Groups[2].Value;
                // A returned string is borrowed: an IntPtr that the binding decodes.
                string ret = Normal(m.Groups[1].Value);
                var types = new List<Type> { ret == "const char*" ? typeof(IntPtr) : CType(ret, name + " result") };
                foreach (string p in m.Groups[3].Value.Split(','))
                {
                    string param = Regex.Replace(p.Trim(), @"\s+", " ");
                    if (param == "void" || param == "") continue;
                    types.Add(CType(Regex.Replace(param, @"\s*\b\w+$", ""), name + " " + param));
                }
                found[name] = types.ToArray();
            }
            return found;
        }

        [Test]
        public void TheHeaderIsReadWhole()
        {
            int exported = Regex.Matches(HeaderText(), @"^\s*ITSM_API\b", RegexOptions.Multiline).Count;
            Dictionary<string, Type[]> protos = Prototypes();
            Assert.Greater(exported, 40);
            Assert.AreEqual(exported, protos.Count);
            CollectionAssert.AreEqual(new[] { typeof(int), typeof(IntPtr), typeof(IntPtr).MakeByRefType() }, protos["itsm_engine_system_actor"]);
            CollectionAssert.AreEqual(new[] { typeof(int), typeof(IntPtr), typeof(long), typeof(ulong).MakeByRefType() }, protos["itsm_engine_advance"]);
        }

        [Test]
        public void EveryFunctionOfTheHeaderIsDeclared()
        {
            var declared = new HashSet<string>(Declarations().Select(m => m.Name));
            var missing = Prototypes().Keys.Where(n => !declared.Contains(n)).OrderBy(n => n).ToArray();
            CollectionAssert.IsEmpty(missing, string.Join(", ", missing));
        }

        private static IEnumerable<MethodInfo> Declarations()
        {
            Type native = typeof(Engine).Assembly.GetType("Itsm.NativeMethods", true);
            return native.GetMethods(BindingFlags.Static | BindingFlags.NonPublic).Where(m => m.Name.StartsWith("itsm_"));
        }

        [Test]
        public void EachDeclarationMatchesItsPrototype()
        {
            Dictionary<string, Type[]> protos = Prototypes();
            Assert.Greater(protos.Count, 15);
            int checkedCount = 0;
            foreach (MethodInfo m in Declarations())
            {
                Assert.IsTrue(protos.ContainsKey(m.Name), m.Name + " is not in itsm.h");
                var actual = new List<Type> { m.ReturnType };
                actual.AddRange(m.GetParameters().Select(p => p.ParameterType));
                CollectionAssert.AreEqual(protos[m.Name], actual, m.Name);
                checkedCount++;
            }
            Assert.GreaterOrEqual(checkedCount, 20); // the declarations were found at all
        }

        [Test]
        public void EverySignatureIsBlittable()
        {
            var blittable = new HashSet<Type> { typeof(void), typeof(int), typeof(long), typeof(ulong), typeof(IntPtr),
                typeof(IntPtr).MakeByRefType(), typeof(ulong).MakeByRefType(), typeof(byte[]),
                typeof(long).MakeByRefType(), typeof(int).MakeByRefType() };
            foreach (MethodInfo m in Declarations())
            {
                Assert.IsTrue(blittable.Contains(m.ReturnType), m.Name);
                foreach (ParameterInfo p in m.GetParameters())
                    Assert.IsTrue(blittable.Contains(p.ParameterType), m.Name + " " + p.Name);
            }
        }
    }
}
