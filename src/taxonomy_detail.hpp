// Internal: checks shared by the taxonomy builder and its JSON reader.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "itsm/taxonomy.hpp"

ITSM_BEGIN_NAMESPACE
namespace detail {

bool is_category_id(std::string_view s);
void check_category_name(const std::string& where, std::string_view name);
// The kinds (kinds = true) or segments in force below `parent`; nullptr when all are.
const std::vector<Symbol>* inherited(const Taxonomy& t, Symbol parent, bool kinds);
// Checks one new category against the tree built so far; errors name `where` + member.
void check_entry(const Taxonomy& so_far, const CategoryDef& c, const std::string& where);

}  // namespace detail
ITSM_END_NAMESPACE
