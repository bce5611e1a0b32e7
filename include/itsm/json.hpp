// JSON text for the model types: the form records take across the C ABI and in files.
// Instants are ISO-8601 UTC strings; symbols are strings; absent optionals are omitted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "itsm/engine.hpp"
#include "itsm/event.hpp"
#include "itsm/schema.hpp"
#include "itsm/store.hpp"
#include "itsm/ticket.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

std::string to_json(const Ticket& t);
std::string to_json(const Event& e);
std::string to_json(const Comment& c);
std::string to_json(const std::vector<Event>& events);
std::string to_json(const std::vector<Comment>& comments);
std::string to_json(const Page& page, std::size_t total);

// Parsers refuse unknown members and wrong types with Errc::invalid_argument naming the
// JSON path ("impact: expected an integer"). Custom field values are typed by the schema.
NewTicket new_ticket_from_json(std::string_view text, const Schema& schema);
TicketPatch patch_from_json(std::string_view text, const Schema& schema);
Query query_from_json(std::string_view text);

ITSM_END_NAMESPACE
