// The report of a run: JSON, a self-contained HTML page with SVG charts drawn here, and a
// text scorecard for the terminal.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "itsm/calendar.hpp"
#include "itsm/sim/simulator.hpp"

ITSM_BEGIN_NAMESPACE
namespace sim {

using nlohmann::ordered_json;

namespace {

// Rounded so that the JSON reads well and does not carry the last bits of libm's results.
double round4(double x) {
    return std::round(x * 1e4) / 1e4;
}

// The local date of an instant in the report's time zone.
std::string day_of(const Report& r, Instant t) {
    auto local = TimeZone::locate(r.time_zone.empty() ? "UTC" : r.time_zone).to_local(t);
    return format_date(Date{std::chrono::floor<std::chrono::days>(local)});
}

ordered_json json_of(const Totals& t) {
    ordered_json created;
    for (std::size_t k = 0; k < report_kinds.size(); ++k)
        created[report_kinds[k]] = t.created[k];
    return {{"created", created},
            {"resolved", t.resolved},
            {"open_at_end", t.open_at_end},
            {"escalated", t.escalated},
            {"held", t.held},
            {"reopened", t.reopened},
            {"approvals", t.approvals},
            {"problems_resolved", t.problems_resolved},
            {"changes",
             {{"successful", t.changes_successful},
              {"successful_with_issues", t.changes_with_issues},
              {"unsuccessful", t.changes_unsuccessful}}},
            {"events", t.events}};
}

std::string html_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else if (c == '&')
            out += "&amp;";
        else if (c == '"')
            out += "&quot;";
        else
            out += c;
    }
    return out;
}

const char* const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f"};

// A chart's frame: the plot area, a y axis from 0 to `max` with four grid lines.
struct Frame {
    double width = 720, height = 260, left = 48, right = 16, top = 26, bottom = 40;
    double max = 1;
    double plot_w() const { return width - left - right; }
    double plot_h() const { return height - top - bottom; }
    double y(double v) const { return top + plot_h() * (1 - v / max); }
};

double nice_max(double v) {
    if (v <= 0) return 1;
    double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (m * p >= v) return m * p;
    return 10 * p;
}

std::string open_svg(const Frame& f, std::string_view title, std::string_view unit) {
    std::string s = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" role=\"img\" "
        "aria-label=\"{}\">\n",
        f.width, f.height, html_escape(title));
    for (int i = 0; i <= 4; ++i) {
        double v = f.max * i / 4, y = f.y(v);
        s += fmt::format(
            "<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>"
            "<text x=\"{}\" y=\"{:.1f}\" font-size=\"11\" text-anchor=\"end\">{}</text>\n",
            f.left, f.width - f.right, y, y, f.left - 4, y + 4, round4(v));
    }
    s += fmt::format("<text x=\"4\" y=\"12\" font-size=\"11\">{}</text>\n", html_escape(unit));
    return s;
}

std::string legend(const Frame& f, const std::vector<std::string>& names) {
    std::string s;
    double x = f.left;
    for (std::size_t i = 0; i < names.size(); ++i) {
        s += fmt::format(
            "<rect x=\"{:.1f}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/>"
            "<text x=\"{:.1f}\" y=\"{}\" font-size=\"11\">{}</text>\n",
            x, f.height - 14, palette[i % 5], x + 14, f.height - 5, html_escape(names[i]));
        x += 20 + 7.0 * static_cast<double>(names[i].size());
    }
    return s;
}

// Weekly tickets created, stacked by kind, with the resolved count as a line.
std::string volume_chart(const Report& r) {
    Frame f;
    double top = 1;
    for (const auto& w : r.weeks) {
        double sum = 0;
        for (auto c : w.created)
            sum += c;
        top = std::max({top, sum, static_cast<double>(w.resolved)});
    }
    f.max = nice_max(top);
    std::string s = open_svg(f, "Weekly volume", "tickets per week");
    double slot = f.plot_w() / static_cast<double>(std::max<std::size_t>(1, r.weeks.size()));
    std::string line;
    for (std::size_t i = 0; i < r.weeks.size(); ++i) {
        double x = f.left + slot * static_cast<double>(i), base = 0;
        for (std::size_t k = 0; k < report_kinds.size(); ++k) {
            double v = r.weeks[i].created[k];
            if (v == 0) continue;
            s += fmt::format(
                "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                "fill=\"{}\"><title>week of {}: {} {}</title></rect>\n",
                x + slot * 0.15, f.y(base + v), slot * 0.7, f.y(base) - f.y(base + v), palette[k],
                day_of(r, r.weeks[i].start), v, report_kinds[k]);
            base += v;
        }
        line +=
            fmt::format("{}{:.1f},{:.1f}", i ? " " : "", x + slot / 2, f.y(r.weeks[i].resolved));
    }
    s += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"#333\" stroke-width=\"2\"/>\n",
                     line);
    std::vector<std::string> names(report_kinds.begin(), report_kinds.end());
    names.push_back("resolved (line)");
    return s + legend(f, names) + "</svg>\n";
}

// Open incidents and requests at the end of each week.
std::string backlog_chart(const Report& r) {
    Frame f;
    double top = 1;
    for (const auto& w : r.weeks)
        top = std::max(top, static_cast<double>(w.backlog));
    f.max = nice_max(top);
    std::string s = open_svg(f, "Backlog", "open incidents and requests at week end");
    double step = f.plot_w() / static_cast<double>(std::max<std::size_t>(1, r.weeks.size()));
    std::string line;
    for (std::size_t i = 0; i < r.weeks.size(); ++i) {
        double x = f.left + step * (static_cast<double>(i) + 0.5);
        line += fmt::format("{}{:.1f},{:.1f}", i ? " " : "", x, f.y(r.weeks[i].backlog));
        s += fmt::format(
            "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"><title>{}: {}</title>"
            "</circle>\n",
            x, f.y(r.weeks[i].backlog), palette[0], day_of(r, r.weeks[i].start),
            r.weeks[i].backlog);
    }
    return s +
           fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                       line, palette[0]) +
           "</svg>\n";
}

// Vertical bars with labels under them and an optional target line.
std::string bar_chart(const std::vector<std::pair<std::string, double>>& bars, double max,
                      std::string_view title, std::string_view unit, double target = -1) {
    Frame f;
    f.max = max;
    std::string s = open_svg(f, title, unit);
    double slot = f.plot_w() / static_cast<double>(std::max<std::size_t>(1, bars.size()));
    for (std::size_t i = 0; i < bars.size(); ++i) {
        double x = f.left + slot * static_cast<double>(i);
        double v = std::min(bars[i].second, max);
        s += fmt::format(
            "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
            "<title>{}: {}</title></rect>\n"
            "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n",
            x + slot * 0.2, f.y(v), slot * 0.6, f.y(0) - f.y(v), palette[i % 5],
            html_escape(bars[i].first), round4(bars[i].second), x + slot / 2, f.y(0) + 14,
            html_escape(bars[i].first));
    }
    if (target >= 0)
        s += fmt::format(
            "<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#c00\" "
            "stroke-dasharray=\"4 3\"/>\n",
            f.left, f.width - f.right, f.y(target), f.y(target));
    return s + "</svg>\n";
}

std::string sla_chart(const Report& r) {
    std::vector<std::pair<std::string, double>> bars;
    for (const auto& s : r.sla)
        bars.emplace_back(fmt::format("P{}", s.priority),
                          100.0 * s.met / static_cast<double>(s.met + s.breached));
    return bar_chart(bars, 100, "SLA compliance per priority",
                     "% of resolution clocks met (dashed: 90% target)", 90);
}

std::string mttr_chart(const Report& r) {
    std::vector<std::pair<std::string, double>> bars;
    double top = 1;
    for (const auto& c : r.mttr) {
        bars.emplace_back(c.category.str(), c.mean_hours);
        top = std::max(top, c.mean_hours);
    }
    return bar_chart(bars, nice_max(top), "MTTR per category",
                     "mean hours from creation to resolution (incidents, wall time)");
}

std::string percent(std::optional<double> v) {
    return v ? fmt::format("{:.1f}%", *v * 100) : "n/a";
}

// The metric's name, saying when its hours are business hours.
std::string label(const ScoreLine& l) {
    return l.unit == "business_hours" ? l.metric + " (business)" : l.metric;
}

// "hours" or "business_hours".
bool is_hours(const ScoreLine& l) {
    return l.unit.find("hours") != std::string::npos;
}

std::string score_value(const ScoreLine& l) {
    if (!l.value) return "n/a";
    return is_hours(l) ? fmt::format("{:.1f} h", *l.value) : percent(l.value);
}

std::string score_target(const ScoreLine& l) {
    auto one = [&](double v) {
        return is_hours(l) ? fmt::format("{:g} h", v) : fmt::format("{:g}%", v * 100);
    };
    if (l.min && l.max) return one(*l.min) + " - " + one(*l.max);
    if (l.min) return "> " + one(*l.min);
    if (l.max) return "< " + one(*l.max);
    return "";
}

std::string score_status(const ScoreLine& l) {
    if (!l.met) return "n/a";
    return *l.met ? "ok" : "MISS";
}

}  // namespace

std::string to_json(const Report& r) {
    ordered_json weeks = ordered_json::array();
    for (const auto& w : r.weeks) {
        ordered_json created;
        for (std::size_t k = 0; k < report_kinds.size(); ++k)
            created[report_kinds[k]] = w.created[k];
        weeks.push_back({{"start", format_instant(w.start)},
                         {"created", created},
                         {"resolved", w.resolved},
                         {"backlog", w.backlog}});
    }
    ordered_json sla = ordered_json::array();
    for (const auto& s : r.sla)
        sla.push_back({{"priority", s.priority},
                       {"met", s.met},
                       {"breached", s.breached},
                       {"compliance", round4(s.met / static_cast<double>(s.met + s.breached))}});
    ordered_json mttr = ordered_json::array();
    for (const auto& c : r.mttr)
        mttr.push_back({{"category", c.category.str()},
                        {"resolved", c.resolved},
                        {"mean_hours", round4(c.mean_hours)},
                        {"median_hours", round4(c.median_hours)}});
    ordered_json doc = {{"scenario", r.scenario},
                        {"time_zone", r.time_zone},
                        {"seed", r.seed},
                        {"start", format_instant(r.start)},
                        {"end", format_instant(r.end)},
                        {"agents", r.agents},
                        {"users", r.users},
                        {"totals", json_of(r.totals)},
                        {"weeks", weeks},
                        {"sla", {{"metric", "resolution"}, {"by_priority", sla}}},
                        {"mttr_by_category", mttr},
                        {"metrics", ordered_json::parse(itsm::to_json(r.metrics))}};
    return doc.dump(2) + "\n";
}

std::string to_text(const Report& r) {
    const auto& t = r.totals;
    std::string s =
        fmt::format("{}\n{} to {} ({} week{}), seed {}, {} agents, {} users\n\n", r.scenario,
                    day_of(r, r.start), day_of(r, r.end - std::chrono::hours(24)), r.weeks.size(),
                    r.weeks.size() == 1 ? "" : "s", r.seed, r.agents, r.users);
    s +=
        fmt::format("Tickets created: {} incidents, {} service requests, {} problems, {} changes\n",
                    t.created[0], t.created[1], t.created[2], t.created[3]);
    s += fmt::format(
        "Resolved {}, open at the end {}; escalated {}, held for the caller {}, reopened {}\n",
        t.resolved, t.open_at_end, t.escalated, t.held, t.reopened);
    s += fmt::format("Changes: {} successful, {} with issues, {} rolled back; {} approvals\n\n",
                     t.changes_successful, t.changes_with_issues, t.changes_unsuccessful,
                     t.approvals);
    s += fmt::format("{:<28} {:>10} {:>14}  {}\n", "Scorecard", "value", "target", "status");
    for (const auto& l : r.metrics.scorecard)
        s += fmt::format("{:<28} {:>10} {:>14}  {}\n", label(l), score_value(l), score_target(l),
                         score_status(l));
    return s;
}

std::string to_html(const Report& r) {
    std::string s =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>itsm-sim: " +
        html_escape(r.scenario) +
        "</title>\n<style>body{font-family:sans-serif;max-width:760px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse}td,th{padding:2px 10px;border-bottom:1px solid #ddd;"
        "text-align:right}td:first-child,th:first-child{text-align:left}.miss{color:#c00}"
        "svg{width:100%;height:auto}</style>\n</head><body>\n";
    s += fmt::format(
        "<h1>Simulated service desk</h1>\n<p>{}<br>{} to {}, seed {}, {} agents, "
        "{} users.</p>\n",
        html_escape(r.scenario), day_of(r, r.start), day_of(r, r.end - std::chrono::hours(24)),
        r.seed, r.agents, r.users);
    s += "<h2>Scorecard</h2>\n<table><tr><th>metric</th><th>value</th><th>target</th>"
         "<th>status</th></tr>\n";
    for (const auto& l : r.metrics.scorecard)
        s += fmt::format("<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                         l.met && !*l.met ? " class=\"miss\"" : "", html_escape(label(l)),
                         score_value(l), html_escape(score_target(l)), score_status(l));
    s += "</table>\n<pre>" + html_escape(to_text(r).substr(0, to_text(r).find("Scorecard"))) +
         "</pre>\n";
    s += "<h2>Weekly volume</h2>\n" + volume_chart(r);
    s += "<h2>Backlog</h2>\n" + backlog_chart(r);
    s += "<h2>SLA compliance per priority</h2>\n<p>The engine's resolution clocks that stopped "
         "in the horizon.</p>\n" +
         sla_chart(r);
    s += "<h2>MTTR per category</h2>\n" + mttr_chart(r);
    return s + "</body></html>\n";
}

}  // namespace sim
ITSM_END_NAMESPACE
