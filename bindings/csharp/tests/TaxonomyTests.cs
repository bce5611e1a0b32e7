using System;
using System.Linq;
using Itsm;
using NUnit.Framework;

namespace Itsm.Tests
{
    // Taxonomy and routing: the tree and its changes, the routing rules, and the counts.
    [TestFixture]
    public class TaxonomyTests
    {
        private Engine e;

        private const string Tree =
            "{\"categories\":[{\"id\":\"hardware\",\"name\":\"Hardware\",\"kinds\":[\"incident\",\"service_request\"]}," +
            "{\"id\":\"laptop\",\"name\":\"Laptop\",\"parent\":\"hardware\"},{\"id\":\"printer\",\"name\":\"Printer\",\"parent\":\"hardware\"}," +
            "{\"id\":\"network\",\"name\":\"Network\"},{\"id\":\"vpn\",\"name\":\"VPN\",\"parent\":\"network\"}]}";

        private const string Rules =
            "{\"rules\":[{\"id\":\"hw\",\"when\":{\"categories\":[\"hardware\"]}," +
            "\"then\":{\"assignment_group\":\"agents\",\"assign\":\"round_robin\",\"add_tags\":[\"hw\"]}}]}";

        [SetUp]
        public void Open()
        {
            e = Helpers.OpenDesk();
            e.SetTaxonomy("admin", Tree);
        }

        [TearDown]
        public void Close() { e.Dispose(); }

        private Ticket Make(string title, string category, string more = "")
        {
            return e.CreateTicket("alice", Helpers.Body("incident", title, "\"category\":" + Json.Quote(category) + more));
        }

        [Test]
        public void TheTaxonomyIsSetAndReadTyped()
        {
            Taxonomy tax = e.GetTaxonomy("alice");
            Assert.IsFalse(tax.LeafOnly);
            CollectionAssert.AreEqual(new[] { "hardware", "laptop", "printer", "network", "vpn" }, tax.Categories.Select(c => c.Id).ToArray());
            Category hw = tax.Find("hardware");
            Assert.AreEqual("Hardware", hw.Name);
            Assert.IsNull(hw.Parent);
            CollectionAssert.AreEqual(new[] { "incident", "service_request" }, hw.Kinds);
            Assert.AreEqual("network", tax.Find("vpn").Parent);
            Assert.IsNull(tax.Find("ghost"));
            Helpers.RefusedUnchanged<ValidationFailedException>(e, () => Make("x", "printr"), "category");
        }

        [Test]
        public void SetTaxonomyRefusals()
        {
            Helpers.RefusedUnchanged<InvalidConfigException>(e, () => e.SetTaxonomy("admin",
                "{\"categories\":[{\"id\":\"a\",\"name\":\"A\",\"parent\":\"zz\"}]}"), "categories[0].parent");
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.SetTaxonomy("alice", Tree), "manage.taxonomy");
            Make("x", "vpn");
            string smaller = Tree.Replace(",{\"id\":\"vpn\",\"name\":\"VPN\",\"parent\":\"network\"}", "");
            Helpers.RefusedUnchanged<ConflictException>(e, () => e.SetTaxonomy("admin", smaller), "categories");
            Assert.AreEqual(5, e.GetTaxonomy("alice").Categories.Count);
            Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.GetTaxonomy(null), "actor");
            Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.RoutingJson("a\0b"), "actor");
        }

        [Test]
        public void RoutingRulesRouteNewTickets()
        {
            StringAssert.Contains("\"rules\"", e.RoutingJson("admin"));
            // the rules name users and groups: an agent without manage.taxonomy may not read them
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.RoutingJson("alice"), "manage.taxonomy");
            e.SetRouting("admin", Rules);
            var rules = (System.Collections.Generic.Dictionary<string, object>)Json.Parse(e.RoutingJson("admin"));
            Assert.AreEqual(1, ((System.Collections.Generic.List<object>)rules["rules"]).Count);
            Ticket first = Make("Laptop will not boot", "laptop"), second = Make("Printer jams", "printer");
            Assert.AreEqual("agents", first.AssignmentGroup);
            CollectionAssert.AreEqual(new[] { "hw" }, first.Tags);
            CollectionAssert.AreEquivalent(new[] { "alice", "bob" }, new[] { first.Assignee, second.Assignee });
            Assert.IsTrue(e.History("alice", first.Id).Where(ev => ev.Type == "field_changed").All(ev => ev.Actor == "rule:hw"));
            Assert.IsNull(Make("VPN drops", "vpn").AssignmentGroup);
        }

        [Test]
        public void SetRoutingRefusals()
        {
            e.SetRouting("admin", Rules);
            var x = Helpers.RefusedUnchanged<InvalidConfigException>(e, () => e.SetRouting("admin",
                "{\"rules\":[{\"id\":\"n\",\"then\":{\"assignment_group\":\"netwrk\"}}]}"), "rules[0].then.assignment_group");
            StringAssert.Contains("unknown group \"netwrk\"", x.Message);
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.SetRouting("alice", Rules), "manage.taxonomy");
            StringAssert.Contains("\"hw\"", e.RoutingJson("admin"));
        }

        [Test]
        public void RenameMoveRetireMergeRemove()
        {
            Ticket jam = Make("Jam", "printer");
            e.AdvanceClock(TimeSpan.FromHours(1));
            e.RenameCategory("admin", "laptop", "Notebook");
            Category laptop = e.GetTaxonomy("alice").Find("laptop");
            Assert.AreEqual("Notebook", laptop.Name);
            Assert.AreEqual("Laptop", laptop.FormerNames[0].Name);
            Assert.AreEqual(Helpers.Start.AddHours(1), laptop.FormerNames[0].Until);
            e.MoveCategory("admin", "vpn", "hardware");
            Assert.AreEqual("hardware", e.GetTaxonomy("alice").Find("vpn").Parent);
            e.MoveCategory("admin", "vpn", null);
            Assert.IsNull(e.GetTaxonomy("alice").Find("vpn").Parent);
            e.RetireCategory("admin", "network");
            Category network = e.GetTaxonomy("alice").Find("network");
            Assert.IsTrue(network.Retired);
            Assert.AreEqual(Helpers.Start.AddHours(1), network.RetiredAt);
            Assert.AreEqual(1UL, e.MergeCategory("admin", "printer", "laptop"));
            Assert.AreEqual("laptop", e.GetTicket("alice", jam.Id).Category);
            Assert.AreEqual("laptop", e.GetTaxonomy("alice").Find("printer").MergedInto);
            e.RemoveCategory("admin", "vpn");
            Assert.IsNull(e.GetTaxonomy("alice").Find("vpn"));
        }

        [Test]
        public void CategoryChangeRefusals()
        {
            Make("Jam", "printer");
            Helpers.RefusedUnchanged<NotFoundException>(e, () => e.RenameCategory("admin", "ghost", "G"));
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.RenameCategory("alice", "laptop", "G"), "manage.taxonomy");
            Helpers.RefusedUnchanged<ValidationFailedException>(e, () => e.MoveCategory("admin", "hardware", "laptop"), "parent");
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.MoveCategory("bob", "vpn", null));
            Helpers.RefusedUnchanged<ConflictException>(e, () => e.RemoveCategory("admin", "printer"));
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.RemoveCategory("alice", "vpn"));
            Helpers.RefusedUnchanged<ValidationFailedException>(e, () => e.MergeCategory("admin", "hardware", "laptop"), "into");
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.MergeCategory("alice", "printer", "laptop"));
            e.RetireCategory("admin", "network");
            Helpers.RefusedUnchanged<ConflictException>(e, () => e.RetireCategory("admin", "network"));
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.RetireCategory("alice", "laptop"));
        }

        [Test]
        public void CountsPerCategoryAndTag()
        {
            Make("Battery", "laptop", ",\"tags\":[\"battery\",\"vip\"]");
            Make("Dock", "laptop", ",\"tags\":[\"vip\"]");
            e.CreateTicket("alice", Helpers.Body("service_request", "New printer", "\"category\":\"printer\""));
            e.CreateTicket("hana", Helpers.Body("incident", "Grievance", "\"segment\":\"hr\",\"tags\":[\"vip\"]"));
            var counts = e.CategoryCounts("auditor").ToDictionary(c => c.Id);
            Assert.AreEqual(3, counts["hardware"].Total);
            Assert.AreEqual(0, counts["hardware"].Direct);
            Assert.AreEqual(3, counts["hardware"].Open);
            Assert.AreEqual("Hardware > Laptop", counts["laptop"].Path);
            Assert.AreEqual(2, e.CategoryCounts("auditor", "{\"kinds\":[\"incident\"]}").First(c => c.Id == "hardware").Total);
            var tags = e.TagCounts("auditor");
            CollectionAssert.AreEqual(new[] { "vip:2", "battery:1" }, tags.Select(t => t.Tag + ":" + t.Count).ToArray());
            Assert.AreEqual(3, e.TagCounts(e.SystemActor, "{\"kinds\":[\"incident\"]}")[0].Count); // the system sees HR too
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.CategoryCounts("alice"), "metrics.read");
            Helpers.RefusedUnchanged<PermissionDeniedException>(e, () => e.TagCounts("mallory"), "metrics.read");
            Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.CategoryCounts("auditor", "{\"categories\":[\"laptop\"]}"));
            Helpers.RefusedUnchanged<InvalidArgumentException>(e, () => e.TagCounts("auditor", "{\"kinds\":"));
        }
    }
}
