#include "aip/base/display_text.h"

#include <gtest/gtest.h>

namespace aip {
namespace {

TEST(DisplayTextTest, AcceptsWhatReadersSee) {
  for (std::string_view ok : {"weather-bot", "Agent Ünïcødé", "東京エージェント", "bot 🤖", "bot ❤️", "a\u00A0b", ""}) {
    EXPECT_EQ(UnsafeDisplayCharacter(ok), std::nullopt) << ok;
  }
}

TEST(DisplayTextTest, RefusesWhatHidesOrReordersText) {
  struct Case {
    std::string_view text, why;
  } cases[] = {
      {"a\tb", "U+0009, a control character"},
      {"a\x7f", "U+007F, a control character"},
      {"a\u0085b", "U+0085, a control character"},            // C1: next line.
      {"a\u009bb", "U+009B, a control character"},            // C1: CSI.
      {"admin\u202Etob", "U+202E, a bidirectional control"},  // Right-to-left override.
      {"a\u2066b", "U+2066, a bidirectional control"},
      {"a\u061Cb", "U+061C, a bidirectional control"},
      {"a\u2028b", "U+2028, a line or paragraph separator"},
      {"pay\u200Bpal", "U+200B, an invisible character"},  // Zero-width space.
      {"a\u2060b", "U+2060, an invisible character"},
      {"\uFEFFbot", "U+FEFF, an invisible character"},
      {"a\u00ADb", "U+00AD, an invisible character"},
      {"a\U000E0041b", "U+E0041, an invisible character"},  // A tag character.
      {"a\xC0\xAF", "text that is not UTF-8"},              // Overlong '/'.
      {"a\xED\xA0\x80", "text that is not UTF-8"},          // A surrogate.
      {"a\xE2\x80", "text that is not UTF-8"},              // Cut short.
      {"\xFF", "text that is not UTF-8"},
  };
  for (const auto& c : cases) EXPECT_EQ(UnsafeDisplayCharacter(c.text), std::string(c.why)) << c.why;
}

}  // namespace
}  // namespace aip
