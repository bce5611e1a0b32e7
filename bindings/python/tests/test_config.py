"""load_config and load_config_file: every section checked, then applied all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest

import itsm
from conftest import refused_unchanged

CALENDARS: Dict[str, Any] = {
    "calendars": {"office": {"time_zone": "UTC", "weekly": {"mon": [["09:00", "17:00"]]}}}
}
POLICIES: Dict[str, Any] = {
    "sla_policies": {
        "gold": {
            "calendar": "office",
            "applies_when": {"kinds": ["incident"]},
            "metrics": {"resolution": {"targets": {"2": "PT8H"}}},
        }
    }
}


def configuration(engine: itsm.Engine) -> Any:
    return (engine.calendars("alice"), engine.sla_policies("alice"), engine.taxonomy("alice"))


def test_sections_are_applied_and_checked_against_each_other(engine: itsm.Engine) -> None:
    engine.load_config(
        "alice",
        {
            "sla_policies": POLICIES,  # names a calendar of the same document
            "calendars": CALENDARS,
            "taxonomy": {"categories": [{"id": "network", "name": "Network"}]},
        },
    )
    assert "gold" in engine.sla_policies("alice")["sla_policies"]
    assert [c.id for c in engine.taxonomy("alice").categories] == ["network"]
    engine.load_config("alice", "{}")


def test_a_refusal_leaves_everything_as_it_was(engine: itsm.Engine) -> None:
    before = configuration(engine)
    refused_unchanged(
        engine,
        itsm.InvalidConfig,
        lambda: engine.load_config("alice", {"calendars": CALENDARS, "workflows": {"workflows": {"w": {}}}}),
        "config_json: workflows.workflows.w",
    )
    refused_unchanged(
        engine, itsm.InvalidConfig, lambda: engine.load_config("alice", {"sla": {}}), "config_json: sla: unknown section"
    )
    refused_unchanged(engine, itsm.InvalidConfig, lambda: engine.load_config("alice", "{"), "config_json: not valid JSON")
    refused_unchanged(
        engine,
        itsm.PermissionDenied,
        lambda: engine.load_config("mallory", {"calendars": CALENDARS}),
        "config_json: calendars",
    )
    assert configuration(engine) == before


def test_a_file_is_named_in_errors(engine: itsm.Engine, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"calendars": CALENDARS, "scorecard": {"nonsense": 1}}))
    refused_unchanged(
        engine, itsm.InvalidConfig, lambda: engine.load_config_file("alice", bad), f"{bad}: scorecard.nonsense"
    )
    assert "office" not in engine.calendars("alice")["calendars"]
    refused_unchanged(
        engine, itsm.NotFound, lambda: engine.load_config_file("alice", tmp_path / "missing.json"), str(tmp_path)
    )
    good = tmp_path / "desk.json"
    good.write_text(json.dumps({"calendars": CALENDARS, "sla_policies": POLICIES}))
    engine.load_config_file("alice", str(good))
    assert "gold" in engine.sla_policies("alice")["sla_policies"]
    with pytest.raises(itsm.InvalidArgument):
        engine.load_config_file("alice", 42)  # type: ignore[arg-type]
