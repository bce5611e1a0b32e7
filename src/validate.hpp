// Internal: the input rules of the ticket model. Each check throws Error(validation_failed)
// naming the field and quoting the offending value; none has side effects.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "itsm/schema.hpp"
#include "itsm/ticket.hpp"

ITSM_BEGIN_NAMESPACE

constexpr std::size_t max_title_bytes = 1024;
constexpr std::size_t max_text_bytes = 1 << 20;  // description, comment
constexpr std::size_t max_symbol_bytes = 256;    // ids of users, groups, categories, tags

bool is_valid_utf8(std::string_view s) noexcept;
void check_actor(Symbol user);
std::string checked_title(std::string_view title);
std::string checked_description(std::string_view text);
std::string checked_comment(std::string_view text);
void check_symbol(std::string_view field, Symbol value, bool required);
Symbol checked_tag(std::string_view raw, std::string_view field);
// A set of tags or users as the audit trail shows it: sorted by text, comma-separated.
std::string symbols_text(std::span<const Symbol> symbols);
// Text values must be UTF-8 of at most 1 MiB, instants within years 0001..9999.
void check_custom_value(std::string_view name, const Value& value);
// Sets, replaces or (for monostate) removes a custom field, keeping the vector sorted.
void set_custom(Ticket& t, Symbol name, const Value& value);
// A complete new ticket (id, key, instants and version still unset) or an exception.
Ticket validated_ticket(const Schema& schema, const NewTicket& in, Symbol actor);

ITSM_END_NAMESPACE
