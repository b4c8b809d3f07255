#include "aip/registry/feeds.h"

namespace aip::registry {

std::string EscapeXml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string AtomFeed(const std::vector<LogEntry>& entries, std::string_view registry_url, TimePoint now) {
  std::string base = EscapeXml(registry_url);
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
  out += "  <title>aip registry events</title>\n  <id>" + base + "/v1/events.atom</id>\n";
  out += "  <updated>" + FormatTime(entries.empty() ? now : entries.front().received) + "</updated>\n";
  out += "  <link rel=\"self\" href=\"" + base + "/v1/events.atom\"/>\n";
  for (const auto& e : entries) {
    std::string key = EscapeXml(e.key);
    out += "  <entry>\n    <id>" + base + "/v1/records/" + std::to_string(e.seq) + "</id>\n";
    out += "    <title>" + EscapeXml(e.kind) + " " + key + "</title>\n";
    out += "    <updated>" + FormatTime(e.received) + "</updated>\n";
    out += "    <author><name>aip registry</name></author>\n";
    out += "    <content type=\"text\">" + EscapeXml(e.kind) + " " + key + " (record " + std::to_string(e.seq) + ")</content>\n";
    out += "  </entry>\n";
  }
  return out + "</feed>\n";
}

std::string Badge(std::string_view label, std::string_view value, std::string_view colour) {
  // Widths from a fixed 7 px per character: badges are short ASCII words.
  int lw = 10 + 7 * static_cast<int>(label.size());
  int vw = 10 + 7 * static_cast<int>(value.size());
  std::string l = EscapeXml(label), v = EscapeXml(value), c = EscapeXml(colour);
  std::string w = std::to_string(lw + vw);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"20\" role=\"img\" aria-label=\"" + l + ": " + v +
         "\"><title>" + l + ": " + v + "</title><rect width=\"" + std::to_string(lw) + "\" height=\"20\" fill=\"#555\"/><rect x=\"" +
         std::to_string(lw) + "\" width=\"" + std::to_string(vw) + "\" height=\"20\" fill=\"" + c +
         "\"/><g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">"
         "<text x=\"5\" y=\"14\">" +
         l + "</text><text x=\"" + std::to_string(lw + 5) + "\" y=\"14\">" + v + "</text></g></svg>\n";
}

}  // namespace aip::registry
