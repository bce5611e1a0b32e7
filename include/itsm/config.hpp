// Loading a whole configuration at once: one JSON document (or file) whose members are the
// documents of the engine's configuration setters, applied all or nothing
// (docs/configuration.md).
#pragma once

#include <string>
#include <string_view>

#include "itsm/engine.hpp"

ITSM_BEGIN_NAMESPACE

// The sections a configuration document may have, in the order they are applied:
// directory, calendars, access, taxonomy, routing, sla_policies, scorecard, workflows. Each
// holds, unchanged, the document its setter reads (e.g. "workflows" holds {"workflows":
// {...}}); every section is optional.
//
// Every present section is read and checked first (against the sections before it in the
// same document: access grants against its directory, SLA policies against its calendars),
// then all are applied in one batch, each setter checking the actor's permission as usual.
// When anything is refused, nothing stays applied: the sections already set are put back and
// the error names `source` and the JSON path in the document, e.g.
// `desk.json: workflows.workflows.change.transitions[3].to: unknown state "implemnt"`.
// Errc::invalid_config for a document that is not JSON or has an unknown section.
void load_config(Engine& engine, const Actor& actor, std::string_view json_text,
                 std::string_view source = "config");

// load_config over the text of the file at `path`, which names it in errors. Errc::not_found
// when the file cannot be read.
void load_config_file(Engine& engine, const Actor& actor, const std::string& path);

ITSM_END_NAMESPACE
