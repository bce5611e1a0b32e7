// Schema: the configurable part of the ticket model. Kinds with their key prefixes, the
// impact x urgency priority matrix, custom field definitions and the default segment.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itsm/symbol.hpp"
#include "itsm/ticket.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

struct KindDef {
    Symbol id;           // "incident"
    std::string prefix;  // "INC": keys are the prefix and a zero-padded number
    std::string label;   // "Incident"
    Symbol initial_state = "new";
};

// Priority by impact (rows) and urgency (columns), both 1-based; 1 is the highest.
struct PriorityMatrix {
    int impact_levels = 3;
    int urgency_levels = 3;
    std::vector<int> table = {1, 2, 3, 2, 3, 4, 3, 4, 5};  // row-major, the ITIL 3x3 table
    int lowest = 5;  // the numerically largest priority a ticket may have

    int priority(int impact, int urgency) const {
        return table[static_cast<std::size_t>((impact - 1) * urgency_levels + (urgency - 1))];
    }
};

struct CustomFieldDef {
    Symbol name;
    FieldType type = FieldType::text;
    std::vector<std::string> choices;  // for FieldType::choice
    std::vector<Symbol> kinds;         // the kinds that may carry it; empty = every kind
    bool allowed_for(Symbol kind) const noexcept {
        if (kinds.empty()) return true;
        for (auto k : kinds)
            if (k == kind) return true;
        return false;
    }
};

class Schema {
  public:
    // incident, service_request, problem, change and task, the ITIL priority matrix, no
    // custom fields, default segment "global".
    static Schema itil();

    // Refused whole with Errc::invalid_config naming the JSON path on any error.
    static Schema from_json(std::string_view json_text);
    std::string to_json() const;

    // Builders; each validates its argument and throws Error(invalid_config) on error.
    Schema& add_kind(KindDef kind);
    Schema& add_custom_field(CustomFieldDef field);
    Schema& set_priority_matrix(PriorityMatrix matrix);
    Schema& set_default_segment(Symbol segment);

    const std::vector<KindDef>& kinds() const noexcept { return kinds_; }
    const KindDef* kind(Symbol id) const noexcept;
    const std::vector<CustomFieldDef>& custom_fields() const noexcept { return fields_; }
    const CustomFieldDef* custom_field(Symbol name) const noexcept;
    const PriorityMatrix& priority_matrix() const noexcept { return matrix_; }
    Symbol default_segment() const noexcept { return default_segment_; }

    // Checks a value against a custom field definition; throws Error(validation_failed)
    // naming "custom.<name>" when the kind may not carry it or the value has the wrong type.
    void check_custom(Symbol kind, std::string_view name, const Value& value) const;
    // Throws Error(validation_failed) naming the field when impact/urgency/priority is out
    // of range.
    void check_impact(int impact) const;
    void check_urgency(int urgency) const;
    void check_priority(int priority) const;

  private:
    std::vector<KindDef> kinds_;
    std::vector<CustomFieldDef> fields_;
    PriorityMatrix matrix_;
    Symbol default_segment_ = "global";
};

// Formats a ticket key: prefix and the number zero-padded to seven digits ("INC0000042").
std::string format_key(std::string_view prefix, std::uint64_t number);

ITSM_END_NAMESPACE
