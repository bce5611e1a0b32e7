// The stored form of a ticket: the document to_json(Ticket) writes plus what that document
// leaves implicit (which custom text values are instants), so that a durable store reads
// back exactly the ticket it wrote. Every store that keeps tickets as text uses this one
// serialization, so a field added to the ticket and to its JSON round-trips everywhere.
#pragma once

#include <string>
#include <string_view>

#include "itsm/event.hpp"
#include "itsm/ticket.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

std::string ticket_record(const Ticket& t);
// Throws Error(storage) naming the member when the text is not a ticket record.
Ticket ticket_from_record(std::string_view text);

// The stored form of an event: the document to_json(Event) writes, plus the values it leaves
// out (an event without a field) and which values are instants (JSON shows them as text).
// The seq member is written as the event has it; a reader of a record written before its
// seq was assigned sees 0.
std::string event_record(const Event& e);
// Throws Error(storage) naming the member when the text is not an event record.
Event event_from_record(std::string_view text);

ITSM_END_NAMESPACE
