#include "workload.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace bench {

namespace {

std::string numbered(std::string_view prefix, std::size_t n, int width) {
    std::string digits = std::to_string(n);
    std::string out(prefix);
    if (static_cast<int>(digits.size()) < width)
        out.append(static_cast<std::size_t>(width) - digits.size(), '0');
    out += digits;
    return out;
}

// '#' in a title is replaced by a small number (floor, room, ...). About 70% of the titles
// are longer than 15 bytes, so they live on the heap rather than inside std::string.
constexpr std::array<std::string_view, 40> title_templates = {
    "Printer on floor # jams",
    "VPN drops",
    "Password reset",
    "Laptop will not boot",
    "New starter: laptop and accounts",
    "Outlook crashes when opening attachments",
    "Wi-Fi slow in room #",
    "Access to shared drive",
    "Monitor flickers",
    "Phone has no dial tone",
    "Request a second monitor",
    "ERP login fails with error #",
    "Badge does not open door #",
    "Install Visio",
    "Mailbox full",
    "Teams camera not detected",
    "Payroll report missing for March",
    "Server rack # temperature alarm",
    "Change: patch database cluster",
    "Change: rotate TLS certificates",
    "Recurring outage of the web shop",
    "Disk space low on file server #",
    "Forgotten PIN",
    "Broken chair",
    "Heating off on floor #",
    "Leaver: revoke access",
    "Software licence renewal",
    "CRM sync job failed",
    "Keyboard keys stuck",
    "Projector in meeting room # dead",
    "Backup job failed overnight",
    "Unlock account",
    "Expense tool shows error #",
    "Invoice approval workflow stuck",
    "MFA token lost",
    "Slow PC",
    "Problem: intermittent DNS failures",
    "Docking station not charging",
    "Order toner",
    "Printer #",
};

constexpr std::array<std::string_view, 12> sentences = {
    "The user reports the issue started this morning after the weekly restart. ",
    "It happens on every attempt, and a reboot did not help. ",
    "Screenshot attached; the error code is shown in the lower corner. ",
    "Several colleagues in the same team see the same behaviour. ",
    "Please call back on the desk phone, the mobile has no signal in the basement. ",
    "This blocks the month-end close, so the finance lead asked for priority. ",
    "Asset tag is written on the sticker under the device. ",
    "Tried the steps from the knowledge article without success. ",
    "Works from home over VPN but not from the office network. ",
    "Needed before Monday for the new joiner. ",
    "No change was made on our side as far as we know. ",
    "Logs from the last three days are in the shared folder. ",
};

}  // namespace

const Catalog& Catalog::get() {
    static const Catalog c = [] {
        Catalog c;
        for (auto s : {"it", "hr", "finance", "facilities", "legal"})
            c.segments.emplace_back(s);
        for (std::size_t i = 0; i < 200; ++i)
            c.users.emplace_back(numbered("agent", i, 3));
        for (auto g : {"service-desk", "desktop",    "network",   "servers",  "database",
                       "identity",     "email",      "telephony", "erp",      "crm",
                       "payroll",      "recruiting", "buildings", "security", "procurement",
                       "web",          "storage",    "backup",    "printing", "legal-ops"})
            c.groups.emplace_back(g);
        const std::array<std::string_view, 10> areas = {
            "hardware",  "software", "network", "access",  "email",
            "telephony", "building", "hr",      "finance", "security"};
        const std::array<std::string_view, 5> kinds = {"fault", "request", "question", "install",
                                                       "other"};
        for (auto a : areas)
            for (auto k : kinds)
                c.categories.emplace_back(std::string(a) + "." + std::string(k));
        for (std::size_t i = 0; i < 5000; ++i)
            c.requesters.emplace_back(numbered("user", i, 5));
        for (auto t : {"vip",       "outage",   "onboarding", "offboarding", "printer", "vpn",
                       "laptop",    "password", "licence",    "mfa",         "email",   "wifi",
                       "erp",       "crm",      "payroll",    "badge",       "backup",  "storage",
                       "monitor",   "phone",    "remote",     "security",    "audit",   "major",
                       "recurring", "vendor",   "hardware",   "software",    "access",  "training"})
            c.tags.emplace_back(t);
        c.actor = itsm::Symbol("agent000");
        // Tags are interned by the engine on first use; intern them now so that no
        // measurement counts the intern table.
        for (const auto& t : c.tags)
            (void)itsm::Symbol(itsm::normalize_tag(t));
        for (auto k : {"incident", "service_request", "problem", "change", "new", "global"})
            (void)itsm::Symbol(k);
        return c;
    }();
    return c;
}

std::uint64_t mix(std::uint64_t n) noexcept {
    std::uint64_t z = n + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

itsm::NewTicket make_input(std::uint64_t n) {
    const Catalog& c = Catalog::get();
    // Independent draws from independent words of one stream.
    std::uint64_t r0 = mix(n * 4 + 0), r1 = mix(n * 4 + 1), r2 = mix(n * 4 + 2),
                  r3 = mix(n * 4 + 3);
    auto pick = [](std::uint64_t& r, std::uint64_t count) {
        std::uint64_t v = r % count;
        r /= count;
        return static_cast<std::size_t>(v);
    };

    itsm::NewTicket t;
    std::size_t k = pick(r0, 100);  // 50% incident, 30% request, 15% change, 5% problem
    t.kind = k < 50 ? "incident" : k < 80 ? "service_request" : k < 95 ? "change" : "problem";
    t.segment = c.segments[pick(r0, c.segments.size())];
    t.assignment_group = c.groups[pick(r0, c.groups.size())];
    std::size_t a = pick(r0, 10 * c.users.size() / 9);  // about 10% unassigned
    if (a < c.users.size()) t.assignee = c.users[a];
    t.category = c.categories[pick(r1, c.categories.size())];
    t.requester = c.requesters[pick(r1, c.requesters.size())];
    constexpr std::array<int, 6> level = {3, 3, 3, 2, 2, 1};  // mostly low impact and urgency
    t.impact = level[pick(r1, level.size())];
    t.urgency = level[pick(r1, level.size())];
    t.channel = static_cast<itsm::Channel>(pick(r1, 7));

    std::string_view tmpl = title_templates[pick(r2, title_templates.size())];
    std::size_t hole = tmpl.find('#');
    if (hole == std::string_view::npos) {
        t.title = std::string(tmpl);
    } else {
        t.title = std::string(tmpl.substr(0, hole)) + std::to_string(1 + pick(r2, 12)) +
                  std::string(tmpl.substr(hole + 1));
    }
    std::size_t lines = pick(r2, 7);  // 0..6 sentences: 1 in 7 tickets has no description
    for (std::size_t i = 0; i < lines; ++i)
        t.description += sentences[pick(r2, sentences.size())];

    std::size_t tag_roll = pick(r3, 20);  // 40% none, 35% one, 20% two, 5% three
    std::size_t tags = tag_roll < 8 ? 0 : tag_roll < 15 ? 1 : tag_roll < 19 ? 2 : 3;
    for (std::size_t i = 0; i < tags; ++i)
        t.tags.push_back(c.tags[pick(r3, c.tags.size())]);
    return t;
}

const std::vector<itsm::NewTicket>& input_pool() {
    static const std::vector<itsm::NewTicket> pool = [] {
        std::vector<itsm::NewTicket> p;
        p.reserve(pool_size);
        for (std::size_t i = 0; i < pool_size; ++i)
            p.push_back(make_input(i));
        return p;
    }();
    return pool;
}

itsm::Ticket to_ticket(const itsm::Schema& schema, const itsm::NewTicket& in, itsm::Symbol actor) {
    itsm::Ticket t;
    t.kind = in.kind;
    t.state = schema.kind(in.kind)->initial_state;
    t.title = in.title;
    t.description = in.description;
    t.impact = static_cast<std::uint8_t>(in.impact);
    t.urgency = static_cast<std::uint8_t>(in.urgency);
    t.priority_overridden = in.priority.has_value();
    t.priority = static_cast<std::uint8_t>(
        in.priority ? *in.priority : schema.priority_matrix().priority(in.impact, in.urgency));
    t.channel = in.channel;
    t.category = in.category;
    t.requester = in.requester.empty() ? actor : in.requester;
    t.assignee = in.assignee;
    t.assignment_group = in.assignment_group;
    t.segment = in.segment.empty() ? schema.default_segment() : in.segment;
    for (const auto& raw : in.tags) {
        itsm::Symbol tag(itsm::normalize_tag(raw));
        if (!t.has_tag(tag)) t.tags.push_back(tag);
    }
    std::sort(t.tags.begin(), t.tags.end());
    return t;
}

std::string join_tags(std::span<const itsm::Symbol> tags) {
    std::string out;
    for (auto t : tags) {
        if (!out.empty()) out += ',';
        out += t.view();
    }
    return out;
}

}  // namespace bench
