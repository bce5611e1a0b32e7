// Internal: the two ways a create or patch body is read.
//
// The quick readers take the body apart in one pass, without building a document, and give
// up (nullopt) at the first thing they are not sure of: a syntax error, an unknown or
// repeated member, a value of the wrong type or out of range, a number with a fraction or
// more than 18 digits. The caller then reads the same text again with the
// document readers, which accept every valid body and word every error with its JSON path.
// So the quick readers decide nothing: what a body means, and what is wrong with it, is
// defined by the document readers alone.
#pragma once

#include <optional>
#include <string_view>

#include "itsm/schema.hpp"
#include "itsm/ticket.hpp"

ITSM_BEGIN_NAMESPACE
namespace detail {

std::optional<NewTicket> quick_new_ticket(std::string_view text, const Schema& schema);
std::optional<TicketPatch> quick_patch(std::string_view text, const Schema& schema);

// The document readers (json.cpp), which itsm::new_ticket_from_json and
// itsm::patch_from_json fall back on.
NewTicket new_ticket_from_document(std::string_view text, const Schema& schema);
TicketPatch patch_from_document(std::string_view text, const Schema& schema);

}  // namespace detail
ITSM_END_NAMESPACE
