"""Taxonomy and routing through the binding: the tree and its changes, the routing rules,
and the counts per category and per tag."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Dict

import pytest

import itsm
from conftest import START, refused_unchanged

TREE: Dict[str, Any] = {
    "categories": [
        {"id": "hardware", "name": "Hardware", "kinds": ["incident", "service_request"]},
        {"id": "laptop", "name": "Laptop", "parent": "hardware"},
        {"id": "printer", "name": "Printer", "parent": "hardware"},
        {"id": "network", "name": "Network"},
        {"id": "vpn", "name": "VPN", "parent": "network"},
    ]
}

RULES: Dict[str, Any] = {
    "rules": [
        {
            "id": "hw",
            "when": {"categories": ["hardware"]},
            "then": {"assignment_group": "agents", "assign": "round_robin", "add_tags": ["hw"]},
        }
    ]
}


@pytest.fixture
def tree(desk: itsm.Engine) -> itsm.Engine:
    desk.set_taxonomy("admin", TREE)
    return desk


def test_the_taxonomy_is_set_and_read_typed(tree: itsm.Engine) -> None:
    tax = tree.taxonomy("alice")
    assert isinstance(tax, itsm.Taxonomy) and not tax.leaf_only
    assert [c.id for c in tax.categories] == ["hardware", "laptop", "printer", "network", "vpn"]
    hw = tax.category("hardware")
    assert isinstance(hw, itsm.Category)
    assert (hw.name, hw.parent, hw.kinds, hw.retired) == ("Hardware", None, ("incident", "service_request"), False)
    assert tax.category("vpn").parent == "network"
    with pytest.raises(KeyError):
        tax.category("ghost")
    # Tickets must now choose a known, allowed category.
    refused_unchanged(tree, itsm.ValidationFailed, lambda: tree.create("alice", "incident", "x", category="printr"), "category")
    refused_unchanged(tree, itsm.ValidationFailed, lambda: tree.create("alice", "change", "x", category="laptop"), "category")


def test_set_taxonomy_refusals(tree: itsm.Engine) -> None:
    bad = {"categories": [{"id": "a", "name": "A", "parent": "zz"}]}
    refused_unchanged(tree, itsm.InvalidConfig, lambda: tree.set_taxonomy("admin", bad), "categories[0].parent")
    refused_unchanged(tree, itsm.PermissionDenied, lambda: tree.set_taxonomy("alice", TREE), "manage.taxonomy")
    tree.create("alice", "incident", "x", category="vpn")
    smaller = {"categories": [c for c in TREE["categories"] if c["id"] != "vpn"]}
    refused_unchanged(tree, itsm.Conflict, lambda: tree.set_taxonomy("admin", smaller), "categories")
    assert len(tree.taxonomy("alice").categories) == 5


def test_taxonomy_and_routing_reads_refuse_bad_arguments(tree: itsm.Engine) -> None:
    refused_unchanged(tree, itsm.InvalidArgument, lambda: tree.taxonomy(None), "actor")  # type: ignore[arg-type]
    refused_unchanged(tree, itsm.InvalidArgument, lambda: tree.routing("a\0b"), "actor")
    tree.close()
    with pytest.raises(itsm.InvalidArgument, match="^engine: is closed"):
        tree.taxonomy("alice")


def test_routing_rules_route_new_tickets(tree: itsm.Engine) -> None:
    assert tree.routing("admin") == {"rules": []}
    # the rules name users and groups: an agent without manage.taxonomy may not read them
    refused_unchanged(tree, itsm.PermissionDenied, lambda: tree.routing("alice"), "manage.taxonomy")
    tree.set_routing("admin", RULES)
    rules = tree.routing("admin")
    assert [r["id"] for r in rules["rules"]] == ["hw"]
    assert rules["rules"][0]["then"]["assignment_group"] == "agents"
    first = tree.create("frank", "incident", "Laptop will not boot", category="laptop")
    second = tree.create("frank", "incident", "Printer jams", category="printer")
    assert (first.assignment_group, first.tags) == ("agents", ("hw",))
    assert {first.assignee, second.assignee} == {"alice", "bob"}  # round robin
    actors = {e.actor for e in tree.history("alice", first.id) if e.type == "field_changed"}
    assert actors == {"rule:hw"}
    # Outside the rule's categories nothing is routed.
    assert tree.create("frank", "incident", "VPN drops", category="vpn").assignment_group is None


def test_set_routing_refusals(tree: itsm.Engine) -> None:
    tree.set_routing("admin", RULES)
    bad = {"rules": [{"id": "n", "when": {"categories": ["network"]}, "then": {"assignment_group": "netwrk"}}]}
    e = refused_unchanged(tree, itsm.InvalidConfig, lambda: tree.set_routing("admin", bad), "rules[0].then.assignment_group")
    assert 'unknown group "netwrk"' in e.message
    refused_unchanged(tree, itsm.InvalidConfig, lambda: tree.set_routing("admin", {"rules": [{"id": "x"}]}), "rules[0]")
    refused_unchanged(tree, itsm.PermissionDenied, lambda: tree.set_routing("alice", RULES), "manage.taxonomy")
    assert tree.routing("admin")["rules"][0]["id"] == "hw"


def test_rename_move_retire_merge_remove(tree: itsm.Engine) -> None:
    laptop_ticket = tree.create("alice", "incident", "Battery", category="laptop")
    printer_ticket = tree.create("alice", "incident", "Jam", category="printer")
    tree.advance_clock(timedelta(hours=1))
    tree.rename_category("admin", "laptop", "Notebook")
    laptop = tree.taxonomy("alice").category("laptop")
    assert laptop.name == "Notebook"
    assert laptop.former_names == (itsm.FormerName(name="Laptop", until=START + timedelta(hours=1)),)
    tree.move_category("admin", "vpn", "hardware")
    assert tree.taxonomy("alice").category("vpn").parent == "hardware"
    tree.move_category("admin", "vpn", None)
    assert tree.taxonomy("alice").category("vpn").parent is None
    tree.retire_category("admin", "network")
    network = tree.taxonomy("alice").category("network")
    assert network.retired and network.retired_at == START + timedelta(hours=1)
    assert tree.merge_category("admin", "printer", "laptop") == 1
    assert tree.get("alice", printer_ticket.id).category == "laptop"
    assert tree.taxonomy("alice").category("printer").merged_into == "laptop"
    assert tree.get("alice", laptop_ticket.id).category == "laptop"
    tree.remove_category("admin", "vpn")
    assert "vpn" not in [c.id for c in tree.taxonomy("alice").categories]


def test_category_change_refusals(tree: itsm.Engine) -> None:
    tree.create("alice", "incident", "Jam", category="printer")
    r = lambda *a: refused_unchanged(tree, *a)  # noqa: E731
    r(itsm.NotFound, lambda: tree.rename_category("admin", "ghost", "G"))
    r(itsm.PermissionDenied, lambda: tree.rename_category("alice", "laptop", "G"), "manage.taxonomy")
    r(itsm.ValidationFailed, lambda: tree.move_category("admin", "hardware", "laptop"), "parent")
    r(itsm.PermissionDenied, lambda: tree.move_category("bob", "vpn", None))
    r(itsm.Conflict, lambda: tree.remove_category("admin", "printer"))
    r(itsm.Conflict, lambda: tree.remove_category("admin", "hardware"))
    r(itsm.PermissionDenied, lambda: tree.remove_category("alice", "vpn"))
    r(itsm.ValidationFailed, lambda: tree.merge_category("admin", "hardware", "laptop"), "into")
    r(itsm.PermissionDenied, lambda: tree.merge_category("alice", "printer", "laptop"))
    r(itsm.InvalidArgument, lambda: tree.merge_category("admin", "printer", None), "into")  # type: ignore[arg-type]
    tree.retire_category("admin", "network")
    r(itsm.Conflict, lambda: tree.retire_category("admin", "network"))
    r(itsm.PermissionDenied, lambda: tree.retire_category("alice", "laptop"))
    assert tree.taxonomy("alice").category("printer").merged_into is None


def test_counts_per_category_and_tag(tree: itsm.Engine) -> None:
    tree.create("alice", "incident", "Battery", category="laptop", tags=["battery", "vip"])
    tree.create("alice", "incident", "Dock", category="laptop", tags=["vip"])
    tree.create("alice", "service_request", "New printer", category="printer")
    hidden = tree.create("hana", "incident", "Grievance", segment="hr", tags=["vip"])
    counts = {c.id: c for c in tree.category_counts("auditor")}
    assert isinstance(counts["hardware"], itsm.CategoryCount)
    assert (counts["hardware"].total, counts["hardware"].direct, counts["hardware"].open) == (3, 0, 3)
    assert (counts["laptop"].path, counts["laptop"].total) == ("Hardware > Laptop", 2)
    only_incidents = {c.id: c.total for c in tree.category_counts("auditor", kinds=["incident"])}
    assert only_incidents["hardware"] == 2
    tags = tree.tag_counts("auditor")
    # The HR ticket is invisible to the auditor, so not counted.
    assert tags == [itsm.TagCount(tag="vip", count=2), itsm.TagCount(tag="battery", count=1)]
    assert tree.tag_counts(tree.system, kinds=["incident"])[0] == itsm.TagCount(tag="vip", count=3)
    assert hidden.segment == "hr"


def test_count_refusals(tree: itsm.Engine) -> None:
    tree.create("alice", "incident", "Battery", category="laptop")
    refused_unchanged(tree, itsm.PermissionDenied, lambda: tree.category_counts("alice"), "metrics.read")
    refused_unchanged(tree, itsm.PermissionDenied, lambda: tree.tag_counts("mallory"), "metrics.read")
    refused_unchanged(tree, itsm.InvalidArgument, lambda: tree.category_counts("auditor", categories=["laptop"]))
    refused_unchanged(tree, itsm.InvalidArgument, lambda: tree.tag_counts("auditor", colour="red"))
